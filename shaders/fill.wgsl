// out[i] = value (the bits of the value, so it also fills i32/u32 tensors).
struct Params { n: u32, bits: u32 };
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
fn element(i: u32) {
  out[i] = u.bits;
}
