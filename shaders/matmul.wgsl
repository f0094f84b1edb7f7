// Batched matmul C[b] = alpha op(A[b]) op(B[b]), op = transpose when TRANS_A / TRANS_B.
// Logical sizes: op(A) is M x K, op(B) is K x N, C is M x N (row-major). Batch strides may be 0 (broadcast).
// Two variants, chosen per adapter and shape by src/ops/matmul.ts:
//  - REGISTER (CPU drivers such as lavapipe, where the invocations of a workgroup are SIMD lanes and
//    barriers are coroutine switches): no shared memory, no barriers. A workgroup owns ROWS rows of C; every
//    invocation keeps ROWS x 8 values of C in registers (ROWS x 2 vec4 accumulators). The row index depends
//    only on workgroup_id, so the driver reads A with one scalar load broadcast to all lanes; only B is read
//    per lane. B_VEC4 (B not transposed, N % 4 == 0) binds B as a vec4 array: 2 loads per lane and k
//    instead of 8; C_VEC4 (with B_VEC4 only) stores C the same way. C_TRANS writes C transposed (matmul.ts swaps the operands
//    when the lanes are better used along M, e.g. convolutions with few output pixels). Out-of-range rows and columns are clamped on load and
//    skipped on store, so the k loop has no branches. Indices are computed from k rather than carried from
//    one iteration to the next: on lavapipe every loop-carried variable costs a masked blend per iteration
//    (23 vs 17 GFLOP/s at 1024^3 on 2 cores, measured in CPU time).
//  - TILED (GPUs): 64 x 64 tiles of C per workgroup of 16 x 16 invocations, each 4 x 4; K in steps of 16
//    through workgroup memory.
struct Params { M: u32, N: u32, K: u32, batch: u32, sa: u32, sb: u32, sc: u32, alpha: f32 };
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> A: array<f32>;
#if B_VEC4
@group(0) @binding(2) var<storage, read> B: array<vec4<f32>>;
#else
@group(0) @binding(2) var<storage, read> B: array<f32>;
#endif
#if C_VEC4
@group(0) @binding(3) var<storage, read_write> C: array<vec4<f32>>;
#else
@group(0) @binding(3) var<storage, read_write> C: array<f32>;
#endif

fn a_at(base: u32, r: u32, k: u32) -> f32 {
#if TRANS_A
  return A[base + k * u.M + r];
#else
  return A[base + r * u.K + k];
#endif
}

#if !B_VEC4
fn b_at(base: u32, k: u32, c: u32) -> f32 {
#if TRANS_B
  return B[base + c * u.K + k];
#else
  return B[base + k * u.N + c];
#endif
}
#endif

#if REGISTER
const ROWS = {{ROWS}}u;
@compute @workgroup_size({{WG}}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(global_invocation_id) gid: vec3<u32>) {
  let bt = wid.z;
  let row0 = wid.y * ROWS;
  let ab = bt * u.sa;
  let bb = bt * u.sb;
  // Offsets of this workgroup's rows of A (clamped: rows past M repeat the last one and are not stored).
  var ar: array<u32, ROWS>;
  for (var i = 0u; i < ROWS; i++) {
#if TRANS_A
    ar[i] = ab + min(row0 + i, u.M - 1u);
#else
    ar[i] = ab + min(row0 + i, u.M - 1u) * u.K;
#endif
  }
#if TRANS_A
  let astep = u.M;
#else
  let astep = 1u;
#endif
  var acc: array<vec4<f32>, 2u * ROWS>;
  // The 8 columns of B this invocation owns: two vec4 loads when rows of B are vec4-aligned, else 8 scalars.
#if B_VEC4
  let N4 = u.N / 4u;
  let b0 = bb / 4u + min(gid.x * 2u, N4 - 1u);
  let b1 = bb / 4u + min(gid.x * 2u + 1u, N4 - 1u);
#else
  var cols: array<u32, 8>;
  for (var j = 0u; j < 8u; j++) { cols[j] = min(gid.x * 8u + j, u.N - 1u); }
#endif
  for (var k = 0u; k < u.K; k++) {
#if B_VEC4
    let v0 = B[b0 + k * N4];
    let v1 = B[b1 + k * N4];
#else
    let v0 = vec4<f32>(b_at(bb, k, cols[0]), b_at(bb, k, cols[1]), b_at(bb, k, cols[2]), b_at(bb, k, cols[3]));
    let v1 = vec4<f32>(b_at(bb, k, cols[4]), b_at(bb, k, cols[5]), b_at(bb, k, cols[6]), b_at(bb, k, cols[7]));
#endif
    let ak = k * astep;
    for (var i = 0u; i < ROWS; i++) {
      let a = vec4<f32>(A[ar[i] + ak]);
      acc[2u * i] = fma(a, v0, acc[2u * i]);
      acc[2u * i + 1u] = fma(a, v1, acc[2u * i + 1u]);
    }
  }
  let cb = bt * u.sc;
  for (var i = 0u; i < ROWS; i++) {
    let r = row0 + i;
    if (r < u.M) {
#if C_VEC4
      for (var j = 0u; j < 2u; j++) {
        let c4 = gid.x * 2u + j;
        if (c4 < N4) { C[cb / 4u + r * N4 + c4] = u.alpha * acc[2u * i + j]; }
      }
#else
      for (var j = 0u; j < 8u; j++) {
        let c = gid.x * 8u + j;
        if (c < u.N) {
#if C_TRANS
          C[cb + c * u.M + r] = u.alpha * acc[2u * i + j / 4u][j % 4u];
#else
          C[cb + r * u.N + c] = u.alpha * acc[2u * i + j / 4u][j % 4u];
#endif
        }
      }
#endif
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
