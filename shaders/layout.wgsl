// Data movement. STRIDED: for every index of a shape S (rank <= 8),
//   dst[dst_off + sum_d idx_d * dst_stride_d] = src[src_off + sum_d idx_d * src_stride_d]
// which covers copy, permute/transpose, slice, broadcast (stride 0), concat and pad (into a region).
// GATHER: out[i, :] = src[idx[i], :]. SCATTER_ADD: out[r, :] = sum over i with idx[i] == r of src[i, :]
// (deterministic: each output row loops over the indices, no float atomics).
// SCATTER_ROWS: dst[idx[i], :] = src[i, :] in place (distinct indices; out-of-range ones skipped).
// ONE_HOT: out[r, c] = 1 if idx[r] == c else 0 (src unused but bound).
// STRIDED and GATHER move raw 32-bit words (u32), so f32, i32 and u32 tensors keep their exact bits
// (an i32 such as -1 is a NaN pattern as f32, which a float load/store may canonicalise).
struct Params {
  n: u32, rank: u32, src_off: u32, dst_off: u32,
  shape: array<vec4<u32>, 2>,
  ss: array<vec4<u32>, 2>,
  ds: array<vec4<u32>, 2>,
};
@group(0) @binding(0) var<uniform> u: Params;
const NAN_BITS = 0x7fc00000u;
const ONE_BITS = 0x3f800000u;
#if SCATTER_ADD
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;
#else
@group(0) @binding(1) var<storage, read> src: array<u32>;
#if STRIDED
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;
#else
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> dst: array<u32>;
#endif
#endif

fn dim(arr: array<vec4<u32>, 2>, d: u32) -> u32 { return arr[d / 4u][d % 4u]; }

// One index of the grid; shaders/one_index.wgsl's main calls it for every i < u.n.
fn element(i: u32) {
#if STRIDED
  var rem = i;
  var si = u.src_off;
  var di = u.dst_off;
  for (var d = i32(u.rank) - 1; d >= 0; d--) {
    let dd = u32(d);
    let size = dim(u.shape, dd);
    let k = rem % size;
    rem = rem / size;
    si += k * dim(u.ss, dd);
    di += k * dim(u.ds, dd);
  }
  dst[di] = src[si];
#endif
#if GATHER
  // shape = [count, row]; src rows of length row; n = count * row; the number of src rows is in src_off.
  let row = dim(u.shape, 1u);
  let r = i / row;
  let c = i % row;
  let j = idx[r];
  if (j < 0 || u32(j) >= u.src_off) { dst[i] = NAN_BITS; return; }
  dst[i] = src[u32(j) * row + c];
#endif
#if ONE_HOT
  _ = src[0]; // keeps binding 1 in the auto layout
  let classes = dim(u.shape, 1u);
  dst[i] = select(0u, ONE_BITS, idx[i / classes] == i32(i % classes));
#endif
#if SCATTER_ROWS
  // shape = [count, row]; n = count * row; the number of dst rows is in dst_off.
  let row = dim(u.shape, 1u);
  let j = idx[i / row];
  if (j < 0 || u32(j) >= u.dst_off) { return; }
  dst[u32(j) * row + i % row] = src[i];
#endif
#if SCATTER_ADD
  // shape = [rows_out, row, count]; n = rows_out * row
  let row = dim(u.shape, 1u);
  let count = dim(u.shape, 2u);
  let r = i / row;
  let c = i % row;
  var acc = 0.0;
  for (var k = 0u; k < count; k++) {
    if (idx[k] == i32(r)) { acc += src[k * row + c]; }
  }
  dst[i] = acc;
#endif
}
