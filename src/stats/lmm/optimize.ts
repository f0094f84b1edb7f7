// One-dimensional minimisation of the profiled criterion over θ ≥ 0: a coarse grid to bracket the
// minimum, Brent's method inside the bracket (a port of R's optimize(), netlib fmin), Newton steps on the
// analytic derivative to polish, and lme4's boundary check (θ = 0 wins if its criterion is not higher).

/** Brent's minimiser on [ax, bx] (R's Brent_fmin): returns the abscissa and the number of evaluations. */
export function brentMin(f: (x: number) => number, ax: number, bx: number, tol = 1e-15): { x: number; fx: number; evaluations: number } {
  const c = (3 - Math.sqrt(5)) * 0.5;
  const eps = Math.sqrt(Number.EPSILON);
  let a = ax, b = bx;
  let v = a + c * (b - a), w = v, x = v;
  let d = 0, e = 0;
  let fx = f(x), fv = fx, fw = fx;
  let evaluations = 1;
  const tol3 = tol / 3;
  for (let iter = 0; iter < 1000; iter++) {
    const xm = (a + b) * 0.5;
    const tol1 = eps * Math.abs(x) + tol3;
    const t2 = tol1 * 2;
    if (Math.abs(x - xm) <= t2 - (b - a) * 0.5) break;
    let p = 0, q = 0, r = 0;
    if (Math.abs(e) > tol1) {
      r = (x - w) * (fx - fv);
      q = (x - v) * (fx - fw);
      p = (x - v) * q - (x - w) * r;
      q = (q - r) * 2;
      if (q > 0) p = -p; else q = -q;
      r = e;
      e = d;
    }
    let u: number;
    if (Math.abs(p) >= Math.abs(q * 0.5 * r) || p <= q * (a - x) || p >= q * (b - x)) {
      e = x < xm ? b - x : a - x;
      d = c * e;
    } else {
      d = p / q;
      u = x + d;
      if (u - a < t2 || b - u < t2) { d = tol1; if (x >= xm) d = -d; }
    }
    if (Math.abs(d) >= tol1) u = x + d;
    else if (d > 0) u = x + tol1;
    else u = x - tol1;
    const fu = f(u);
    evaluations++;
    if (fu <= fx) {
      if (u < x) b = x; else a = x;
      v = w; w = x; x = u;
      fv = fw; fw = fx; fx = fu;
    } else {
      if (u < x) a = u; else b = u;
      if (fu <= fw || w === x) { v = w; fv = fw; w = u; fw = fu; }
      else if (fu <= fv || v === x || v === w) { v = u; fv = fu; }
    }
  }
  return { x, fx, evaluations };
}

export interface ThetaOptimum {
  theta: number;
  value: number;
  /** Function evaluations used. */
  evaluations: number;
  /** Upper end of the search interval. */
  upper: number;
  /** |d criterion/dθ| at the optimum (0 at the boundary θ = 0 is not required). */
  gradient: number;
}

/**
 * Minimises f over θ ≥ 0. `deriv` gives f' and f'' at θ (analytic), used for up to 8 Newton steps after Brent.
 * The search interval is [0, 20·max(1, θ0)] as in the refs' polished fits, widened tenfold while the grid
 * minimum sits at its upper end.
 */
export function minimizeTheta(
  f: (theta: number) => number,
  deriv: (theta: number) => { d1: number; d2: number },
  theta0: number,
): ThetaOptimum {
  let evaluations = 0;
  const F = (t: number) => { evaluations++; return f(t); };
  let hi = 20 * Math.max(1, Number.isFinite(theta0) ? theta0 : 1);
  const K = 40;
  let grid: number[] = [], vals: number[] = [];
  let kBest = 0;
  for (let widen = 0; widen < 8; widen++) {
    grid = Array.from({ length: K + 1 }, (_, k) => hi * (k / K) ** 2);
    vals = grid.map(F);
    kBest = 0;
    for (let k = 1; k <= K; k++) if (vals[k] < vals[kBest]) kBest = k;
    if (kBest < K) break;
    hi *= 10;
  }
  const lo = grid[Math.max(0, kBest - 1)], up = grid[Math.min(K, kBest + 1)];
  const br = brentMin(F, lo, up, 1e-15);
  let theta = br.x, value = br.fx;
  // Newton polish on f' (the criterion is flat at its minimum, so its zero is found more precisely than f's)
  for (let it = 0; it < 8; it++) {
    const { d1, d2 } = deriv(theta);
    if (!(d2 > 0) || !Number.isFinite(d1)) break;
    const next = theta - d1 / d2;
    // the criterion is even in θ: a Newton step from a tiny θ to θ <= 0 means the minimum is the boundary
    if (next <= 0 && lo === 0) { theta = 0; break; }
    if (!(next > lo && next < up)) break;
    const { d1: d1n } = deriv(next);
    if (!(Math.abs(d1n) < Math.abs(d1))) break;
    theta = next;
    if (Math.abs(d1 / d2) <= 1e-15 * Math.max(1, theta)) break;
  }
  if (theta !== br.x) value = F(theta);
  const f0 = F(0);
  if (f0 <= value) { theta = 0; value = f0; }
  const gradient = theta === 0 ? 0 : Math.abs(deriv(theta).d1);
  return { theta, value, evaluations, upper: hi, gradient };
}
