// Random-intercept LMMs against lme4 1.1-31 + lmerTest 3.1-3 + performance 0.10.2
// (refs/stats/out/lmm_refs.json and lmm_ml_refs.json, copied to test/fixtures/stats).
// Tolerances from refs/stats/README.md:
//   at the stored polished θ: REMLcrit/AIC/BIC/logLik 1e-9 abs; β, se, σ, R² 1e-9 rel; df 1e-6 rel; p 1e-6 rel
//   own optimiser vs polished: θ 1e-5 rel, REMLcrit 1e-8 abs
//   own optimiser vs default (lme4's BOBYQA): θ 2e-6 rel, β 1e-6 rel, df 1e-5 rel, p 1e-4 rel
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lmm, parseCsv, type DataColumns, type LmmFit, ProfiledLmm, modelFrame } from '../../src/stats/index.js';
import { close, closeAbs, fixtureJson, fixtureText, printMaxDev } from './fixtures.js';

const refs = fixtureJson('lmm_refs.json').models as Record<string, any>;
const mlRefs = fixtureJson('lmm_ml_refs.json').models as Record<string, any>;

const files: Record<string, string> = { zoo: 'zoo_z.csv', mnist: 'mnist_z.csv', small_unbalanced: 'small_unbalanced.csv', singular: 'singular.csv', sleepstudy: 'sleepstudy.csv' };
const dataCache = new Map<string, DataColumns>();
export function dataset(name: string): DataColumns {
  if (!dataCache.has(name)) dataCache.set(name, parseCsv(fixtureText(files[name] ?? `${name}.csv`)).columns);
  return dataCache.get(name)!;
}

/** β-like vectors: relative tolerance against the largest magnitude of the vector (a near-zero entry is judged on that scale). */
function closeVec(group: string, where: string, got: Record<string, number>, want: Record<string, number>, rel: number) {
  for (const k of Object.keys(want)) close(group, `${where} ${k}`, got[k], want[k], rel, 1e-13 * Math.max(1, Math.abs(want[k])));
}
function closeMat(group: string, where: string, got: number[][], want: number[][], rel: number) {
  const scale = Math.max(...want.flat().map(Math.abs));
  want.forEach((r, i) => r.forEach((w, j) => close(group, `${where}[${i}][${j}]`, got[i][j], w, rel, rel * scale)));
}

function checkReml(tag: string, name: string, fit: LmmFit, ref: any, tol: { crit: number; rel: number; df: number; p: number; dev?: number }) {
  closeAbs(`${tag} REMLcrit/AIC/BIC/logLik`, `${name} REMLcrit`, fit.REMLcrit, ref.REMLcrit, tol.crit);
  closeAbs(`${tag} REMLcrit/AIC/BIC/logLik`, `${name} AIC`, fit.AIC, ref.AIC, tol.crit);
  closeAbs(`${tag} REMLcrit/AIC/BIC/logLik`, `${name} BIC`, fit.BIC, ref.BIC, tol.crit);
  closeAbs(`${tag} REMLcrit/AIC/BIC/logLik`, `${name} logLik`, fit.logLik, ref.logLik, tol.crit);
  closeAbs(`${tag} deviance(REML=FALSE) at the REML fit`, `${name} deviance(REML=FALSE)`, fit.deviance, ref.deviance_ML_formula_at_REML_estimates, tol.dev ?? tol.crit);
  assert.is(fit.npar, ref.npar);
  assert.is(fit.nobs, ref.nobs);
  closeVec(`${tag} beta`, name, fit.beta, ref.beta, tol.rel);
  closeVec(`${tag} se`, name, fit.se, ref.se, tol.rel);
  closeMat(`${tag} vcov`, name, fit.vcov, ref.vcov, tol.rel);
  close(`${tag} sigma`, `${name} sigma`, fit.sigma, ref.sigma, tol.rel);
  close(`${tag} sigma`, `${name} sigma_b`, fit.sigma_b, ref.sigma_b, tol.rel, 1e-300);
  closeVec(`${tag} t`, name, fit.t, ref.t, tol.rel);
  closeVec(`${tag} df_satterthwaite`, name, fit.df_satterthwaite, ref.df_satterthwaite, tol.df);
  closeVec(`${tag} p`, name, fit.p, ref.p, tol.p);
  for (const k of ['ldL2', 'ldRX2', 'wrss', 'ussq', 'pwrss', 'sigmaML', 'sigmaREML'] as const) {
    close(`${tag} devcomp`, `${name} ${k}`, fit.devcomp[k], ref.devcomp[k], tol.rel, 1e-12);
  }
  const m = ref.r2_manual_MuMIn_formula;
  for (const k of ['varF', 'varRE', 'varE', 'R2m', 'R2c'] as const) close(`${tag} R2`, `${name} MuMIn ${k}`, fit.r2[k], m[k], tol.rel, 1e-15);
  if (ref.r2_performance) {
    close(`${tag} R2`, `${name} R2m`, fit.R2m, ref.r2_performance.R2_marginal, tol.rel, 1e-15);
    if (ref.r2_performance.R2_conditional === null) assert.is(fit.R2c, null, `${name} R2c is NA`);
    else close(`${tag} R2`, `${name} R2c`, fit.R2c!, ref.r2_performance.R2_conditional, tol.rel);
  }
  assert.is(fit.isSingular, ref.isSingular, `${name} isSingular`);
}

