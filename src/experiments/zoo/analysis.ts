// The paper's analyses of a model zoo. Fig. 2: Spearman correlations of accuracy, year and the criticality and
// structure measures (and Fig. S1's among the measures), and the 15 linear mixed models accuracy ~ subsets of
// {λ0, Σ, p, m} + (1 | family), z-scored, by AIC. Fig. 3: the same architectures under two training recipes
// (torchvision's IMAGENET1K_V1 and _V2): Δ = V2 − V1 of accuracy, Σ and Λ0, with median, IQR and the
// Wilcoxon signed-rank test against 0.
import { spearman } from '../../stats/spearman.js';
import { groupBy } from '../../util/group.js';
import { wilcoxon } from '../../stats/wilcoxon.js';
import { lmmAllSubsets } from '../../stats/lmm/allSubsets.js';
import type { ZooRow } from './run.js';

export type Measure = 'accuracy' | 'year' | 'Sigma' | 'lambda0' | 'Lambda0' | 'modules' | 'params';

export interface Correlation { x: Measure; y: Measure; n: number; rho: number; p: number; figure: string }

/** The pairs the paper correlates (Fig. 2a-c, Fig. S1). */
export const CORRELATIONS: [Measure, Measure, string][] = [
  ['year', 'accuracy', '2a'], ['year', 'Sigma', '2a'], ['year', 'lambda0', '2a'],
  ['Sigma', 'accuracy', '2b'], ['lambda0', 'accuracy', '2b'], ['Lambda0', 'accuracy', '2b inset'],
  ['modules', 'accuracy', '2c'], ['params', 'accuracy', '2c'],
  ['modules', 'Lambda0', 'S1a'], ['params', 'lambda0', 'S1b'], ['modules', 'Sigma', 'S1c'], ['params', 'Sigma', 'S1d'],
  ['Sigma', 'Lambda0', 'S1e'], ['modules', 'params', 'S1f'],
];

const value = (r: ZooRow, k: Measure): number | null => {
  const v = r[k];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
};

export function correlations(rows: ZooRow[]): Correlation[] {
  return CORRELATIONS.map(([x, y, figure]) => {
    const pairs = rows.map((r) => [value(r, x), value(r, y)]).filter((p): p is [number, number] => p[0] !== null && p[1] !== null);
    if (pairs.length < 3) return { x, y, figure, n: pairs.length, rho: NaN, p: NaN };
    const s = spearman(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
    return { x, y, figure, n: pairs.length, rho: s.statistic, p: s.pvalue };
  });
}

export interface ModelTableRow { predictors: string[]; AIC: number; BIC: number; R2m: number; R2c: number | null; singular: boolean; estimates: Record<string, { estimate: number; p: number }> }
export interface ModelTable { rows: ModelTableRow[]; n: number; families: number; note?: string }

/** accuracy ~ every non-empty subset of {λ0, Σ, p, m} + (1 | family), predictors z-scored (REML, as lmerTest). */
export function modelTable(rows: ZooRow[]): ModelTable {
  const use = rows.filter((r) => r.accuracy !== null && Number.isFinite(r.lambda0) && Number.isFinite(r.Sigma));
  const families = new Set(use.map((r) => r.family)).size;
  // The full model has 4 slopes, an intercept, θ and σ: with fewer rows than 8 (or one family) it cannot be fitted.
  if (use.length < 8 || families < 2) return { rows: [], n: use.length, families, note: `needs at least 8 models from 2 families (have ${use.length} from ${families})` };
  const data = {
    accuracy: use.map((r) => r.accuracy), lambda0: use.map((r) => r.lambda0), Sigma: use.map((r) => r.Sigma),
    p: use.map((r) => r.params), m: use.map((r) => r.modules), family: use.map((r) => r.family),
  };
  try {
    const table = lmmAllSubsets('accuracy ~ lambda0 + Sigma + p + m + (1 | family)', data, { scale: true });
    return {
      n: use.length, families,
      rows: table.map((t) => ({
        predictors: t.predictors, AIC: t.AIC, BIC: t.BIC, R2m: t.R2m, R2c: t.R2c, singular: t.isSingular,
        estimates: Object.fromEntries(t.predictors.map((k) => [k, { estimate: t.fit.beta[k], p: t.fit.p[k] }])),
      })),
    };
  } catch (e) {
    return { rows: [], n: use.length, families, note: `the mixed models could not be fitted: ${(e as Error).message}` };
  }
}

export interface RecipePair { model: string; from: string; to: string; dAccuracy: number; dSigma: number; dLambda0: number; dlambda0: number }
export interface DeltaSummary { n: number; median: number; iqr: number; p: number }
export interface RecipeComparison { pairs: RecipePair[]; accuracy: DeltaSummary | null; Sigma: DeltaSummary | null; Lambda0: DeltaSummary | null }

/** Linear-interpolation quantile (NumPy's default). */
function quantile(sorted: number[], q: number): number {
  const h = (sorted.length - 1) * q, lo = Math.floor(h);
  return sorted[lo] + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]) - sorted[lo]);
}
function summary(d: number[]): DeltaSummary | null {
  if (d.length === 0) return null;
  const s = [...d].sort((a, b) => a - b);
  let p = NaN;
  if (d.some((v) => v !== 0)) { try { p = wilcoxon(d).pvalue; } catch { p = NaN; } }
  return { n: d.length, median: quantile(s, 0.5), iqr: quantile(s, 0.75) - quantile(s, 0.25), p };
}

/** Models measured under two or more recipes: each later recipe against the first (V1), in recipe order. */
export function recipeComparison(rows: ZooRow[]): RecipeComparison {
  const byModel = groupBy(rows, (r) => r.model);
  const pairs: RecipePair[] = [];
  for (const [model, rs] of byModel) {
    if (rs.length < 2) continue;
    const sorted = [...rs].sort((a, b) => a.recipe.localeCompare(b.recipe, 'en', { numeric: true }));
    const base = sorted[0];
    for (const r of sorted.slice(1)) {
      if (base.accuracy === null || r.accuracy === null) continue;
      pairs.push({ model, from: base.recipe, to: r.recipe, dAccuracy: r.accuracy - base.accuracy, dSigma: r.Sigma - base.Sigma, dLambda0: r.Lambda0 - base.Lambda0, dlambda0: r.lambda0 - base.lambda0 });
    }
  }
  return { pairs, accuracy: summary(pairs.map((p) => p.dAccuracy)), Sigma: summary(pairs.map((p) => p.dSigma)), Lambda0: summary(pairs.map((p) => p.dLambda0)) };
}
