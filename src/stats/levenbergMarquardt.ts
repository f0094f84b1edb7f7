// Levenberg-Marquardt nonlinear least squares with parameter standard errors, for curve fits such as the
// critical coupling κ_c(N) = c0 + c1·N^k. The covariance is SciPy curve_fit's (absolute_sigma=False):
// s²·(JᵀJ)⁻¹ at the solution with s² = RSS/(n - p); with weights w_i = 1/σ_i² the residuals are scaled.
import { type Matrix, cholesky, cholSolve, cholInverse, zeros } from './linalg.js';

export type ModelFn = (x: number, params: readonly number[]) => number;
/** Gradient of the model in the parameters at x. */
export type GradientFn = (x: number, params: readonly number[]) => number[];

export interface LmOptions {
  /** Analytic gradient of the model in the parameters; central differences otherwise. */
  gradient?: GradientFn;
  /** Standard deviations of the y values (weights 1/σ²), as curve_fit's `sigma`. */
  sigma?: ArrayLike<number>;
  /** Maximum number of iterations (default 500). */
  maxIterations?: number;
  /** Stop when the relative decrease of RSS and the relative step are below these (defaults 1e-15, 1e-12). */
  ftol?: number;
  xtol?: number;
  /** Initial damping (default 1e-3, relative to diag(JᵀJ)). */
  lambda?: number;
}

export interface LmResult {
  params: number[];
  /** Standard errors √diag(covariance). */
  se: number[];
  covariance: Matrix;
  /** Residual sum of squares (weighted if sigma was given). */
  rss: number;
  /** n - p. */
  dof: number;
  residuals: number[];
  iterations: number;
  converged: boolean;
  message: string;
}

function numericGradient(f: ModelFn): GradientFn {
  return (x, params) => params.map((pj, j) => {
    const h = Math.cbrt(Number.EPSILON) * Math.max(Math.abs(pj), 1e-3);
    const up = params.slice(), dn = params.slice();
    up[j] = pj + h; dn[j] = pj - h;
    return (f(x, up) - f(x, dn)) / (up[j] - dn[j]);
  });
}

