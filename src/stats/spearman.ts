// Spearman rank correlation with SciPy 1.10.1's p-value (t approximation at every n).
import { tCdf } from './distributions.js';
import { rankAverage } from './ranks.js';
import { npMean } from './numeric.js';
import { type Alternative, type TestResult, checkAlternative } from './types.js';

export interface SpearmanOptions {
  alternative?: Alternative;
}

export interface SpearmanResult extends TestResult {
  /** n - 2 */
  df: number;
}

export const CONSTANT_INPUT_WARNING = 'An input array is constant; the correlation coefficient is not defined.';

/** Pearson correlation as `np.corrcoef(x, y)[0, 1]` (centred dot products, two divisions, clipped to [-1, 1]). */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  const mx = npMean(x), my = npMean(y);
  let sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx, dy = y[i] - my;
    sxx += dx * dx; syy += dy * dy; sxy += dx * dy;
  }
  const f = 1 / (n - 1);
  sxx *= f; syy *= f; sxy *= f;
  let r = sxy / Math.sqrt(sxx) / Math.sqrt(syy);
  if (r > 1) r = 1; else if (r < -1) r = -1;
  return r;
}

/**
 * Spearman's ρ of paired samples and its p-value, as `scipy.stats.spearmanr(x, y, alternative=...)`:
 * ρ = Pearson correlation of average ranks; t = ρ·√((n-2)/((1+ρ)(1-ρ))); p from Student t with n-2 df.
 * n <= 1 or NaN input -> NaN; a constant sample -> NaN with SciPy's warning; n = 2 -> p = NaN.
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>, opts: SpearmanOptions = {}): SpearmanResult {
  const alternative = checkAlternative(opts.alternative ?? 'two-sided');
  const n = x.length;
  if (y.length !== n) throw new RangeError(`spearman: x and y must have the same length (${n} vs ${y.length})`);
  const df = n - 2;
  if (n <= 1) return { statistic: NaN, pvalue: NaN, df, warnings: [] };
  for (let i = 0; i < n; i++) if (Number.isNaN(x[i]) || Number.isNaN(y[i])) return { statistic: NaN, pvalue: NaN, df, warnings: [] };
  const isConst = (a: ArrayLike<number>) => { for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return false; return true; };
  if (isConst(x) || isConst(y)) return { statistic: NaN, pvalue: NaN, df, warnings: [CONSTANT_INPUT_WARNING] };
  const rho = pearson(rankAverage(x), rankAverage(y));
  const rad = df / ((rho + 1) * (1 - rho));
  const t = rho * Math.sqrt(Number.isNaN(rad) ? NaN : Math.max(rad, 0));
  let p: number;
  if (alternative === 'less') p = tCdf(t, df);
  else if (alternative === 'greater') p = tCdf(-t, df);
  else p = 2 * tCdf(-Math.abs(t), df);
  return { statistic: rho, pvalue: p, df, warnings: [] };
}
