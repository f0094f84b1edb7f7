// Mann-Whitney U test with the defaults, paths and edge behaviour of scipy.stats.mannwhitneyu 1.10.1.
import { normalSf } from './distributions.js';
import { rankAverage, tieTerm } from './ranks.js';
import { type Alternative, type TestResult, checkAlternative } from './types.js';

export type MannWhitneyMethod = 'auto' | 'exact' | 'asymptotic';

export interface MannWhitneyOptions {
  /** Continuity correction in the asymptotic p-value (default true). */
  useContinuity?: boolean;
  alternative?: Alternative;
  /** 'auto' (default): asymptotic if both samples have more than 8 values or the pooled data have ties, else exact. */
  method?: MannWhitneyMethod;
}

export interface MannWhitneyResult extends TestResult {
  /** The path taken. */
  method: 'exact' | 'asymptotic';
  /** U of the second sample, n1·n2 - U1. */
  U2: number;
  /** z of the asymptotic path (undefined on the exact path). */
  z?: number;
}

/**
 * Null distribution of U for sample sizes (m, n) without ties, as counts over k = 0..m·n: the coefficients of
 * the Gaussian binomial [m+n choose m]_q (the counts of SciPy's recursion f(m,n,k) = f(m-1,n,k-n) + f(m,n-1,k)).
 */
export function mannWhitneyNullCounts(m: number, n: number): Float64Array {
  if (m > n) [m, n] = [n, m];
  const K = m * n;
  const c = new Float64Array(K + 1);
  c[0] = 1;
  // after step i, c holds the coefficients of [n+i choose i]_q (degree i·n)
  for (let i = 1; i <= m; i++) {
    const deg = i * n;
    // multiply by (1 - q^{n+i})
    for (let k = deg; k >= n + i; k--) c[k] -= c[k - n - i];
    // divide by (1 - q^i): running sums with stride i
    for (let k = i; k <= deg; k++) c[k] += c[k - i];
  }
  return c;
}

/**
 * Mann-Whitney U test of x against y, as `scipy.stats.mannwhitneyu(x, y, use_continuity, alternative, method)`.
 * The statistic is U1 = R1 - n1(n1+1)/2 of the first sample. Two-sided uses max(U1, U2) and doubles the
 * one-sided p (clipped to 1). NaN input or an empty sample gives NaN.
 */
export function mannWhitneyU(x: ArrayLike<number>, y: ArrayLike<number>, opts: MannWhitneyOptions = {}): MannWhitneyResult {
  const alternative = checkAlternative(opts.alternative ?? 'two-sided');
  const useContinuity = opts.useContinuity ?? true;
  const methodOpt = opts.method ?? 'auto';
  if (!['auto', 'exact', 'asymptotic'].includes(methodOpt)) throw new RangeError("method must be 'auto', 'exact' or 'asymptotic'");
  const n1 = x.length, n2 = y.length;
  const xy = [...Array.from(x), ...Array.from(y)];
  if (n1 === 0 || n2 === 0 || xy.some(Number.isNaN)) {
    return { statistic: NaN, pvalue: NaN, U2: NaN, method: methodOpt === 'exact' ? 'exact' : 'asymptotic', warnings: [] };
  }
  const ranks = rankAverage(xy);
  let R1 = 0;
  for (let i = 0; i < n1; i++) R1 += ranks[i];
  const U1 = R1 - (n1 * (n1 + 1)) / 2;
  const U2 = n1 * n2 - U1;
  let U: number, f: number;
  if (alternative === 'greater') { U = U1; f = 1; }
  else if (alternative === 'less') { U = U2; f = 1; }
  else { U = Math.max(U1, U2); f = 2; }
  let method: 'exact' | 'asymptotic';
  if (methodOpt === 'auto') {
    if (n1 > 8 && n2 > 8) method = 'asymptotic';
    else method = new Set(xy).size < xy.length ? 'asymptotic' : 'exact';
  } else method = methodOpt;
  let p: number;
  let z: number | undefined;
  if (method === 'exact') {
    // P(U' >= U) = CDF(n1·n2 - U) by symmetry; U truncated to an integer as SciPy does
    const counts = mannWhitneyNullCounts(n1, n2);
    let total = 0;
    for (let k = 0; k < counts.length; k++) total += counts[k];
    const kk = n1 * n2 - Math.trunc(U);
    let s = 0;
    for (let k = 0; k <= kk && k < counts.length; k++) s += counts[k] / total;
    p = s;
  } else {
    const n = n1 + n2;
    const mu = (n1 * n2) / 2;
    const s = Math.sqrt(((n1 * n2) / 12) * ((n + 1) - tieTerm(ranks) / (n * (n - 1))));
    let num = U - mu;
    if (useContinuity) num -= 0.5;
    z = num / s;
    p = normalSf(z);
  }
  p *= f;
  p = Math.min(1, Math.max(0, p));
  const out: MannWhitneyResult = { statistic: U1, pvalue: p, U2, method, warnings: [] };
  if (z !== undefined) out.z = z;
  return out;
}
