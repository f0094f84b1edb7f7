// Counter-based random numbers: pcg4d (Jarzynski and Olano, "Hash Functions for GPU Rendering", 2020)
// hashes (counter, stream, seed, key) to four u32. Integer-only, so src/ops/rng.ts reproduces the same
// bits on the CPU. Uniform: (bits >> 8) * 2^-24 in [0, 1), exact in f32 and f64.
fn pcg4d(v_in: vec4<u32>) -> vec4<u32> {
  var v = v_in * 1664525u + 1013904223u;
  v.x += v.y * v.w; v.y += v.z * v.x; v.z += v.x * v.y; v.w += v.y * v.z;
  v = v ^ (v >> vec4<u32>(16u));
  v.x += v.y * v.w; v.y += v.z * v.x; v.z += v.x * v.y; v.w += v.y * v.z;
  return v;
}
fn rng_bits(seed: u32, stream: u32, counter: u32) -> vec4<u32> {
  return pcg4d(vec4<u32>(counter, stream, seed, 0x9e3779b9u));
}
fn bits_to_unit(b: u32) -> f32 { return f32(b >> 8u) * 5.9604644775390625e-8; }
// Symmetric uniform in [-1, 1): 2u - 1 is exact in f32, so scaling it rounds once on every device.
fn bits_to_sym(b: u32) -> f32 { return f32(b >> 8u) * 1.1920928955078125e-7 - 1.0; }
