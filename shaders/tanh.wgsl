// tanh with full relative precision near 0 (Cephes tanhf: a polynomial below 0.625, else through exp). The
// builtin on lavapipe goes through exp and keeps only absolute precision (relative error 2 at 1e-8, 1e-2 at
// 1e-6), and Fig. 1 signals decay through such values in sub-critical nets.
fn tanh_acc(x: vec4<f32>) -> vec4<f32> {
  let a = abs(x);
  let z = x * x;
  let p = x + x * z * ((((-5.70498872745e-3 * z + 2.06390887954e-2) * z - 5.37397155531e-2) * z + 1.33314422036e-1) * z - 3.33332819422e-1);
  let e = exp(2.0 * min(a, vec4<f32>(15.0)));
  let q = sign(x) * (1.0 - 2.0 / (e + 1.0));
  return select(q, p, a < vec4<f32>(0.625));
}

fn tanh_acc1(x: f32) -> f32 {
  let a = abs(x);
  let z = x * x;
  let p = x + x * z * ((((-5.70498872745e-3 * z + 2.06390887954e-2) * z - 5.37397155531e-2) * z + 1.33314422036e-1) * z - 3.33332819422e-1);
  let e = exp(2.0 * min(a, 15.0));
  let q = sign(x) * (1.0 - 2.0 / (e + 1.0));
  return select(q, p, a < 0.625);
}
