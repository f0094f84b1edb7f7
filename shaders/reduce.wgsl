// Reduction of the middle axis of a [outer, R, inner] view: out[o, i] = reduce_r x[o, r, i].
// TREE: one workgroup per output, each invocation folds a strided part, then a shared-memory tree.
// Otherwise (short R): one invocation per output folds serially (no barriers: cheap on CPU drivers).
// MODE: {{INIT}} is the identity, {{FOLD}} combines acc and v, {{PRE}} maps each element (x*x for SUMSQ).
struct Params { outer: u32, r: u32, inner: u32, scale: f32 };
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn pre(v: f32) -> f32 { return {{PRE}}; }
fn fold(acc: f32, v: f32) -> f32 { return {{FOLD}}; }

#if TREE
var<workgroup> part: array<f32, {{WG}}>;
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = wid.x + wid.y * nwg.x;
  let valid = o < u.outer * u.inner;
  let oo = o / max(u.inner, 1u);
  let ii = o % max(u.inner, 1u);
  var acc = {{INIT}};
  if (valid) {
    for (var r = lid; r < u.r; r += {{WG}}u) {
      acc = fold(acc, pre(x[(oo * u.r + r) * u.inner + ii]));
    }
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { part[lid] = fold(part[lid], part[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u && valid) { out[o] = part[0] * u.scale; }
}
#else
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let o = (wid.x + wid.y * nwg.x) * {{WG}}u + lid;
  if (o >= u.outer * u.inner) { return; }
  let oo = o / u.inner;
  let ii = o % u.inner;
  var acc = {{INIT}};
  for (var r = 0u; r < u.r; r++) {
    acc = fold(acc, pre(x[(oo * u.r + r) * u.inner + ii]));
  }
  out[o] = acc * u.scale;
}
#endif
