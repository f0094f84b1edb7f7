// The profiled criterion of a random-intercept LMM in lme4's parameterisation (θ = σ_b/σ), evaluated in
// closed form per group in O(n·p²): REML criterion, ML deviance, β̂(θ), r²(θ) (lme4's pwrss), ldL2, ldRX2,
// and their first and second derivatives in θ (for the optimiser's last steps and for Satterthwaite's df).
// Formulas: refs/stats/SPEC.md §1 and §3 (lme4 src/respModule.cpp lmerResp::Laplace, R/lmer.R devCrit).
import type { ModelFrame } from './modelMatrix.js';
import { type Matrix, cholesky, cholSolve, cholInverse, cholLogDet, zeros, matMul, traceProduct } from '../linalg.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Everything the model gives at one θ. */
export interface ThetaEval {
  theta: number;
  /** X'V⁻¹X with V = I + θ²ZZ' (lme4's RX'RX). */
  A: Matrix;
  Ainv: Matrix;
  beta: number[];
  /** Penalised weighted residual sum of squares (lme4 pwrss = wrss + ussq). */
  r2: number;
  ldL2: number;
  ldRX2: number;
  /** Residuals y - Xβ̂ (marginal, without the random effects). */
  resid: Float64Array;
  /** Per-group sums of the marginal residuals, E_j. */
  E: Float64Array;
  /** Conditional modes of the random effects in y units (BLUPs b_j = w_j E_j). */
  b: Float64Array;
  /** lme4's spherical random effects u = b/θ. */
  u: Float64Array;
  wrss: number;
  ussq: number;
}

/** First and second θ-derivatives of the pieces (SPEC §3, analytic form). */
export interface ThetaDerivs {
  /** A' and A''. */
  dA: Matrix;
  d2A: Matrix;
  dbeta: number[];
  dr2: number;
  d2r2: number;
  dldL2: number;
  d2ldL2: number;
  dldRX2: number;
  d2ldRX2: number;
}

export class ProfiledLmm {
  readonly n: number;
  readonly p: number;
  readonly q: number;
  /** Group sizes n_j. */
  readonly nj: Float64Array;
  /** Group means of the X columns (q×p row-major) and of y. */
  private readonly xbar: Float64Array;
  private readonly ybar: Float64Array;
  /** Within-group cross products of X and of X with y. */
  private readonly W: Matrix;
  private readonly Wxy: number[];
  evaluations = 0;