const pol = suite('LMM REML at the polished θ');
pol('profile grid: criterion, β(θ), pwrss, ldL2, ldRX2, σ(θ) at fixed θ', () => {
  for (const [name, m] of Object.entries(refs)) {
    const model = new ProfiledLmm(modelFrame(m.formula, dataset(m.dataset)));
    for (const g of m.profile_grid) {
      const ev = model.evaluate(g.theta);
      closeAbs('grid criterion', `${name} θ=${g.theta}`, model.criterionOf(ev, true), g.criterion, 1e-9);
      const gb: number[] = [g.beta].flat(); // R writes a length-1 vector as a scalar
      gb.forEach((b, k) => close('grid beta', `${name} θ=${g.theta} β${k}`, ev.beta[k], b, 1e-9, 1e-13 * Math.max(...gb.map(Math.abs))));
      close('grid pwrss/ldL2/ldRX2/sigma', `${name} θ=${g.theta} pwrss`, ev.r2, g.pwrss, 1e-9);
      closeAbs('grid pwrss/ldL2/ldRX2/sigma', `${name} θ=${g.theta} ldL2`, ev.ldL2, g.ldL2, 1e-9);
      closeAbs('grid pwrss/ldL2/ldRX2/sigma', `${name} θ=${g.theta} ldRX2`, ev.ldRX2, g.ldRX2, 1e-9);
      close('grid pwrss/ldL2/ldRX2/sigma', `${name} θ=${g.theta} sigma`, Math.sqrt(ev.r2 / (model.n - model.p)), g.sigma, 1e-9);
    }
  }
});
pol('every REML model: fixed effects, SE, Satterthwaite df, p, variance components, logLik/AIC/BIC, R²', () => {
  for (const [name, m] of Object.entries(refs)) {
    const fit = lmm(m.formula, dataset(m.dataset), { theta: m.polished.theta });
    checkReml('polished', name, fit, m.polished, { crit: 1e-9, rel: 1e-9, df: 1e-6, p: 1e-6 });
  }
});
pol("Satterthwaite ingredients: Hessian of devfun_vp, vcov_varpar, Jacobians (lmerTest's numDeriv values)", () => {
  for (const [name, m] of Object.entries(refs)) {
    const fit = lmm(m.formula, dataset(m.dataset), { theta: m.polished.theta });
    const s = m.polished.satterthwaite;
    const H = fit.satterthwaite.hessian, V = fit.satterthwaite.vcov_varpar;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
      // numDeriv's Richardson steps are 1e-4 at θ = 0: its H_θθ of the singular fit is 6.5e-6 off (finite
      // differences of our criterion agree with the analytic 31.8422842 to 1e-8), and its off-diagonal is 9e-8
      // instead of 0. Neither changes df there, since ∂C/∂θ = 0 at θ = 0.
      const rel = m.polished.theta === 0 && i === 0 && j === 0 ? 1e-5 : 1e-6;
      close('satterthwaite hessian', `${name} H[${i}][${j}]`, H[i][j], s.hessian_devfun_vp[i][j], rel, 1e-6);
      close('satterthwaite vcov_varpar', `${name} vcov_varpar[${i}][${j}]`, V[i][j], s.vcov_varpar[i][j], rel, 1e-9);
    }
    s.per_coef.forEach((c: any, k: number) => {
      close('satterthwaite Jacobians', `${name} dC/dσ ${c.coef}`, fit.satterthwaite.jac_list[1][k][k], c.grad_var_con[1], 1e-6);
      // ∂C_kk/∂θ is exactly 0 for a predictor balanced within groups (sleepstudy Days): numDeriv gives ~1e-11
      close('satterthwaite Jacobians', `${name} dC/dθ ${c.coef}`, fit.satterthwaite.jac_list[0][k][k], c.grad_var_con[0], 1e-6, 1e-9 * Math.abs(c.grad_var_con[1]));
    });
  }
});
pol('lme4 anchor: sleepstudy REMLcrit 1786.465, Days df = 161', () => {
  const fit = lmm('Reaction ~ Days + (1|Subject)', dataset('sleepstudy'));
  assert.ok(Math.abs(fit.REMLcrit - 1786.465) < 5e-4);
  assert.ok(Math.abs(fit.df_satterthwaite.Days - 161) < 1e-5);
  assert.is(fit.ngroups, 18);
});
pol.run();

