#!/usr/bin/env bash
# One prepared GPU check, run by the device tool on a lent machine from the folder that scripts/device-pack.sh
# made (carry .device). Writes 8 files to $OUT (the tool's limit): summary.txt (exit codes, times, the Fig. 1
# couplings), stderr.txt, and the adapter, the op/autodiff tests on the real GPU
# (the GPU-only kernel paths: tiled matmul, workgroup reductions), matmul GFLOP/s against tfjs-webgpu on the
# same adapter, the Fig. 4 epoch timings, the Fig. 5 step timings (BP, CBP, CritL on Dohare et al.'s ConvNet, into
# summary.txt), one Fig. 1 batch and the quick Fig. 1 run. Every step has its own
# time limit and a failure does not stop the others; each step adds its exit code and milliseconds to summary.txt.
set -uo pipefail
OUT=${OUT:-/tmp/crit-device-out}
mkdir -p "$OUT"
ROOT=$(pwd)
W=/tmp/crit-device
rm -rf "$W" && mkdir -p "$W"
summary="$OUT/summary.txt"
: > "$summary"
log() { echo "$*" | tee -a "$summary"; }

if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
  for f in "$ROOT"/.device/debs/*.deb; do [ -e "$f" ] && dpkg -x "$f" /; done
  ldconfig 2>/dev/null || true
fi
if [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ] && [ -z "${VK_DRIVER_FILES:-}" ]; then
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
xz -dc "$ROOT/.device/node.xz" > "$W/node" && chmod +x "$W/node"
tar -xJf "$ROOT/.device/crit.tar.xz" -C "$W"
cd "$W"
NODE="$W/node"
CRIT="$NODE dist/node/cli.mjs"
log "node $($NODE --version); VK_DRIVER_FILES=${VK_DRIVER_FILES:-unset}; $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi')"

step() { # name, limit (s), output file, command...
  local name=$1 limit=$2 file=$3; shift 3
  local t0=$(date +%s%N)
  timeout "$limit" "$@" >> "$OUT/$file" 2>> "$OUT/stderr.txt"
  local rc=$?
  log "$name: rc $rc, $(( ($(date +%s%N) - t0) / 1000000 )) ms -> $file"
}

step info 60 info.json $CRIT info --json
step tests 180 tests.txt bash -c "$NODE scripts/test.mjs --dist dist ops autodiff 2>&1"
step bench-matmul 120 bench-matmul.txt $CRIT bench matmul --variant auto --budget 15
step bench-fig4 120 bench-fig4.json $CRIT fig4 --bench --json
step bench-fig5 120 summary.txt $CRIT fig5 --bench --json
step lyapunov-32 90 lyapunov-32.json $CRIT lyapunov --width 400 --depth 1000 --kappa mf*0.95,mf,mf*1.05,mf*1.1,mf*0.9,mf*0.8,mf*1.2,mf*1.3 --seeds 4 --stimulus-per-decade 0 --json
step fig1-quick 150 summary.txt $CRIT fig1 --quick --out "$W/fig1-quick"
cp "$W/fig1-quick/fig1.json" "$OUT/fig1-quick.json" 2>/dev/null && log "fig1-quick.json copied"
