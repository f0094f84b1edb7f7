// How a fitted mixed model (the paper's accuracy ~ ∂L_λ/∂e + λ0 + (1 | configuration)) appears in the Fig. 4 and
// Fig. 5 reports: a JSON record and an HTML table with the fit's summary line.
import { p, table, esc } from '../report/html.js';
import type { MixedModel } from './fig4/analysis.js';
import { fmtNum as fmt } from '../report/format.js';

/** The model as JSON: the fit's estimates, SEs, Satterthwaite df, t, p and variance components. */
export function mixedModelJson({ fit, ...rest }: MixedModel): Record<string, unknown> {
  return fit ? { ...rest, beta: fit.beta, se: fit.se, df: fit.df_satterthwaite, t: fit.t, p: fit.p, sigma_b: fit.sigma_b, sigma: fit.sigma, R2m: fit.R2m, R2c: fit.R2c, isSingular: fit.isSingular, warnings: fit.warnings } : rest;
}

/** The coefficient table and a summary paragraph; `what` names the observations (e.g. 'CritL runs'). */
export function mixedModelHtml(m: MixedModel, what: string, note: string): string[] {
  if (!m.fit) return [p(`Not fitted (${m.n} ${what} in ${m.groups} configurations): ${esc(m.error ?? '')}`)];
  const f = m.fit;
  return [
    table(['term', 'estimate', 'SE', 'df', 't', 'p'], Object.keys(f.beta).map((k) => [k, fmt(f.beta[k]), fmt(f.se[k]), fmt(f.df_satterthwaite[k], 3), fmt(f.t[k], 3), fmt(f.p[k], 3)])),
    p(`REML fit (lme4/lmerTest semantics) over ${m.n} ${what} in ${m.groups} configurations (λ_t, α): accuracy in %, ∂L_λ/∂e and λ0 z-scored (estimates in accuracy points per standard deviation, as the paper's Tables S6-S7). Random-intercept sd ${fmt(f.sigma_b)}, residual sd ${fmt(f.sigma)}, R²m ${fmt(f.R2m)}, R²c ${fmt(f.R2c)}${f.isSingular ? ' (singular fit)' : ''}. ${note}`),
    ...(f.warnings.length ? [p(`Warnings: ${esc(f.warnings.join('; '))}`)] : []),
  ];
}

/** One line for the terminal: each term's estimate and p, or why the model was not fitted. */
export function mixedModelLine(m: MixedModel): string {
  return m.fit
    ? `${m.formula}: ${Object.keys(m.fit.beta).map((k) => `${k} ${m.fit!.beta[k].toPrecision(3)} (p ${m.fit!.p[k].toPrecision(2)})`).join(', ')}`
    : `mixed model ${m.formula} not fitted: ${m.error}`;
}
