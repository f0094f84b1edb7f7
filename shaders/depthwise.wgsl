// Depthwise convolution (one kernel per channel, torch's groups = channels), directly on NCHW images: im2col
// would multiply the memory by KH * KW for the wide expansions of MobileNets and EfficientNets. Three kernels,
// each other's adjoints (src/ops/depthwise.ts):
// FORWARD:     y[b, c, oh, ow] = sum_kh,kw x[b, c, oh SH - PH + kh DH, ow SW - PW + kw DW] * w[c, kh, kw]
// INPUT_GRAD:  gx[b, c, h, w]  = sum over the taps that read (h, w) of gy[b, c, oh, ow] * w[c, kh, kw]
// WEIGHT_GRAD: gw[c, kh, kw]   = sum_b,oh,ow gy[b, c, oh, ow] * x[b, c, (tap position)]
// All are gathers (no atomics); one invocation per output element, the taps or the sum in a loop. The window
// arithmetic (in_h, in_w, out_of) is window.wgsl's, prepended.
struct Params {
  n: u32, B: u32, C: u32, H: u32,
  W: u32, OH: u32, OW: u32, KH: u32,
  KW: u32, SH: u32, SW: u32, PH: u32,
  PW: u32, DH: u32, DW: u32,
};
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;

// One index of the grid; shaders/one_index.wgsl's main calls it for every i < u.n.
fn element(i: u32) {
#if FORWARD
  // a = x [B, C, H, W], b = w [C, KH, KW]; i = (bc * OH + oh) * OW + ow.
  let ow = i % u.OW;
  let oh = (i / u.OW) % u.OH;
  let bc = i / (u.OH * u.OW);
  let c = bc % u.C;
  var acc = 0.0;
  for (var kh = 0u; kh < u.KH; kh++) {
    let h = in_h(oh, kh);
    if (h < 0 || h >= i32(u.H)) { continue; }
    let row = (bc * u.H + u32(h)) * u.W;
    for (var kw = 0u; kw < u.KW; kw++) {
      let w = in_w(ow, kw);
      if (w < 0 || w >= i32(u.W)) { continue; }
      acc += a[row + u32(w)] * b[(c * u.KH + kh) * u.KW + kw];
    }
  }
  dst[i] = acc;
#endif
#if INPUT_GRAD
  // a = gy [B, C, OH, OW], b = w [C, KH, KW]; i = (bc * H + h) * W + w.
  let w = i % u.W;
  let h = (i / u.W) % u.H;
  let bc = i / (u.H * u.W);
  let c = bc % u.C;
  var acc = 0.0;
  for (var kh = 0u; kh < u.KH; kh++) {
    let oh = out_of(h, kh, u.SH, u.PH, u.DH, u.OH);
    if (oh < 0) { continue; }
    for (var kw = 0u; kw < u.KW; kw++) {
      let ow = out_of(w, kw, u.SW, u.PW, u.DW, u.OW);
      if (ow < 0) { continue; }
      acc += a[(bc * u.OH + u32(oh)) * u.OW + u32(ow)] * b[(c * u.KH + kh) * u.KW + kw];
    }
  }
  dst[i] = acc;
#endif
#if WEIGHT_GRAD
  // a = x [B, C, H, W], b = gy [B, C, OH, OW]; i = (c * KH + kh) * KW + kw.
  let kw = i % u.KW;
  let kh = (i / u.KW) % u.KH;
  let c = i / (u.KH * u.KW);
  var acc = 0.0;
  for (var bb = 0u; bb < u.B; bb++) {
    let bc = bb * u.C + c;
    for (var oh = 0u; oh < u.OH; oh++) {
      let h = in_h(oh, kh);
      if (h < 0 || h >= i32(u.H)) { continue; }
      let row = (bc * u.H + u32(h)) * u.W;
      let grow = (bc * u.OH + oh) * u.OW;
      for (var ow = 0u; ow < u.OW; ow++) {
        let w = in_w(ow, kw);
        if (w < 0 || w >= i32(u.W)) { continue; }
        acc += b[grow + ow] * a[row + u32(w)];
      }
    }
  }
  dst[i] = acc;
#endif
}