const own = suite('LMM REML with our optimiser');
own('θ within 1e-5 rel and REMLcrit within 1e-8 abs of the polished optimum; all else as polished', () => {
  for (const [name, m] of Object.entries(refs)) {
    const fit = lmm(m.formula, dataset(m.dataset));
    close('own θ vs polished', `${name} theta`, fit.theta, m.polished.theta, 1e-5, 1e-300);
    closeAbs('own REMLcrit vs polished', `${name} REMLcrit`, fit.REMLcrit, m.polished.REMLcrit, 1e-8);
    // the ML deviance at the REML estimates is not stationary in θ: it moves with θ's last digits (R's Brent
    // stops ~2e-8 from the optimum; ours polishes the analytic derivative to ~1e-14)
    checkReml('own vs polished', name, fit, m.polished, { crit: 1e-8, rel: 1e-6, df: 1e-5, p: 1e-5, dev: 1e-6 });
  }
});
own("vs lme4's default fit (BOBYQA): θ 2e-6, β 1e-6, df 1e-5, p 1e-4 rel", () => {
  for (const [name, m] of Object.entries(refs)) {
    const fit = lmm(m.formula, dataset(m.dataset));
    const d = m.default;
    close('default theta', `${name} theta`, fit.theta, d.theta, 2e-6, 1e-300);
    closeVec('default beta', name, fit.beta, d.beta, 1e-6);
    closeVec('default se', name, fit.se, d.se, 1e-6);
    close('default sigma', `${name} sigma`, fit.sigma, d.sigma, 1e-6);
    closeVec('default df', name, fit.df_satterthwaite, d.df_satterthwaite, 1e-5);
    closeVec('default p', name, fit.p, d.p, 1e-4);
    closeAbs('default REMLcrit/AIC/BIC', `${name} REMLcrit`, fit.REMLcrit, d.REMLcrit, 1e-8);
    closeAbs('default REMLcrit/AIC/BIC', `${name} AIC`, fit.AIC, d.AIC, 1e-8);
    closeAbs('default REMLcrit/AIC/BIC', `${name} BIC`, fit.BIC, d.BIC, 1e-8);
    close('default R2', `${name} R2m`, fit.R2m, d.r2_performance?.R2_marginal ?? d.r2_manual_MuMIn_formula.R2m, 1e-6);
    if (d.r2_performance?.R2_conditional != null) close('default R2', `${name} R2c`, fit.R2c!, d.r2_performance.R2_conditional, 1e-6);
    assert.equal(fit.warnings.filter((w) => /converge/.test(w)), d.warnings, `${name} warnings`);
  }
});
own('--scale (R scale(), sd n-1) on the raw zoo columns reproduces the zoo_z models', () => {
  const zoo = dataset('zoo');
  for (const [name, m] of Object.entries(refs)) {
    if (!name.startsWith('zoo_z__')) continue;
    const formula = m.formula.replace(/z_/g, '');
    const fit = lmm(formula, zoo, { scale: true, theta: m.polished.theta });
    const beta = Object.fromEntries(Object.entries(m.polished.beta as Record<string, number>).map(([k, v]) => [k.replace(/^z_/, ''), v]));
    closeVec('scale beta', name, fit.beta, beta, 1e-9);
    closeAbs('scale REMLcrit', `${name} REMLcrit`, fit.REMLcrit, m.polished.REMLcrit, 1e-9);
    // and written in the formula: scale(x)
    const fit2 = lmm(m.formula.replace(/z_(\w+)/g, 'scale($1)'), zoo, { theta: m.polished.theta });
    closeAbs('scale REMLcrit', `${name} REMLcrit (scale())`, fit2.REMLcrit, m.polished.REMLcrit, 1e-9);
  }
});
own.run();

