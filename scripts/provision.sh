#!/usr/bin/env bash
# Installs what crit needs from Debian on a fresh machine with no GPU:
#  - a Vulkan loader plus Mesa 25's lavapipe (bookworm-backports), a CPU Vulkan driver that Dawn accepts
#    (bookworm's own Mesa 22.3 is rejected by Dawn);
#  - for the tests: Debian's chromium (headless browser tests; it also ships SwiftShader, the slow fallback
#    adapter) and dataset-fashion-mnist (real IDX files for the reader's tests).
# `--no-browser` (used by `npm start`) installs only what running crit needs.
# Idempotent: does nothing when everything is present. Needs root on Debian; elsewhere it prints what to install.
set -euo pipefail
want_browser=1
[ "${1:-}" = "--no-browser" ] && want_browser=0

have_lavapipe() { ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 && ldconfig -p | grep -q libvulkan.so.1; }
have_browser() { [ -x /usr/bin/chromium ] && [ -d /usr/share/datasets/fashion-mnist ]; }

if have_lavapipe && { [ $want_browser = 0 ] || have_browser; }; then exit 0; fi

if [ "$(id -u)" != 0 ] || [ ! -f /etc/debian_version ]; then
  cat >&2 <<MSG
crit: no usable WebGPU adapter can be set up automatically here (needs root on Debian).
Install by hand: a Vulkan loader (libvulkan1) and a Vulkan driver: your GPU's, or Mesa >= 24 lavapipe
(mesa-vulkan-drivers); and, for the browser tests, Chromium. Then run the command again.
MSG
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
codename=$(. /etc/os-release; echo "${VERSION_CODENAME:-bookworm}")
src=/etc/apt/sources.list.d/crit-backports.list
if [ "$codename" = bookworm ] && [ ! -f "$src" ]; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" > "$src"
fi
echo "crit: installing Vulkan (lavapipe) and Chromium from Debian..." >&2
apt-get update -qq
pkgs_vk="mesa-vulkan-drivers libvulkan1"
if [ "$codename" = bookworm ]; then
  apt-get install -y -qq -t bookworm-backports $pkgs_vk >/dev/null
else
  apt-get install -y -qq $pkgs_vk >/dev/null
fi
if [ $want_browser = 1 ]; then apt-get install -y -qq chromium dataset-fashion-mnist >/dev/null; fi
echo "crit: system packages ready" >&2
