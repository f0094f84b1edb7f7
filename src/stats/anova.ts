// One-way ANOVA as scipy.stats.f_oneway 1.10.1 (same arithmetic order, so large offsets round alike).
import { fSf } from './distributions.js';
import { npMean, npSum } from './numeric.js';
import type { TestResult } from './types.js';

export interface AnovaResult extends TestResult {
  dfBetween: number;
  dfWithin: number;
  ssBetween: number;
  ssWithin: number;
}

export const ANOVA_CONSTANT_WARNING = 'Each of the input arrays is constant;the F statistic is not defined or infinite';
export const ANOVA_ALL_LENGTH_ONE_WARNING = 'all input arrays have length 1.  f_oneway requires that at least one input has length greater than 1.';
export const ANOVA_EMPTY_WARNING = 'at least one input has length 0';

/**
 * One-way ANOVA F test of k groups: F = (SSB/(k-1)) / (SSW/(N-k)), p = P(F_{k-1,N-k} > F).
 * Edge cases as SciPy: every group constant with different values -> F = inf, p = 0; all values equal -> NaN;
 * an empty group or all groups of size 1 -> NaN (with a warning).
 */
export function oneWayAnova(groups: ArrayLike<number>[]): AnovaResult {
  const k = groups.length;
  if (k < 2) throw new RangeError('oneWayAnova: at least two groups are required');
  const bign = groups.reduce((s, g) => s + g.length, 0);
  const dfBetween = k - 1, dfWithin = bign - k;
  const nan = (w: string[]): AnovaResult => ({ statistic: NaN, pvalue: NaN, dfBetween, dfWithin, ssBetween: NaN, ssWithin: NaN, warnings: w });
  if (groups.some((g) => g.length === 0)) return nan([ANOVA_EMPTY_WARNING]);
  if (groups.every((g) => g.length === 1)) return nan([ANOVA_ALL_LENGTH_ONE_WARNING]);
  const isConst = groups.map((g) => { for (let i = 1; i < g.length; i++) if (g[i] !== g[0]) return false; return true; });
  const allConst = isConst.every(Boolean);
  const warnings = allConst ? [ANOVA_CONSTANT_WARNING] : [];
  const all: number[] = [];
  for (const g of groups) for (let i = 0; i < g.length; i++) all.push(g[i]);
  const allSame = all.every((v) => v === all[0]);
  const offset = npMean(all);
  const centred = all.map((v) => v - offset);
  const s = npSum(centred);
  const normalizedSs = (s * s) / bign;
  const sstot = npSum(centred.map((v) => v * v)) - normalizedSs;
  let ssbn = 0;
  for (const g of groups) {
    const gs = npSum(Array.from(g, (v) => v - offset));
    ssbn += (gs * gs) / g.length;
  }
  ssbn -= normalizedSs;
  const sswn = sstot - ssbn;
  const msb = ssbn / dfBetween;
  const msw = sswn / dfWithin;
  let f = msb / msw;
  let p = fSf(f, dfBetween, dfWithin);
  if (allSame) { f = NaN; p = NaN; }
  else if (allConst) { f = Infinity; p = 0; }
  if (groups.some((g) => Array.from(g).some(Number.isNaN))) { f = NaN; p = NaN; }
  return { statistic: f, pvalue: p, dfBetween, dfWithin, ssBetween: ssbn, ssWithin: sswn, warnings };
}
