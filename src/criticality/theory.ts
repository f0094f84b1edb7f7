// Reference values for the Fig. 1 networks: the mean-field critical coupling and its finite-N shift.
import { meanFieldKappa } from '../models/deep-mlp.js';

/** ψ(x), the digamma function, for x > 0 (recurrence to x >= 10, then the asymptotic series; ~1e-15). */
export function digamma(x: number): number {
  if (!(x > 0)) return NaN;
  let r = 0;
  while (x < 10) { r -= 1 / x; x += 1; }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}

/**
 * Finite-N shift of the top Lyapunov exponent of products of N x N random matrices with iid entries of
 * variance v: λ1 = ½ log(N v) + (ψ(N/2) − log(N/2)) / 2 (exact for Gaussian entries, to O(1/N²) for others;
 * −0.005 at N = 100).
 */
export function finiteSizeShift(width: number): number {
  return (digamma(width / 2) - Math.log(width / 2)) / 2;
}

/** κ_c with the finite-N shift: λ0 = log(κ/κ_mf) + shift vanishes at κ_mf · exp(−shift). */
export function finiteSizeKappa(width: number): number {
  return meanFieldKappa(width) * Math.exp(-finiteSizeShift(width));
}

/** The paper's fit κ_c(N) = c0 + c1 N^k (Fig. 1c). */
export const PAPER_FIT = { c0: 8.12e-3, c1: 31.4, k: -0.545 } as const;
export const paperKappa = (width: number) => PAPER_FIT.c0 + PAPER_FIT.c1 * width ** PAPER_FIT.k;
export { meanFieldKappa };
