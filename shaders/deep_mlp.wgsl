// The deep MLP of the paper's Fig. 1 with procedural weights: layer l of network seed s has
// W = kappa * U, U[i][j] = 0.05 * bits_to_sym(rng_bits(seed, l, i * N + j).x), bit-identical to the CPU
// twin uniformHost(N * N, -0.05, 0.05, { seed, stream: l }) of src/ops/random.ts. Only one layer of U per
// seed exists at a time (GEN writes it into a scratch buffer), so memory does not grow with depth, and one
// U serves every column of the batch: all kappas, primal and tangent columns share it.
//
// Column layout: x[s][i][c] for seed s, neuron i, column c (C columns, padded to a multiple of 4, read as
// vec4). Each column has its own kappa and, if it is tied to a primal network, a slot p into the per-layer
// derivative store d[s][i][p] = g'(b) of that network.
//
// Entry points (one per define):
//  GEN     scratch w[s] = U of layer u.layer for seed seeds[s], row-major (TRANSPOSED: Uᵀ, for the VJP).
//  PRIMAL  y = g(kappa * U x); writes d = g'(kappa * U x) for columns with a slot.
//  JVP     y = d * kappa * U x / |x| (tangent renormalised per layer; log |x| goes to stats).
//  VJP     y = kappa * Uᵀ x / |x|, times d of the layer below when bit 1 of u.flags is set.
//  PREP    x = d ⊙ x in place (the cotangent entering the VJP at the output layer).
//  STATS   stats of the columns of x only (after the last layer).
// Every layer kernel writes, for each column of its input x, stats[s][c] = (mean |x|, log |x|): the
// activity of the primal columns and the log-norm accumulation of the tangents.
// n: width, c4: columns / 4, p: derivative slots, s: seeds, stats_off: first stats word of this layer.
struct Params { n: u32, c4: u32, p: u32, s: u32, layer: u32, unused: u32, flags: u32, stats_off: u32 };
@group(0) @binding(0) var<uniform> u: Params;

const A = 1.7159;
const B = 0.6666;
const NONE = 0xffffffffu;

// tanh_acc: shaders/tanh.wgsl (prepended).

#if GEN
// Workgroup (x, z) writes 8 whole rows of seed z's scratch; invocations stride over the columns, so neighbours
// write neighbouring words and nothing divides (per-workgroup overhead and integer division are what cost
// on a CPU driver: this layout measured 2x the throughput of one element per invocation). TRANSPOSED
// stores entry (i, j) at j * N + i: the forward pass reads U by columns with consecutive invocations on
// consecutive i; the VJP reads U as is.
@group(0) @binding(1) var<storage, read> seeds: array<u32>;
@group(0) @binding(2) var<storage, read_write> w: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let s = wid.z;
  let seed = seeds[s];
  for (var rr = 0u; rr < 8u; rr++) {
    let row = wid.x * 8u + rr;
    if (row >= u.n) { break; }
    let base = s * u.n * u.n + row * u.n;
    for (var col = lid; col < u.n; col += 64u) {
#if TRANSPOSED
      let counter = col * u.n + row;
#else
      let counter = row * u.n + col;
#endif
      w[base + col] = 0.05 * bits_to_sym(rng_bits(seed, u.layer, counter).x);
    }
  }
}
#endif

#if LAYER
// Invocation = 8 rows x one vec4 of columns of one seed (grid z); neighbouring invocations take neighbouring
// column blocks, then row blocks. The scratch holds the operator row-major (U for the forward passes, Uᵀ for
// the VJP). Measured on lavapipe against one-row-per-invocation layouts: 2-3x faster (7.6 GFLOP/s at
// N = 1600 with 64 columns), because each column load feeds 8 rows and each weight load 4 columns.
@group(0) @binding(1) var<storage, read> w: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> kappa: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read> slot: array<vec4<u32>>;
@group(0) @binding(6) var<storage, read_write> d: array<f32>;
@group(0) @binding(7) var<storage, read_write> stats: array<f32>;

