// Row-wise softmax / log-softmax over the last axis of [rows, cols], and cross-entropy with integer labels
// (loss[r] = logsumexp(x[r]) - x[r, label[r]]). One invocation per row, max-shifted for stability.
struct Params { rows: u32, cols: u32 };
@group(0) @binding(0) var<uniform> u: Params;
// A quiet NaN for invalid indices (a function call, so it is not folded at compile time).
fn nan_f32(bits: u32) -> f32 { return bitcast<f32>(bits); }
@group(0) @binding(1) var<storage, read> x: array<f32>;
#if CROSS_ENTROPY
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
#else
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
#endif
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = (wid.x + wid.y * nwg.x) * {{WG}}u + lid;
  if (r >= u.rows) { return; }
  let base = r * u.cols;
  var m = -3.4028234663852886e38;
  for (var c = 0u; c < u.cols; c++) { m = max(m, x[base + c]); }
  var s = 0.0;
  for (var c = 0u; c < u.cols; c++) { s += exp(x[base + c] - m); }
  let lse = m + log(s);
#if CROSS_ENTROPY
  let l = labels[r];
  if (l < 0 || u32(l) >= u.cols) { out[r] = nan_f32(0x7fc00000u); return; }
  out[r] = lse - x[base + u32(l)];
#else
  for (var c = 0u; c < u.cols; c++) {
#if LOG
    out[base + c] = x[base + c] - lse;
#else
    out[base + c] = exp(x[base + c] - lse);
#endif
  }
#endif
}
