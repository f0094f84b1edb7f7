// Fitting a random-intercept linear mixed model as lme4::lmer + lmerTest (REML by default, or ML):
// θ̂ by minimising the profiled criterion, then fixed effects, standard errors, Satterthwaite df, t and p,
// variance components, logLik/AIC/BIC exactly as lme4 reports them, and Nakagawa's R².
import { tTwoSided } from '../distributions.js';
import type { Matrix } from '../linalg.js';
import { type DataColumns, type ModelFrame, type ModelFrameOptions, modelFrame } from './modelMatrix.js';
import type { ParsedFormula } from './formula.js';
import { ProfiledLmm, type ThetaEval } from './profile.js';
import { minimizeTheta } from './optimize.js';
import { satterthwaite } from './satterthwaite.js';
import { type R2Result, r2Nakagawa, r2Performance } from './r2.js';

export interface LmmOptions extends ModelFrameOptions {
  /** REML (default, as lmer) or maximum likelihood (REML = FALSE). */
  REML?: boolean;
  /** Evaluate the model at this θ instead of optimising (θ = σ_b/σ). */
  theta?: number;
}

/** lme4's isSingular() tolerance on θ̂. */
export const SINGULAR_TOL = 1e-4;
export const SINGULAR_MESSAGE = "boundary (singular) fit: see help('isSingular')";

export interface LmmFit {
  formula: string;
  response: string;
  group: string;
  REML: boolean;
  nobs: number;
  ngroups: number;
  groupSizes: Record<string, number>;
  coefNames: string[];
  /** θ̂ = σ_b/σ (lme4's relative Cholesky factor). */
  theta: number;
  /** Residual sd: REML estimate √(r²/(n-p)) for REML fits, √(r²/n) for ML fits (lme4 sigma()). */
  sigma: number;
  sigma2_residual: number;
  /** Random-intercept sd, θ̂·σ̂. */
  sigma_b: number;
  var_random_intercept: number;
  beta: Record<string, number>;
  se: Record<string, number>;
  df_satterthwaite: Record<string, number>;
  t: Record<string, number>;
  p: Record<string, number>;
  /** vcov(β̂) = σ̂²(X'V⁻¹X)⁻¹. */
  vcov: Matrix;
  /** REML log-likelihood (-REMLcrit/2) for REML fits, ML log-likelihood for ML fits (lme4 logLik). */
  logLik: number;
  /** p + 2 (β, θ, σ). */
  npar: number;
  AIC: number;
  BIC: number;
  /** REML criterion at the estimates (for an ML fit: the REML formula at the ML estimates). */
  REMLcrit: number;
  /** ML deviance at the estimates (for a REML fit: lme4 deviance(fit, REML = FALSE)). */
  deviance: number;
  devcomp: { ldL2: number; ldRX2: number; wrss: number; ussq: number; pwrss: number; sigmaML: number; sigmaREML: number };
  /** θ̂ < 1e-4 (lme4 isSingular). */
  isSingular: boolean;
  /** Marginal R² (performance::r2_nakagawa). */
  R2m: number;
  /** Conditional R² (performance::r2_nakagawa): null when θ̂ < 1e-5, as performance's NA. */
  R2c: number | null;
  /** Nakagawa's variance components and R² by MuMIn's formula (defined for singular fits too). */
  r2: R2Result;
  /** Conditional modes of the random intercepts (lme4 ranef), by level. */
  ranef: Record<string, number>;
  /** Predictors that were z-scored, with centre and sd. */
  scaled: Record<string, { center: number; scale: number }>;
  /** lmerTest's ingredients: Hessian of devfun_vp at (θ, σ), vcov_varpar = 2H⁺, Jac_list = [∂vcov/∂θ, ∂vcov/∂σ]. */
  satterthwaite: { hessian: Matrix; vcov_varpar: Matrix; jac_list: [Matrix, Matrix] };
  optimizer: { method: string; evaluations: number; theta0: number; upper: number; gradient: number } | { method: 'fixed theta' };
  /** What lme4/lmerTest/performance would warn or say about this fit. */
  warnings: string[];
}

function named(names: string[], v: ArrayLike<number>): Record<string, number> {
  const o: Record<string, number> = {};
  names.forEach((k, i) => { o[k] = v[i]; });
  return o;
}

