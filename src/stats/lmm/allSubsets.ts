// The paper's model table: one random-intercept model per non-empty subset of the named predictors,
// ordered by AIC, with BIC and both R² (e.g. the 15 subsets of {λ0, Σ, p, m}).
import { type ParsedFormula, parseFormula } from './formula.js';
import { type DataColumns, modelFrame } from './modelMatrix.js';
import { type LmmFit, type LmmOptions, fitFrame } from './fit.js';

export interface SubsetRow {
  /** Coefficient names of the predictors in this model (formula order). */
  predictors: string[];
  formula: string;
  npar: number;
  logLik: number;
  AIC: number;
  BIC: number;
  /** AIC minus the smallest AIC of the table. */
  deltaAIC: number;
  R2m: number;
  R2c: number | null;
  isSingular: boolean;
  fit: LmmFit;
}

export interface AllSubsetsOptions extends LmmOptions {
  /** Also fit the intercept-only model (the empty subset). Default false, as the paper's 15 models. */
  includeEmpty?: boolean;
}

/**
 * Fits every subset of the fixed predictors of `formula` (the full model) with the same response, group,
 * intercept and options, and returns the rows ordered by AIC (ties keep subset order). With `scale`, each
 * predictor is z-scored once over all rows, so every model sees the same columns.
 * Note: REML AICs of models with different fixed effects are what lmerTest reports (and what the paper
 * ranked), but only ML fits (REML: false) give likelihoods comparable across fixed effects.
 */
export function lmmAllSubsets(formula: string | ParsedFormula, data: DataColumns, opts: AllSubsetsOptions = {}): SubsetRow[] {
  const full = typeof formula === 'string' ? parseFormula(formula) : formula;
  const k = full.fixed.length;
  if (k === 0) throw new RangeError('all subsets: the formula has no predictors to choose from');
  if (k > 12) throw new RangeError(`all subsets: ${k} predictors would make ${2 ** k - 1} models; use at most 12`);
  modelFrame(full, data, opts); // validates the data once, with the full model's error messages
  const rows: Omit<SubsetRow, 'deltaAIC'>[] = [];
  for (let mask = opts.includeEmpty ? 0 : 1; mask < 1 << k; mask++) {
    const terms = full.fixed.filter((_, i) => mask & (1 << i));
    if (terms.length === 0 && !full.intercept) continue;
    // the sub-model's formula, written out and parsed again for its canonical text
    const rhs = [...(full.intercept ? (terms.length ? [] : ['1']) : ['0']), ...terms.map((t) => (t.scaled ? `scale(\`${t.column}\`)` : `\`${t.column}\``)), `(1 | \`${full.group}\`)`];
    const sub = parseFormula(`\`${full.response}\` ~ ${rhs.join(' + ')}`);
    const frame = modelFrame(sub, data, { scale: opts.scale === true ? terms.map((t) => t.column) : Array.isArray(opts.scale) ? opts.scale.filter((c) => terms.some((t) => t.column === c)) : false });
    const fit = fitFrame(frame, opts);
    rows.push({ predictors: terms.map((t) => t.name), formula: fit.formula, npar: fit.npar, logLik: fit.logLik, AIC: fit.AIC, BIC: fit.BIC, R2m: fit.R2m, R2c: fit.R2c, isSingular: fit.isSingular, fit });
  }
  const order = rows.map((r, i) => [r, i] as const).sort((a, b) => a[0].AIC - b[0].AIC || a[1] - b[1]).map(([r]) => r);
  const best = order.length ? order[0].AIC : NaN;
  return order.map((r) => ({ ...r, deltaAIC: r.AIC - best }));
}
