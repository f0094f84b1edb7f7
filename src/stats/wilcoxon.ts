// Wilcoxon signed-rank test with the defaults, paths and edge behaviour of scipy.stats.wilcoxon 1.10.1.
import { normalCdf, normalSf } from './distributions.js';
import { rankAverage, tieCounts } from './ranks.js';
import { type Alternative, type TestResult, checkAlternative } from './types.js';

export type WilcoxonZeroMethod = 'wilcox' | 'pratt' | 'zsplit';
export type WilcoxonMethod = 'auto' | 'exact' | 'approx';

export interface WilcoxonOptions {
  /** How zero differences are treated (default 'wilcox': dropped). */
  zeroMethod?: WilcoxonZeroMethod;
  /** Continuity correction in the normal approximation (default false). */
  correction?: boolean;
  alternative?: Alternative;
  /** 'auto' (default): exact for n <= 50 (zeros counted), normal approximation otherwise. */
  method?: WilcoxonMethod;
}

export interface WilcoxonResult extends TestResult {
  /** The path taken: 'exact' or 'approx'. */
  method: 'exact' | 'approx';
  /** z of the normal approximation (SciPy returns it only when method='approx' is asked for). */
  zstatistic?: number;
  /** Number of differences used (after dropping zeros under 'wilcox' in approx mode). */
  n: number;
}

export const WILCOXON_ZERO_WARNING = 'Exact p-value calculation does not work if there are zeros. Switching to normal approximation.';
export const WILCOXON_SMALL_WARNING = 'Sample size too small for normal approximation.';
export const WILCOXON_ALL_ZERO_ERROR = "zero_method 'wilcox' and 'pratt' do not work if x - y is zero for all elements.";

/** Null distribution (pmf) of R+ for n untied non-zero differences, over 0..n(n+1)/2 (SciPy `_get_wilcoxon_distr`). */
export function wilcoxonNullPmf(n: number): Float64Array {
  let c = new Float64Array([1]);
  for (let k = 1; k <= n; k++) {
    const prev = c;
    c = new Float64Array((k * (k + 1)) / 2 + 1);
    const m = prev.length;
    for (let i = 0; i < m; i++) c[i] = prev[i] * 0.5;
    const off = c.length - m;
    for (let i = 0; i < m; i++) c[off + i] += prev[i] * 0.5;
  }
  return c;
}

function sumRange(a: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = Math.max(0, from); i < Math.min(a.length, to); i++) s += a[i];
  return s;
}

/**
 * Wilcoxon signed-rank test on x (one sample of differences) or on x - y (paired), as
 * `scipy.stats.wilcoxon(x, y, zero_method, correction, alternative, method)` in SciPy 1.10.1.
 * Statistic: min(R+, R-) two-sided, R+ one-sided. Throws (like SciPy's ValueError) if every difference is
 * zero under 'wilcox' or 'pratt'. NaN input gives NaN.
 */
export function wilcoxon(x: ArrayLike<number>, y?: ArrayLike<number> | null, opts: WilcoxonOptions = {}): WilcoxonResult {
  const zeroMethod = opts.zeroMethod ?? 'wilcox';
  if (!['wilcox', 'pratt', 'zsplit'].includes(zeroMethod)) throw new RangeError("zero_method must be 'wilcox', 'pratt' or 'zsplit'");
  const alternative = checkAlternative(opts.alternative ?? 'two-sided');
  const method = opts.method ?? 'auto';
  if (!['auto', 'exact', 'approx'].includes(method)) throw new RangeError("method must be 'auto', 'exact' or 'approx'");
  const correction = opts.correction ?? false;
  let d: number[];
  if (y == null) d = Array.from(x);
  else {
    if (y.length !== x.length) throw new RangeError(`wilcoxon: x and y must have the same length (${x.length} vs ${y.length})`);
    d = Array.from(x, (v, i) => v - y[i]);
  }
  const warnings: string[] = [];
  if (d.some(Number.isNaN)) return { statistic: NaN, pvalue: NaN, method: method === 'approx' ? 'approx' : 'exact', n: d.length, warnings };
  let mode: 'exact' | 'approx' = method === 'auto' ? (d.length <= 50 ? 'exact' : 'approx') : method;
  const nZero = d.filter((v) => v === 0).length;
  if (nZero > 0 && mode === 'exact') { mode = 'approx'; warnings.push(WILCOXON_ZERO_WARNING); }
  if (mode === 'approx') {
    if ((zeroMethod === 'wilcox' || zeroMethod === 'pratt') && nZero === d.length) throw new RangeError(WILCOXON_ALL_ZERO_ERROR);
    if (zeroMethod === 'wilcox') d = d.filter((v) => v !== 0);
  }
  const count = d.length;
  if (count < 10 && mode === 'approx') warnings.push(WILCOXON_SMALL_WARNING);
  const r = rankAverage(d.map(Math.abs));
  let rPlus = 0, rMinus = 0, rZero = 0;
  for (let i = 0; i < count; i++) {
    if (d[i] > 0) rPlus += r[i]; else if (d[i] < 0) rMinus += r[i]; else rZero += r[i];
  }
  if (zeroMethod === 'zsplit') { rPlus += rZero / 2; rMinus += rZero / 2; }
  const T = alternative === 'two-sided' ? Math.min(rPlus, rMinus) : rPlus;
  let prob: number;
  let z: number | undefined;
  if (mode === 'approx') {
    let mn = count * (count + 1) * 0.25;
    let se = count * (count + 1) * (2 * count + 1);
    let rr = r;
    if (zeroMethod === 'pratt') {
      rr = r.filter((_, i) => d[i] !== 0);
      mn -= nZero * (nZero + 1) * 0.25;
      se -= nZero * (nZero + 1) * (2 * nZero + 1);
    }
    let rep = 0;
    for (const t of tieCounts(rr)) rep += t * (t * t - 1);
    se -= 0.5 * rep;
    se = Math.sqrt(se / 24);
    let delta = 0;
    if (correction) {
      if (alternative === 'two-sided') delta = 0.5 * Math.sign(T - mn);
      else if (alternative === 'less') delta = -0.5;
      else delta = 0.5;
    }
    z = (T - mn - delta) / se;
    if (alternative === 'two-sided') prob = 2 * normalSf(Math.abs(z));
    else if (alternative === 'greater') prob = normalSf(z);
    else prob = normalCdf(z);
  } else {
    const pmf = wilcoxonNullPmf(count);
    const rp = Math.trunc(rPlus); // SciPy truncates: tied half-ranks are floored
    const mid = Math.floor((pmf.length - 1) / 2);
    if (alternative === 'two-sided') {
      if (rp === mid) prob = 1;
      else if (rp > mid) prob = 2 * sumRange(pmf, rp, pmf.length);
      else prob = 2 * sumRange(pmf, 0, rp + 1);
    } else if (alternative === 'greater') prob = sumRange(pmf, rp, pmf.length);
    else prob = sumRange(pmf, 0, rp + 1);
    prob = Math.min(1, Math.max(0, prob));
  }
  const out: WilcoxonResult = { statistic: T, pvalue: prob, method: mode, n: count, warnings };
  if (method === 'approx' && z !== undefined) out.zstatistic = z;
  return out;
}