/** Fits y ≈ f(x, params) from the start `p0` by Levenberg-Marquardt (Marquardt's diagonal scaling). */
export function levenbergMarquardt(f: ModelFn, x: ArrayLike<number>, y: ArrayLike<number>, p0: readonly number[], opts: LmOptions = {}): LmResult {
  const n = x.length, p = p0.length;
  if (y.length !== n) throw new RangeError(`levenbergMarquardt: x and y differ in length (${n} vs ${y.length})`);
  if (n < p) throw new RangeError(`levenbergMarquardt: ${n} points are too few for ${p} parameters`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) throw new RangeError(`levenbergMarquardt: point ${i + 1} is not finite`);
  const grad = opts.gradient ?? numericGradient(f);
  const w = new Float64Array(n).fill(1);
  if (opts.sigma) for (let i = 0; i < n; i++) w[i] = 1 / opts.sigma[i];
  const maxIt = opts.maxIterations ?? 500, ftol = opts.ftol ?? 1e-15, xtol = opts.xtol ?? 1e-12;
  let params = p0.slice();
  const residuals = (ps: readonly number[]) => Array.from({ length: n }, (_, i) => (y[i] - f(x[i], ps)) * w[i]);
  const ssq = (r: number[]) => r.reduce((s, v) => s + v * v, 0);
  const jac = (ps: readonly number[]) => Array.from({ length: n }, (_, i) => grad(x[i], ps).map((g) => g * w[i]));
  let r = residuals(params);
  let rss = ssq(r);
  if (!Number.isFinite(rss)) throw new RangeError('levenbergMarquardt: the model is not finite at the starting values');
  let lambda = opts.lambda ?? 1e-3;
  let converged = false, message = 'maximum number of iterations reached';
  let it = 0;
  let J = jac(params);
  for (; it < maxIt; it++) {
    const JtJ = zeros(p, p), g = new Array<number>(p).fill(0);
    for (let i = 0; i < n; i++) for (let a = 0; a < p; a++) {
      g[a] += J[i][a] * r[i];
      for (let b = 0; b < p; b++) JtJ[a][b] += J[i][a] * J[i][b];
    }
    if (Math.max(...g.map(Math.abs)) === 0) { converged = true; message = 'gradient is zero'; break; }
    let accepted = false;
    while (!accepted) {
      const M = JtJ.map((row, a) => row.map((v, b) => (a === b ? v + lambda * Math.max(v, 1e-300) : v)));
      const L = cholesky(M);
      if (!L) { lambda *= 10; if (lambda > 1e30) break; continue; }
      const delta = cholSolve(L, g);
      const trial = params.map((v, j) => v + delta[j]);
      const rt = residuals(trial);
      const rssT = ssq(rt);
      if (Number.isFinite(rssT) && rssT <= rss) {
        const relDecrease = (rss - rssT) / Math.max(rss, 1e-300);
        const relStep = Math.max(...delta.map((d, j) => Math.abs(d) / (Math.abs(trial[j]) + xtol)));
        params = trial; r = rt; rss = rssT;
        lambda = Math.max(lambda / 10, 1e-15);
        accepted = true;
        J = jac(params);
        if (relDecrease <= ftol && relStep <= xtol) { converged = true; message = 'converged (relative RSS decrease and step below tolerance)'; }
      } else {
        lambda *= 10;
        if (lambda > 1e30) break;
      }
    }
    if (!accepted) { converged = true; message = 'converged (no step decreases the RSS further)'; break; }
    if (converged) break;
  }
  const dof = n - p;
  const JtJ = zeros(p, p);
  for (let i = 0; i < n; i++) for (let a = 0; a < p; a++) for (let b = 0; b < p; b++) JtJ[a][b] += J[i][a] * J[i][b];
  const L = cholesky(JtJ);
  let covariance: Matrix;
  if (!L || dof <= 0) covariance = zeros(p, p).map((row) => row.map(() => Infinity));
  else {
    const s2 = rss / dof;
    covariance = cholInverse(L).map((row) => row.map((v) => v * s2));
  }
  const se = covariance.map((row, k) => Math.sqrt(row[k]));
  return { params, se, covariance, rss, dof, residuals: r, iterations: it, converged, message };
}

/** κ_c(N) = c0 + c1·N^k. */
export const powerLaw: ModelFn = (N, [c0, c1, k]) => c0 + c1 * Math.pow(N, k);
export const powerLawGradient: GradientFn = (N, [, c1, k]) => {
  const Nk = Math.pow(N, k);
  return [1, Nk, c1 * Nk * Math.log(N)];
};

export interface PowerLawFit extends LmResult {
  c0: number;
  c1: number;
  k: number;
}

/**
 * Fits κ_c(N) = c0 + c1·N^k (analytic gradient). Without `p0` the start is c0 = 0 and (c1, k) from the
 * straight line through log κ against log N.
 */
export function fitPowerLaw(N: ArrayLike<number>, kc: ArrayLike<number>, p0?: readonly number[], opts: Omit<LmOptions, 'gradient'> = {}): PowerLawFit {
  let start = p0;
  if (!start) {
    const pts = Array.from(N, (v, i) => [Math.log(v), Math.log(kc[i])]).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
    if (pts.length >= 2) {
      const mx = pts.reduce((s, q) => s + q[0], 0) / pts.length, my = pts.reduce((s, q) => s + q[1], 0) / pts.length;
      const sxy = pts.reduce((s, q) => s + (q[0] - mx) * (q[1] - my), 0), sxx = pts.reduce((s, q) => s + (q[0] - mx) ** 2, 0);
      const k = sxy / sxx;
      start = [0, Math.exp(my - k * mx), k];
    } else start = [0, 1, -0.5];
  }
  const res = levenbergMarquardt(powerLaw, N, kc, start, { ...opts, gradient: powerLawGradient });
  return { ...res, c0: res.params[0], c1: res.params[1], k: res.params[2] };
}
