// Nakagawa's marginal and conditional R² for a Gaussian random-intercept model (SPEC §4):
// varF = var(Xβ̂) with n-1, varRE = θ̂²σ̂², varE = σ̂².
import { sampleVariance } from '../numeric.js';

export interface R2Result {
  varF: number;
  varRE: number;
  varE: number;
  /** Marginal R², varF/(varF+varRE+varE). */
  R2m: number;
  /** Conditional R², (varF+varRE)/(varF+varRE+varE). */
  R2c: number;
}

/** MuMIn::r.squaredGLMM's values (also used when the fit is singular: varRE may be ~0). */
export function r2Nakagawa(fixedFitted: ArrayLike<number>, theta: number, sigma: number): R2Result {
  const varF = sampleVariance(fixedFitted);
  const varRE = (theta * sigma) ** 2;
  const varE = sigma * sigma;
  const tot = varF + varRE + varE;
  return { varF, varRE, varE, R2m: varF / tot, R2c: (varF + varRE) / tot };
}

/** performance::r2_nakagawa's singularity threshold: θ̂ below it drops the random variance and gives R2c = NA. */
export const PERFORMANCE_SINGULAR_TOL = 1e-5;

/**
 * performance::r2_nakagawa (0.10.2): equal to MuMIn's formula unless θ̂ < 1e-5, where the random-effect
 * variance is dropped: R2m = varF/(varF+varE) and R2c = null (NA), with the message it prints.
 */
export function r2Performance(fixedFitted: ArrayLike<number>, theta: number, sigma: number): { R2m: number; R2c: number | null; note?: string } {
  const r = r2Nakagawa(fixedFitted, theta, sigma);
  if (theta < PERFORMANCE_SINGULAR_TOL) {
    return { R2m: r.varF / (r.varF + r.varE), R2c: null, note: 'Random effect variances not available. Returned R2 does not account for random effects.' };
  }
  return { R2m: r.R2m, R2c: r.R2c };
}