/** All the reported quantities of the model at θ. */
export function summarizeAt(model: ProfiledLmm, theta: number, reml: boolean): Omit<LmmFit, 'optimizer'> {
  const frame = model.frame;
  const { n, p } = model;
  const ev: ThetaEval = model.evaluate(theta);
  const crit = model.criterionOf(ev, reml);
  const sigmaREML = Math.sqrt(ev.r2 / (n - p));
  const sigmaML = Math.sqrt(ev.r2 / n);
  const sigma = reml ? sigmaREML : sigmaML;
  const s2 = sigma * sigma;
  const vcov = ev.Ainv.map((r) => r.map((v) => s2 * v));
  const se = vcov.map((r, k) => Math.sqrt(r[k]));
  const sat = satterthwaite(ev, model.derivatives(ev), sigma, reml ? n - p : n, reml);
  const t = ev.beta.map((b, k) => b / se[k]);
  const pv = t.map((tk, k) => tTwoSided(tk, sat.df[k]));
  const npar = p + 2;
  const fitted = model.fixedFitted(ev.beta);
  const r2 = r2Nakagawa(fitted, theta, sigma);
  const perf = r2Performance(fitted, theta, sigma);
  const warnings = [...sat.warnings];
  const isSingular = theta < SINGULAR_TOL;
  if (isSingular) warnings.unshift(SINGULAR_MESSAGE);
  if (perf.note) warnings.push(perf.note);
  const names = frame.coefNames;
  return {
    formula: frame.formula.text,
    response: frame.formula.response,
    group: frame.formula.group,
    REML: reml,
    nobs: n,
    ngroups: model.q,
    groupSizes: named(frame.levels, frame.groupSizes),
    coefNames: names,
    theta,
    sigma,
    sigma2_residual: s2,
    sigma_b: theta * sigma,
    var_random_intercept: (theta * sigma) ** 2,
    beta: named(names, ev.beta),
    se: named(names, se),
    df_satterthwaite: named(names, sat.df),
    t: named(names, t),
    p: named(names, pv),
    vcov,
    logLik: -crit / 2,
    npar,
    AIC: crit + 2 * npar,
    BIC: crit + Math.log(n) * npar,
    REMLcrit: model.criterionOf(ev, true),
    deviance: model.criterionOf(ev, false),
    devcomp: { ldL2: ev.ldL2, ldRX2: ev.ldRX2, wrss: ev.wrss, ussq: ev.ussq, pwrss: ev.r2, sigmaML, sigmaREML },
    isSingular,
    R2m: perf.R2m,
    R2c: perf.R2c,
    r2,
    ranef: named(frame.levels, ev.b),
    scaled: frame.scaling,
    satterthwaite: { hessian: sat.hessian, vcov_varpar: sat.vcovVarpar, jac_list: sat.jac },
    warnings,
  };
}

/** Fits a model frame (see `modelFrame`). */
export function fitFrame(frame: ModelFrame, opts: LmmOptions = {}): LmmFit {
  const reml = opts.REML ?? true;
  const model = new ProfiledLmm(frame);
  if (opts.theta !== undefined) {
    if (!(opts.theta >= 0) || !Number.isFinite(opts.theta)) throw new RangeError(`theta must be a finite number >= 0, not ${opts.theta}`);
    return { ...summarizeAt(model, opts.theta, reml), optimizer: { method: 'fixed theta' } };
  }
  const theta0 = model.startTheta();
  const opt = minimizeTheta(
    (th) => model.criterion(th, reml),
    (th) => model.criterionDerivatives(model.evaluate(th), reml),
    theta0,
  );
  return {
    ...summarizeAt(model, opt.theta, reml),
    optimizer: { method: 'grid + Brent + Newton on the profiled criterion', evaluations: model.evaluations, theta0, upper: opt.upper, gradient: opt.gradient },
  };
}

/**
 * Fits `y ~ a + b + (1 | g)` to column data, as `lmerTest::lmer(formula, data, REML)` followed by `summary()`,
 * `logLik/AIC/BIC` and `performance::r2_nakagawa`.
 */
export function lmm(formula: string | ParsedFormula, data: DataColumns, opts: LmmOptions = {}): LmmFit {
  return fitFrame(modelFrame(formula, data, opts), opts);
}
