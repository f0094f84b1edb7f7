// Fills a tensor from the counter-based generator: element i uses counter offset + i.
// UNIFORM: lo + (hi - lo) * u (SYMMETRIC: half_width * (2u - 1), bit-identical to the CPU twin).
// NORMAL: Box-Muller on two words of the same hash; the angle pi * (2u - 1) stays in [-pi, pi), the range
// where WGSL bounds the error of cos.
struct Params { n: u32, seed: u32, stream: u32, offset: u32, p0: f32, p1: f32 };
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
// One index of the grid; shaders/one_index.wgsl's main calls it for every i < u.n.
fn element(i: u32) {
  let h = rng_bits(u.seed, u.stream, u.offset + i);
#if NORMAL
  let u1 = (f32(h.x >> 8u) + 1.0) * 5.9604644775390625e-8;
  out[i] = u.p0 + u.p1 * sqrt(-2.0 * log(u1)) * cos(3.141592653589793 * bits_to_sym(h.y));
#else
#if SYMMETRIC
  out[i] = u.p1 * bits_to_sym(h.x);
#else
  out[i] = u.p0 + (u.p1 - u.p0) * bits_to_unit(h.x);
#endif
#endif
}