  constructor(readonly frame: ModelFrame) {
    const { n, p, X, y, group, groupSizes } = frame;
    this.n = n; this.p = p; this.q = groupSizes.length;
    const q = this.q;
    this.nj = Float64Array.from(groupSizes);
    this.xbar = new Float64Array(q * p);
    this.ybar = new Float64Array(q);
    for (let i = 0; i < n; i++) {
      const g = group[i];
      for (let k = 0; k < p; k++) this.xbar[g * p + k] += X[i * p + k];
      this.ybar[g] += y[i];
    }
    for (let g = 0; g < q; g++) {
      for (let k = 0; k < p; k++) this.xbar[g * p + k] /= this.nj[g];
      this.ybar[g] /= this.nj[g];
    }
    this.W = zeros(p, p);
    this.Wxy = new Array<number>(p).fill(0);
    const dx = new Float64Array(p);
    for (let i = 0; i < n; i++) {
      const g = group[i];
      for (let k = 0; k < p; k++) dx[k] = X[i * p + k] - this.xbar[g * p + k];
      const dy = y[i] - this.ybar[g];
      for (let a = 0; a < p; a++) {
        this.Wxy[a] += dx[a] * dy;
        for (let b = 0; b <= a; b++) this.W[a][b] += dx[a] * dx[b];
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) this.W[b][a] = this.W[a][b];
  }

  /** The model at θ (θ ≥ 0; the criterion is even in θ). Throws if X'V⁻¹X is not positive definite. */
  evaluate(theta: number): ThetaEval {
    this.evaluations++;
    const { n, p, q, nj, xbar, ybar } = this;
    const { X, y, group } = this.frame;
    const t2 = theta * theta;
    const A = this.W.map((r) => r.slice());
    const c = this.Wxy.slice();
    let ldL2 = 0;
    for (let g = 0; g < q; g++) {
      const qj = 1 + t2 * nj[g];
      ldL2 += Math.log1p(t2 * nj[g]);
      const f = nj[g] / qj;
      const o = g * p;
      for (let a = 0; a < p; a++) {
        const fa = f * xbar[o + a];
        c[a] += fa * ybar[g];
        for (let b = 0; b <= a; b++) A[a][b] += fa * xbar[o + b];
      }
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) A[b][a] = A[a][b];
    const L = cholesky(A);
    if (!L) throw new RangeError(`X'V⁻¹X is not positive definite at theta = ${theta}`);
    const beta = cholSolve(L, c);
    const resid = new Float64Array(n);
    const E = new Float64Array(q);
    for (let i = 0; i < n; i++) {
      let fit = 0;
      for (let k = 0; k < p; k++) fit += X[i * p + k] * beta[k];
      resid[i] = y[i] - fit;
      E[group[i]] += resid[i];
    }
    // r² = Σ_i (e_i - ē_j)² + Σ_j n_j ē_j²/q_j  (= e'e - Σ w_j E_j², without the cancellation)
    let within = 0;
    for (let i = 0; i < n; i++) { const d = resid[i] - E[group[i]] / nj[group[i]]; within += d * d; }
    let between = 0;
    const b = new Float64Array(q), u = new Float64Array(q);
    for (let g = 0; g < q; g++) {
      const qj = 1 + t2 * nj[g];
      between += (E[g] * E[g]) / (nj[g] * qj);
      u[g] = (theta * E[g]) / qj;
      b[g] = theta * u[g];
    }
    const r2 = within + between;
    let wrss = 0, ussq = 0;
    for (let i = 0; i < n; i++) { const d = resid[i] - b[group[i]]; wrss += d * d; }
    for (let g = 0; g < q; g++) ussq += u[g] * u[g];
    return { theta, A, Ainv: cholInverse(L), beta, r2, ldL2, ldRX2: cholLogDet(L), resid, E, b, u, wrss, ussq };
  }

  /** REML criterion (lme4 REMLcrit) or ML deviance from an evaluation. */
  criterionOf(ev: ThetaEval, reml: boolean): number {
    const { n, p } = this;
    if (reml) return ev.ldL2 + ev.ldRX2 + (n - p) * (1 + LOG_2PI + Math.log(ev.r2 / (n - p)));
    return ev.ldL2 + n * (1 + LOG_2PI + Math.log(ev.r2 / n));
  }

  criterion(theta: number, reml: boolean): number {
    return this.criterionOf(this.evaluate(Math.abs(theta)), reml);
  }

  /** Analytic θ-derivatives of the pieces at an evaluation. */
  derivatives(ev: ThetaEval): ThetaDerivs {
    const { p, q, nj, xbar, ybar } = this;
    const { theta, Ainv, beta, E } = ev;
    const t2 = theta * theta;
    const dA = zeros(p, p), d2A = zeros(p, p);
    const dc = new Array<number>(p).fill(0);
    const w1 = new Float64Array(q), w2 = new Float64Array(q);
    let dldL2 = 0, d2ldL2 = 0;
    for (let g = 0; g < q; g++) {
      const n_ = nj[g], qj = 1 + t2 * n_;
      w1[g] = (2 * theta) / (qj * qj);
      w2[g] = (2 * (1 - 3 * t2 * n_)) / (qj * qj * qj);
      dldL2 += (2 * theta * n_) / qj;
      d2ldL2 += (2 * n_ * (1 - t2 * n_)) / (qj * qj);
      const o = g * p;
      const n2 = n_ * n_;
      for (let a = 0; a < p; a++) {
        const sa = xbar[o + a];
        dc[a] -= w1[g] * n2 * sa * ybar[g];
        for (let b = 0; b < p; b++) {
          const ss = n2 * sa * xbar[o + b];
          dA[a][b] -= w1[g] * ss;
          d2A[a][b] -= w2[g] * ss;
        }
      }
    }
    // β' = A⁻¹(c' - A'β)
    const rhs = dc.map((v, a) => { let s = v; for (let b = 0; b < p; b++) s -= dA[a][b] * beta[b]; return s; });
    const dbeta = Ainv.map((row) => row.reduce((s, v, k) => s + v * rhs[k], 0));
    let dr2 = 0, d2r2 = 0;
    for (let g = 0; g < q; g++) {
      let sDb = 0;
      for (let k = 0; k < p; k++) sDb += nj[g] * xbar[g * p + k] * dbeta[k];
      const dE = -sDb;
      dr2 -= w1[g] * E[g] * E[g];
      d2r2 -= w2[g] * E[g] * E[g] + 2 * w1[g] * E[g] * dE;
    }
    const AinvdA = matMul(Ainv, dA);
    const dldRX2 = traceProduct(Ainv, dA);
    const d2ldRX2 = traceProduct(Ainv, d2A) - traceProduct(AinvdA, AinvdA);
    return { dA, d2A, dbeta, dr2, d2r2, dldL2, d2ldL2, dldRX2, d2ldRX2 };
  }

  /** First and second derivatives of the profiled criterion (REML or ML) in θ. */
  criterionDerivatives(ev: ThetaEval, reml: boolean): { d1: number; d2: number } {
    const d = this.derivatives(ev);
    const m = reml ? this.n - this.p : this.n;
    const g = d.dr2 / ev.r2;
    const d1 = d.dldL2 + (reml ? d.dldRX2 : 0) + m * g;
    const d2 = d.d2ldL2 + (reml ? d.d2ldRX2 : 0) + m * (d.d2r2 / ev.r2 - g * g);
    return { d1, d2 };
  }

  /** lme4's starting value: θ0 = √(v/(var(y) - v)) with v = var(ave(y, g)), or 1 if var(y) <= v. */
  startTheta(): number {
    const { n } = this;
    const { y, group } = this.frame;
    let my = 0;
    for (let i = 0; i < n; i++) my += y[i];
    my /= n;
    let vy = 0, vg = 0;
    for (let i = 0; i < n; i++) {
      vy += (y[i] - my) ** 2;
      vg += (this.ybar[group[i]] - my) ** 2;
    }
    vy /= n - 1; vg /= n - 1;
    return vy - vg > 0 ? Math.sqrt(vg / (vy - vg)) : 1;
  }

  /** Fitted values of the fixed part, Xβ. */
  fixedFitted(beta: number[]): Float64Array {
    const { n, p } = this;
    const X = this.frame.X;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) { let s = 0; for (let k = 0; k < p; k++) s += X[i * p + k] * beta[k]; out[i] = s; }
    return out;
  }
}
