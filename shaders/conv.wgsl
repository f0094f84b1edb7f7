// Windows over NCHW images: the kernels behind convolution and pooling (src/ops/conv.ts).
// x: [B, C, H, W]; a window position (oh, ow) covers x[b, c, oh * SH - PH + kh * DH, ow * SW - PW + kw * DW].
// UNFOLD (im2col): cols[b, (c, kh, kw), (oh, ow)] = that pixel, or `fill` where it lies in the padding
//                  (torch.nn.functional.unfold's layout [B, C * KH * KW, OH * OW]).
// FOLD (col2im, UNFOLD's adjoint): x[b, c, h, w] = sum of the column entries UNFOLD read from (b, c, h, w).
// ARGMAX: idx[b, c, oh, ow] = h * W + w of the window's first largest pixel (PyTorch's max_pool2d choice),
//         padding never chosen.
// GATHER: out[b, c, oh, ow] = x[b, c, idx[...]]; SCATTER (GATHER's adjoint): x[b, c, h, w] = sum of g over the
//         windows whose idx is (h, w).
// FOLD and SCATTER are gathers over the at most KH * KW windows that cover a pixel: no atomics, deterministic.
// The window arithmetic (in_h, in_w, out_of) is window.wgsl's, prepended.
struct Params {
  n: u32, C: u32, H: u32, W: u32,
  OH: u32, OW: u32, KH: u32, KW: u32,
  SH: u32, SW: u32, PH: u32, PW: u32,
  DH: u32, DW: u32, fill: f32,
};
@group(0) @binding(0) var<uniform> u: Params;
#if ARGMAX
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<i32>;
#else
@group(0) @binding(1) var<storage, read> src: array<f32>;
#if IDX
@group(0) @binding(2) var<storage, read> idx: array<i32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;
#else
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
#endif
#endif

// One index of the grid; shaders/one_index.wgsl's main calls it for every i < u.n.
fn element(i: u32) {
#if UNFOLD
  // One invocation per run of OW outputs: i = (((b * C + c) * KH + kh) * KW + kw) * OH + oh. Runs keep the
  // integer divisions (scalar and slow on CPU drivers) out of the per-element loop.
  let oh = i % u.OH;
  var t = i / u.OH;
  let kw = t % u.KW; t = t / u.KW;
  let kh = t % u.KH; t = t / u.KH; // t = b * C + c
  let h = in_h(oh, kh);
  let base = i * u.OW;
  if (h < 0 || h >= i32(u.H)) {
    for (var ow = 0u; ow < u.OW; ow++) { dst[base + ow] = u.fill; }
    return;
  }
  let row = (t * u.H + u32(h)) * u.W;
  var w = in_w(0u, kw);
  for (var ow = 0u; ow < u.OW; ow++) {
    dst[base + ow] = select(u.fill, src[row + u32(max(w, 0))], w >= 0 && w < i32(u.W));
    w += i32(u.SW);
  }
#endif
#if ARGMAX
  // One invocation per window position: i = (b * C + c) * OH * OW + oh * OW + ow.
  let ow = i % u.OW;
  let oh = (i / u.OW) % u.OH;
  let plane = (i / (u.OH * u.OW)) * u.H * u.W;
  var best = -1;
  var m = 0.0;
  for (var kh = 0u; kh < u.KH; kh++) {
    let h = in_h(oh, kh);
    if (h < 0 || h >= i32(u.H)) { continue; }
    for (var kw = 0u; kw < u.KW; kw++) {
      let w = in_w(ow, kw);
      if (w < 0 || w >= i32(u.W)) { continue; }
      let p = h * i32(u.W) + w;
      let v = src[plane + u32(p)];
      if (best < 0 || v > m) { best = p; m = v; }
    }
  }
  dst[i] = best;
#endif
#if GATHER
  let plane = (i / (u.OH * u.OW)) * u.H * u.W;
  dst[i] = src[plane + u32(idx[i])];
#endif
#if WINDOW_SUM
  // One invocation per image row: i = (b * C + c) * H + h; it owns dst's W pixels of that row, zeroes them and
  // adds every window tap that lands there in a fixed order (deterministic, no atomics).
  let h = i % u.H;
  let t = i / u.H; // b * C + c
  let base = i * u.W;
  for (var w = 0u; w < u.W; w++) { dst[base + w] = 0.0; }
  let ohw = u.OH * u.OW;
  for (var kh = 0u; kh < u.KH; kh++) {
    let oh_ = out_of(h, kh, u.SH, u.PH, u.DH, u.OH);
    if (oh_ < 0) { continue; }
    let oh = u32(oh_);
    for (var kw = 0u; kw < u.KW; kw++) {
      var w = in_w(0u, kw);
#if FOLD
      let col = ((t * u.KH + kh) * u.KW + kw) * ohw + oh * u.OW;
#else
      let col = t * ohw + oh * u.OW;
#endif
      for (var ow = 0u; ow < u.OW; ow++) {
        if (w >= 0 && w < i32(u.W)) {
#if FOLD
          dst[base + u32(w)] += src[col + ow];
#else
          if (idx[col + ow] == i32(h * u.W) + w) { dst[base + u32(w)] += src[col + ow]; }
#endif
        }
        w += i32(u.SW);
      }
    }
  }
#endif
}
