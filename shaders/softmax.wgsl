// Row-wise softmax / log-softmax over the last axis of [rows, cols], and cross-entropy with integer labels
// (loss[r] = logsumexp(x[r]) - x[r, label[r]]), max-shifted for stability.
// Short rows: one invocation per row, serial loops (no barriers: cheap on CPU drivers).
// TREE (cols > 64): one workgroup per row; the max and the sum of exponentials are shared-memory trees.
struct Params { rows: u32, cols: u32 };
@group(0) @binding(0) var<uniform> u: Params;
// A quiet NaN for invalid labels (a function call, so it is not folded at compile time).
fn nan_f32(bits: u32) -> f32 { return bitcast<f32>(bits); }
@group(0) @binding(1) var<storage, read> x: array<f32>;
#if CROSS_ENTROPY
@group(0) @binding(2) var<storage, read> labels: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
#else
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
#endif

fn write_row(r: u32, base: u32, lse: f32, c0: u32, step: u32) {
#if CROSS_ENTROPY
  if (c0 != 0u) { return; }
  let l = labels[r];
  if (l < 0 || u32(l) >= u.cols) { out[r] = nan_f32(0x7fc00000u); return; }
  out[r] = lse - x[base + u32(l)];
#else
  for (var c = c0; c < u.cols; c += step) {
#if LOG
    out[base + c] = x[base + c] - lse;
#else
    out[base + c] = exp(x[base + c] - lse);
#endif
  }
#endif
}

#if TREE
var<workgroup> part: array<f32, {{WG}}>;
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wid.x + wid.y * nwg.x;
  if (r >= u.rows) { return; } // the same for the whole workgroup
  let base = r * u.cols;
  var m = -3.4028234663852886e38;
  for (var c = lid; c < u.cols; c += {{WG}}u) { m = max(m, x[base + c]); }
  part[lid] = m;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { part[lid] = max(part[lid], part[lid + s]); }
    workgroupBarrier();
  }
  let mx = part[0];
  workgroupBarrier();
  var acc = 0.0;
  for (var c = lid; c < u.cols; c += {{WG}}u) { acc += exp(x[base + c] - mx); }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { part[lid] = part[lid] + part[lid + s]; }
    workgroupBarrier();
  }
  write_row(r, base, mx + log(part[0]), lid, {{WG}}u);
}
#else
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = (wid.x + wid.y * nwg.x) * {{WG}}u + lid;
  if (r >= u.rows) { return; }
  let base = r * u.cols;
  var m = -3.4028234663852886e38;
  for (var c = 0u; c < u.cols; c++) { m = max(m, x[base + c]); }
  var s = 0.0;
  for (var c = 0u; c < u.cols; c++) { s += exp(x[base + c] - m); }
  write_row(r, base, m + log(s), 0u, 1u);
}
#endif
