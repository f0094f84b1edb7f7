// Reduction of the middle axis of a [outer, R, inner] view.
// TREE: one workgroup per (output, chunk of the axis): each invocation folds a strided part of the chunk,
// then a shared-memory tree combines the workgroup's partial results. The result goes to
// out[(o * chunks + j) * inner + i] for chunk j; with chunks > 1 the host reduces that [outer, chunks,
// inner] tensor again (a tree over workgroups), so a long axis is spread over many workgroups and no
// invocation adds more than chunk / WG values in a row.
// Otherwise: one invocation per (output, chunk) folds the chunk serially (no barriers: cheap on CPU drivers),
// with the same output layout, so the host's passes form a tree of serial blocks.
// {{INIT}} is the identity, {{FOLD}} combines acc and v, {{PRE}} maps each element (v * v for sumsq).
struct Params { outer: u32, r: u32, inner: u32, scale: f32, chunk: u32, chunks: u32 };
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

fn pre(v: f32) -> f32 { return {{PRE}}; }
fn fold(acc: f32, v: f32) -> f32 { return {{FOLD}}; }

#if TREE
var<workgroup> part: array<f32, {{WG}}>;
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let w = wid.x + wid.y * nwg.x;
  let inner = max(u.inner, 1u);
  let valid = w < u.outer * u.chunks * inner;
  let oo = w / (u.chunks * inner);
  let j = (w / inner) % u.chunks;
  let ii = w % inner;
  let r0 = j * u.chunk;
  let r1 = min(r0 + u.chunk, u.r);
  var acc = {{INIT}};
  if (valid) {
    for (var r = r0 + lid; r < r1; r += {{WG}}u) {
      acc = fold(acc, pre(x[(oo * u.r + r) * u.inner + ii]));
    }
  }
  part[lid] = acc;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s = s / 2u) {
    if (lid < s) { part[lid] = fold(part[lid], part[lid + s]); }
    workgroupBarrier();
  }
  if (lid == 0u && valid) { out[w] = part[0] * u.scale; }
}
#else
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let w = (wid.x + wid.y * nwg.x) * {{WG}}u + lid;
  if (w >= u.outer * u.chunks * u.inner) { return; }
  let oo = w / (u.chunks * u.inner);
  let j = (w / u.inner) % u.chunks;
  let ii = w % u.inner;
  let r0 = j * u.chunk;
  let r1 = min(r0 + u.chunk, u.r);
  var acc = {{INIT}};
  for (var r = r0; r < r1; r++) {
    acc = fold(acc, pre(x[(oo * u.r + r) * u.inner + ii]));
  }
  out[w] = acc * u.scale;
}
#endif