fn deriv(s: u32, i: u32, sl: vec4<u32>) -> vec4<f32> {
  var dv: vec4<f32>;
  for (var k = 0u; k < 4u; k++) { dv[k] = select(0.0, d[(s * u.n + i) * u.p + min(sl[k], u.p - 1u)], sl[k] != NONE); }
  return dv;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = (wid.x + wid.y * nwg.x) * 64u + lid;
  let s = wid.z;
  let n = u.n;
  let cb = t % u.c4;
  let rb = t / u.c4;
  let i0 = rb * 8u;
  if (i0 >= n) { return; }
  let wb = s * n * n;
  let xb = s * n * u.c4 + cb;
  var ri: array<u32, 8>;
  for (var r = 0u; r < 8u; r++) { ri[r] = wb + min(i0 + r, n - 1u) * n; }
  var a0 = vec4<f32>(); var a1 = vec4<f32>(); var a2 = vec4<f32>(); var a3 = vec4<f32>();
  var a4 = vec4<f32>(); var a5 = vec4<f32>(); var a6 = vec4<f32>(); var a7 = vec4<f32>();
  var sq = vec4<f32>();
  var ab = vec4<f32>();
  for (var j = 0u; j < n; j++) {
    let xv = x[xb + j * u.c4];
#if PRIMAL
    ab += abs(xv);
#else
    sq += xv * xv;
#endif
    a0 += w[ri[0] + j] * xv; a1 += w[ri[1] + j] * xv; a2 += w[ri[2] + j] * xv; a3 += w[ri[3] + j] * xv;
    a4 += w[ri[4] + j] * xv; a5 += w[ri[5] + j] * xv; a6 += w[ri[6] + j] * xv; a7 += w[ri[7] + j] * xv;
  }
  if (rb == 0u) {
    // The first row block also reports the column's activity and norm (the other statistic of its mode).
    for (var j = 0u; j < n; j++) {
      let xv = x[xb + j * u.c4];
#if PRIMAL
      sq += xv * xv;
#else
      ab += abs(xv);
#endif
    }
    let so = u.stats_off + (s * u.c4 + cb) * 8u;
    for (var k = 0u; k < 4u; k++) { stats[so + 2u * k] = ab[k] / f32(n); stats[so + 2u * k + 1u] = 0.5 * log(sq[k]); }
  }
  let kap = kappa[cb];
  let sl = slot[cb];
#if !PRIMAL
  let nrm = sqrt(sq);
  let inv = select(vec4<f32>(0.0), 1.0 / nrm, nrm > vec4<f32>(0.0));
#endif
  let accs = array<vec4<f32>, 8>(a0, a1, a2, a3, a4, a5, a6, a7);
  for (var r = 0u; r < 8u; r++) {
    let i = i0 + r;
    if (i >= n) { break; }
    let z = accs[r];
    var out: vec4<f32>;
#if PRIMAL
    let b = kap * z;
    let th = tanh_acc(B * b);
    out = A * th;
    let gp = A * B * (1.0 - th * th);
    for (var k = 0u; k < 4u; k++) { if (sl[k] != NONE) { d[(s * n + i) * u.p + sl[k]] = gp[k]; } }
#endif
#if JVP
    out = deriv(s, i, sl) * kap * z * inv;
#endif
#if VJP
    out = kap * z * inv;
    if ((u.flags & 1u) != 0u) { out *= deriv(s, i, sl); }
#endif
    y[(s * n + i) * u.c4 + cb] = out;
  }
}
#endif

#if STATS
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = linear_workgroup(wid, nwg) * 64u + lid;
  if (t >= u.s * u.c4) { return; }
  let s = t / u.c4;
  let cb = t % u.c4;
  var sq = vec4<f32>();
  var ab = vec4<f32>();
  for (var j = 0u; j < u.n; j++) { let xv = x[(s * u.n + j) * u.c4 + cb]; sq += xv * xv; ab += abs(xv); }
  let so = u.stats_off + t * 8u;
  for (var k = 0u; k < 4u; k++) { stats[so + 2u * k] = ab[k] / f32(u.n); stats[so + 2u * k + 1u] = log(sqrt(sq[k])); }
}
#endif

#if PREP
// v = d ⊙ x for the columns with a slot (the cotangent entering the VJP at the output layer).
@group(0) @binding(1) var<storage, read_write> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> slot: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> d: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = linear_workgroup(wid, nwg) * 64u + lid;
  if (t >= u.s * u.n * u.c4) { return; }
  let cb = t % u.c4;
  let si = t / u.c4; // s * n + i
  let sl = slot[cb];
  var dv: vec4<f32>;
  for (var k = 0u; k < 4u; k++) { dv[k] = select(0.0, d[si * u.p + min(sl[k], u.p - 1u)], sl[k] != NONE); }
  x[t] = x[t] * dv;
}
#endif
