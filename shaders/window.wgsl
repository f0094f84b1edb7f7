// Window arithmetic shared by the window kernels (conv.wgsl, depthwise.wgsl), prepended to their source; each
// declares its own uniform `u` with the fields SH, SW, PH, PW, DH, DW.
/** The input row (column) that output row oh (column ow) reads at tap kh (kw): may lie in the padding. */
fn in_h(oh: u32, kh: u32) -> i32 { return i32(oh * u.SH + kh * u.DH) - i32(u.PH); }
fn in_w(ow: u32, kw: u32) -> i32 { return i32(ow * u.SW + kw * u.DW) - i32(u.PW); }
/** The output position whose tap k reads input position p (stride s, padding pd, dilation d), or -1. */
fn out_of(p: u32, k: u32, s: u32, pd: u32, d: u32, n: u32) -> i32 {
  let q = i32(p + pd) - i32(k * d);
  if (q < 0 || u32(q) % s != 0u || u32(q) / s >= n) { return -1; }
  return q / i32(s);
}
