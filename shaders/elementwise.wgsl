// Elementwise maps. UNARY: out[i] = f(a[i]). BINARY: out[i] = f(a[ia], b[ib]) with NumPy broadcasting:
// CONTIGUOUS when a and b have the output's shape; BLOCK_A / BLOCK_B when one operand has the output's shape
// and the other is a contiguous block repeated around it (a bias row [N] against [B, N], a column [B, 1]):
// its index is (i / inner) % mid, with no loop over the dimensions (cheap on CPU drivers); otherwise indices
// through per-dimension strides (stride 0 on broadcast dimensions). The op is the expression {{OP}} in x (and y), with params p0, p1.
struct Params {
  n: u32, rank: u32, p0: f32, p1: f32,
  shape: array<vec4<u32>, 2>,
  sa: array<vec4<u32>, 2>,
  sb: array<vec4<u32>, 2>,
};
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
#if BINARY
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
#else
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
#endif

const A = 1.7159;
const B = 0.6666;
// tanh_acc1 (shaders/tanh.wgsl, prepended) keeps full relative precision near 0, unlike some builtins.
fn safe_tanh(x: f32) -> f32 { return tanh_acc1(x); }
// erf with |error| < 1.5e-7 (Abramowitz and Stegun 7.1.26), for the exact GELU.
fn erf_approx(x: f32) -> f32 {
  let s = sign(x);
  let z = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * z);
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-z * z);
  return s * y;
}
fn from_bits(b: u32) -> f32 { return bitcast<f32>(b); }
// x^p with the conventions of Math.pow: x < 0 needs an integer p (else NaN); 0^p is 1 (p = 0), 0 (p > 0)
// or +inf (p < 0). WGSL's pow is only defined for x > 0.
fn pow_scalar(x: f32, p: f32) -> f32 {
  if (p == 0.0) { return 1.0; }
  if (x == 0.0) { return select(0.0, from_bits(0x7f800000u), p < 0.0); }
  let m = pow(abs(x), p);
  if (x > 0.0) { return m; }
  if (fract(p) != 0.0) { return from_bits(0x7fc00000u); }
  return select(m, -m, fract(p * 0.5) != 0.0);
}
fn dim(arr: array<vec4<u32>, 2>, d: u32) -> u32 { return arr[d / 4u][d % 4u]; }

fn op(x: f32, y: f32, p0: f32, p1: f32) -> f32 {
  return {{OP}};
}

// One index of the grid; shaders/one_index.wgsl's main calls it for every i < u.n.
fn element(i: u32) {
#if BINARY
#if CONTIGUOUS
  out[i] = op(a[i], b[i], u.p0, u.p1);
#elif BLOCK_A
  out[i] = op(a[(i / u.sa[0].x) % u.sa[0].y], b[i], u.p0, u.p1);
#elif BLOCK_B
  out[i] = op(a[i], b[(i / u.sb[0].x) % u.sb[0].y], u.p0, u.p1);
#else
  var rem = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = i32(u.rank) - 1; d >= 0; d--) {
    let dd = u32(d);
    let size = dim(u.shape, dd);
    let idx = rem % size;
    rem = rem / size;
    ia += idx * dim(u.sa, dd);
    ib += idx * dim(u.sb, dd);
  }
  out[i] = op(a[ia], b[ib], u.p0, u.p1);
#endif
#else
  out[i] = op(a[i], 0.0, u.p0, u.p1);
#endif
}
