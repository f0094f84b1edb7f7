// In-place optimizer updates, one invocation per parameter element, following PyTorch's update rules.
// SGD:  g = grad + wd p;  v = mu v + (1 - dampening) g  (v = g on the first step);
//       d = nesterov ? g + mu v : v  (d = g without momentum);  p = p - lr d.
// ADAM: g = grad + wd p (L2), or p = p (1 - lr wd) first (DECOUPLED, AdamW);
//       m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g g;  p = p - step_size m / (sqrt(v) / sqrt_bc2 + eps).
struct Params {
  n: u32, first: u32, lr: f32, wd: f32,
  mu: f32, damp: f32, b1: f32, b2: f32,
  eps: f32, step_size: f32, sqrt_bc2: f32, pad: f32,
};
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> p: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
#if STATE1
@group(0) @binding(3) var<storage, read_write> s1: array<f32>;
#endif
#if ADAM
@group(0) @binding(4) var<storage, read_write> s2: array<f32>;
#endif

// One index of the grid; shaders/one_index.wgsl's main calls it for every i < u.n.
fn element(i: u32) {
  var w = p[i];
  var d = g[i];
#if ADAM
#if DECOUPLED
  w = w * (1.0 - u.lr * u.wd);
#else
  d = d + u.wd * w;
#endif
  let m = u.b1 * s1[i] + (1.0 - u.b1) * d;
  let v = u.b2 * s2[i] + (1.0 - u.b2) * d * d;
  s1[i] = m;
  s2[i] = v;
  p[i] = w - u.step_size * (m / (sqrt(v) / u.sqrt_bc2 + u.eps));
#else
  d = d + u.wd * w;
#if STATE1
  var v = d;
  if (u.first == 0u) { v = u.mu * s1[i] + (1.0 - u.damp) * d; }
  s1[i] = v;
#if NESTEROV
  d = d + u.mu * v;
#else
  d = v;
#endif
#endif
  p[i] = w - u.lr * d;
#endif
}
