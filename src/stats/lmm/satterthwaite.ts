// Satterthwaite degrees of freedom for each fixed effect, as lmerTest 3.1-3 (summary -> contest1D with
// L = e_k), with analytic derivatives instead of numDeriv (SPEC §3): variance parameters vp = (θ, σ),
// H = ∇²D(vp) of lmerTest's devfun_vp, A_vp = 2·H⁺ over eigenvalues > 1e-8, C(vp) = σ²A(θ)⁻¹,
// df_k = 2·C_kk² / (g_kᵀ A_vp g_k) with g_k = (∂C_kk/∂θ, ∂C_kk/∂σ).
import { type Matrix, matMul, symmetricEigen, zeros } from '../linalg.js';
import type { ThetaDerivs, ThetaEval } from './profile.js';

export interface SatterthwaiteResult {
  /** Hessian of devfun_vp at (θ, σ). */
  hessian: Matrix;
  /** lmerTest's vcov_varpar = 2·H⁺. */
  vcovVarpar: Matrix;
  /** ∂C/∂θ and ∂C/∂σ (lmerTest's Jac_list). */
  jac: [Matrix, Matrix];
  df: number[];
  /** lmerTest's convergence warnings from the eigenvalues of H. */
  warnings: string[];
}

const TOL = 1e-8;

function fmtE(x: number): string {
  // R's sprintf("%1.1e"): mantissa with one decimal and a two-digit exponent
  const [m, e] = x.toExponential(1).split('e');
  const ee = Number(e);
  return `${m}e${ee < 0 ? '-' : '+'}${String(Math.abs(ee)).padStart(2, '0')}`;
}

/**
 * @param ev the model at θ̂; @param d its θ-derivatives; @param sigma σ̂ (REML or ML, matching `reml`);
 * @param m n - p for REML, n for ML.
 */
export function satterthwaite(ev: ThetaEval, d: ThetaDerivs, sigma: number, m: number, reml: boolean): SatterthwaiteResult {
  const s2 = sigma * sigma;
  const Htt = d.d2ldL2 + (reml ? d.d2ldRX2 : 0) + d.d2r2 / s2;
  const Hts = (-2 * d.dr2) / (s2 * sigma);
  const Hss = (6 * ev.r2) / (s2 * s2) - (2 * m) / s2;
  const hessian: Matrix = [[Htt, Hts], [Hts, Hss]];
  const eig = symmetricEigen(hessian);
  const warnings: string[] = [];
  const neg = eig.values.filter((v) => v < -TOL);
  const zero = eig.values.filter((v) => v > -TOL && v < TOL);
  if (neg.length) warnings.push(`Model failed to converge with ${neg.length} negative eigenvalue${neg.length > 1 ? 's' : ''}: ${neg.map(fmtE).join(' ')}`);
  if (zero.length) warnings.push(`Model may not have converged with ${zero.length} eigenvalue${zero.length > 1 ? 's' : ''} close to zero: ${zero.map(fmtE).join(' ')}`);
  const vcovVarpar = zeros(2, 2);
  eig.values.forEach((lam, k) => {
    if (!(lam > TOL)) return;
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) vcovVarpar[i][j] += (2 * eig.vectors[i][k] * eig.vectors[j][k]) / lam;
  });
  const Ai = ev.Ainv;
  const p = Ai.length;
  // J_θ = σ² A⁻¹(-A')A⁻¹, J_σ = 2σ A⁻¹
  const Jt = matMul(matMul(Ai, d.dA), Ai).map((r) => r.map((v) => -s2 * v));
  const Js = Ai.map((r) => r.map((v) => 2 * sigma * v));
  const df: number[] = [];
  for (let k = 0; k < p; k++) {
    const v = s2 * Ai[k][k];
    const g = [Jt[k][k], Js[k][k]];
    const den = g[0] * (vcovVarpar[0][0] * g[0] + vcovVarpar[0][1] * g[1]) + g[1] * (vcovVarpar[1][0] * g[0] + vcovVarpar[1][1] * g[1]);
    df.push((2 * v * v) / den);
  }
  return { hessian, vcovVarpar, jac: [Jt, Js], df, warnings };
}
