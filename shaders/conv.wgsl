// Patches of images (im2col) and their adjoint, for convolutions and pooling as matrix products/reductions.
// x: [B, C, H, W] (NCHW, PyTorch's layout); cols: [B, C * KH * KW, OH * OW] (torch.nn.functional.unfold's).
// UNFOLD: cols[b, (c, kh, kw), (oh, ow)] = x[b, c, oh * SH - PH + kh * DH, ow * SW - PW + kw * DW], or
//         `fill` where that pixel lies in the padding (0 for convolutions, -inf for max pooling).
// FOLD:   x[b, c, h, w] = sum of cols over every (kh, kw, oh, ow) that UNFOLD reads from (b, c, h, w): a
//         gather over at most KH * KW terms per pixel, so it needs no atomics and is deterministic.
struct Params {
  n: u32, C: u32, H: u32, W: u32,
  OH: u32, OW: u32, KH: u32, KW: u32,
  SH: u32, SW: u32, PH: u32, PW: u32,
  DH: u32, DW: u32, fill: f32,
};
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * {{WG}}u + lid;
  if (i >= u.n) { return; }
#if UNFOLD
  let ow = i % u.OW;
  var t = i / u.OW;
  let oh = t % u.OH; t = t / u.OH;
  let kw = t % u.KW; t = t / u.KW;
  let kh = t % u.KH; t = t / u.KH; // t = b * C + c
  let h = i32(oh * u.SH + kh * u.DH) - i32(u.PH);
  let w = i32(ow * u.SW + kw * u.DW) - i32(u.PW);
  if (h < 0 || w < 0 || h >= i32(u.H) || w >= i32(u.W)) { dst[i] = u.fill; return; }
  dst[i] = src[(t * u.H + u32(h)) * u.W + u32(w)];
#else
  let w = i % u.W;
  var t = i / u.W;
  let h = t % u.H; t = t / u.H; // t = b * C + c
  let ohw = u.OH * u.OW;
  var acc = 0.0;
  for (var kh = 0u; kh < u.KH; kh++) {
    let hh = i32(h + u.PH) - i32(kh * u.DH);
    if (hh < 0 || u32(hh) % u.SH != 0u) { continue; }
    let oh = u32(hh) / u.SH;
    if (oh >= u.OH) { continue; }
    for (var kw = 0u; kw < u.KW; kw++) {
      let ww = i32(w + u.PW) - i32(kw * u.DW);
      if (ww < 0 || u32(ww) % u.SW != 0u) { continue; }
      let ow = u32(ww) / u.SW;
      if (ow >= u.OW) { continue; }
      acc += src[((t * u.KH + kh) * u.KW + kw) * ohw + oh * u.OW + ow];
    }
  }
  dst[i] = acc;
#endif
}
