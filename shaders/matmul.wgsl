// Batched matmul C[b] = op(A[b]) * op(B[b]) (+ bias row), op = transpose when TRANS_A / TRANS_B.
// Logical sizes: op(A) is M x K, op(B) is K x N, C is M x N (row-major). Batch strides may be 0 (broadcast).
// Two variants, chosen per adapter by src/ops/matmul.ts:
//  - REGISTER (CPU drivers such as lavapipe): no shared memory and no barriers; each invocation keeps a
//    4 x 8 block of C in registers (8 vec4 accumulators). Out-of-range rows/columns are clamped on load
//    and skipped on store, so the inner loop has no branches.
//  - TILED (GPUs): 64 x 64 tiles of C per workgroup of 16 x 16 invocations, each 4 x 4; K in steps of 16
//    through workgroup memory.
struct Params { M: u32, N: u32, K: u32, batch: u32, sa: u32, sb: u32, sc: u32, alpha: f32 };
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
@group(0) @binding(2) var<storage, read> B: array<f32>;
@group(0) @binding(3) var<storage, read_write> C: array<f32>;

fn a_at(base: u32, r: u32, k: u32) -> f32 {
#if TRANS_A
  return A[base + k * u.M + r];
#else
  return A[base + r * u.K + k];
#endif
}
fn b_at(base: u32, k: u32, c: u32) -> f32 {
#if TRANS_B
  return B[base + c * u.K + k];
#else
  return B[base + k * u.N + c];
#endif
}

#if REGISTER
@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let col0 = gid.x * 8u;
  let row0 = gid.y * 4u;
  let bt = gid.z;
  if (col0 >= u.N || row0 >= u.M || bt >= u.batch) { return; }
  let ab = bt * u.sa;
  let bb = bt * u.sb;
  let mr = u.M - 1u;
  let nc = u.N - 1u;
  let r0 = row0; let r1 = min(row0 + 1u, mr); let r2 = min(row0 + 2u, mr); let r3 = min(row0 + 3u, mr);
  var c: array<u32, 8>;
  for (var j = 0u; j < 8u; j++) { c[j] = min(col0 + j, nc); }
  var acc0a = vec4<f32>(); var acc0b = vec4<f32>();
  var acc1a = vec4<f32>(); var acc1b = vec4<f32>();
  var acc2a = vec4<f32>(); var acc2b = vec4<f32>();
  var acc3a = vec4<f32>(); var acc3b = vec4<f32>();
  for (var k = 0u; k < u.K; k++) {
    let a = vec4<f32>(a_at(ab, r0, k), a_at(ab, r1, k), a_at(ab, r2, k), a_at(ab, r3, k));
    let b0 = vec4<f32>(b_at(bb, k, c[0]), b_at(bb, k, c[1]), b_at(bb, k, c[2]), b_at(bb, k, c[3]));
    let b1 = vec4<f32>(b_at(bb, k, c[4]), b_at(bb, k, c[5]), b_at(bb, k, c[6]), b_at(bb, k, c[7]));
    acc0a += a.x * b0; acc0b += a.x * b1;
    acc1a += a.y * b0; acc1b += a.y * b1;
    acc2a += a.z * b0; acc2b += a.z * b1;
    acc3a += a.w * b0; acc3b += a.w * b1;
  }
  let cb = bt * u.sc;
  let rows = array<vec4<f32>, 8>(acc0a, acc0b, acc1a, acc1b, acc2a, acc2b, acc3a, acc3b);
  for (var i = 0u; i < 4u; i++) {
    let r = row0 + i;
    if (r >= u.M) { break; }
    for (var j = 0u; j < 8u; j++) {
      let cc = col0 + j;
      if (cc < u.N) { C[cb + r * u.N + cc] = u.alpha * rows[i * 2u + j / 4u][j % 4u]; }
    }
  }
}
#endif

#if TILED
const TS = 64u;
const TK = 16u;
var<workgroup> As: array<f32, 1024>; // TK x TS (k-major)
var<workgroup> Bs: array<f32, 1024>; // TK x TS
@compute @workgroup_size(16, 16, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let bt = wid.z;
  let rowBase = wid.y * TS;
  let colBase = wid.x * TS;
  let ab = bt * u.sa;
  let bb = bt * u.sb;
  let t = lid.y * 16u + lid.x;
  var acc: array<f32, 16>;
  for (var i = 0u; i < 16u; i++) { acc[i] = 0.0; }
  for (var k0 = 0u; k0 < u.K; k0 += TK) {
    // 256 invocations load 1024 values of each tile (4 each), zero outside the matrix.
    for (var l = 0u; l < 4u; l++) {
      let e = t + l * 256u;
      let kk = e / TS;
      let mm = e % TS;
      let gk = k0 + kk;
      let gr = rowBase + mm;
      let gc = colBase + mm;
      As[e] = select(0.0, a_at(ab, min(gr, u.M - 1u), min(gk, u.K - 1u)), gr < u.M && gk < u.K);
      Bs[e] = select(0.0, b_at(bb, min(gk, u.K - 1u), min(gc, u.N - 1u)), gc < u.N && gk < u.K);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TK; kk++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var i = 0u; i < 4u; i++) { av[i] = As[kk * TS + lid.y * 4u + i]; bv[i] = Bs[kk * TS + lid.x * 4u + i]; }
      for (var i = 0u; i < 4u; i++) { for (var j = 0u; j < 4u; j++) { acc[i * 4u + j] += av[i] * bv[j]; } }
    }
    workgroupBarrier();
  }
  let cb = bt * u.sc;
  for (var i = 0u; i < 4u; i++) {
    let r = rowBase + lid.y * 4u + i;
    for (var j = 0u; j < 4u; j++) {
      let cc = colBase + lid.x * 4u + j;
      if (r < u.M && cc < u.N) { C[cb + r * u.N + cc] = u.alpha * acc[i * 4u + j]; }
    }
  }
}
#endif