const ml = suite('LMM ML (REML = FALSE)');
ml('at the polished θ: deviance, logLik, AIC, BIC, β, σ, vcov, R²; grid of ML deviances', () => {
  for (const [name, m] of Object.entries(mlRefs)) {
    const fit = lmm(m.formula, dataset(m.dataset), { REML: false, theta: m.polished.theta });
    const r = m.polished;
    for (const k of ['deviance', 'logLik', 'AIC', 'BIC'] as const) closeAbs('ML deviance/logLik/AIC/BIC', `${name} ${k}`, fit[k], r[k], 1e-9);
    closeAbs('ML deviance/logLik/AIC/BIC', `${name} REMLcrit at ML`, fit.REMLcrit, r.REMLcrit_formula_at_ML_estimates, 1e-9);
    closeVec('ML beta', name, fit.beta, r.beta, 1e-9);
    closeMat('ML vcov', name, fit.vcov, r.vcov, 1e-9);
    close('ML sigma', `${name} sigma`, fit.sigma, r.sigma, 1e-9);
    for (const k of ['varF', 'varRE', 'varE', 'R2m', 'R2c'] as const) close('ML R2', `${name} ${k}`, fit.r2[k], r.r2_manual_MuMIn_formula[k], 1e-9, 1e-15);
    const model = new ProfiledLmm(modelFrame(m.formula, dataset(m.dataset)));
    for (const g of m.profile_grid) closeAbs('ML grid deviance', `${name} θ=${g.theta}`, model.criterion(g.theta, false), g.criterion, 1e-9);
  }
});
ml('own optimiser: θ 1e-5 rel and deviance 1e-8 abs vs polished; θ 2e-6, β 1e-6 vs default', () => {
  for (const [name, m] of Object.entries(mlRefs)) {
    const fit = lmm(m.formula, dataset(m.dataset), { REML: false });
    close('ML own θ vs polished', `${name} theta`, fit.theta, m.polished.theta, 1e-5, 1e-300);
    closeAbs('ML own deviance vs polished', `${name} deviance`, fit.deviance, m.polished.deviance, 1e-8);
    close('ML default theta', `${name} theta`, fit.theta, m.default.theta, 2e-6, 1e-300);
    closeVec('ML default beta', name, fit.beta, m.default.beta, 1e-6);
    closeAbs('ML default AIC/BIC', `${name} AIC`, fit.AIC, m.default.AIC, 1e-8);
    closeAbs('ML default AIC/BIC', `${name} BIC`, fit.BIC, m.default.BIC, 1e-8);
  }
});
ml.after(() => printMaxDev('LMM reference groups (max deviation):'));
ml.run();
