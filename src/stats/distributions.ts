// Tail probabilities of the normal, Student t, F and chi-square distributions, each computed directly
// (never as 1 - cdf), so p-values keep their relative precision down to ~1e-300.
// The special functions come from stdlib (ports of Boost/Cephes): the regularized incomplete beta and
// gamma functions with an `upper` flag, and erfc.
import betainc from '@stdlib/math-base-special-betainc';
import gammainc from '@stdlib/math-base-special-gammainc';
import erfc from '@stdlib/math-base-special-erfc';

const SQRT1_2 = Math.SQRT1_2;

/** Regularized incomplete beta I_x(a, b). */
function ibeta(x: number, a: number, b: number): number {
  return betainc(x, a, b, true, false);
}

/**
 * Its complement 1 - I_x(a, b). stdlib's `upper` path loses digits when the complement is close to 1 and x is
 * below ~1e-15 (I_1e-16(½,½) comes out 3e-9 off), so a complement above ½ is formed as 1 - I_x (exact to
 * rounding there) and only a small complement is taken from the `upper` path.
 */
function ibetac(x: number, a: number, b: number): number {
  const lo = betainc(x, a, b, true, false);
  return lo <= 0.5 ? 1 - lo : betainc(x, a, b, true, true);
}

/** Regularized upper incomplete gamma Q(a, x), with the same guard as ibetac. */
function gammaincc(x: number, a: number): number {
  const lo = gammainc(x, a, true, false);
  return lo <= 0.5 ? 1 - lo : gammainc(x, a, true, true);
}

/** P(Z > z) for a standard normal Z (SciPy `norm.sf`, Cephes `ndtr(-z)`). */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return 0.5 * erfc(z * SQRT1_2);
}

/** P(Z <= z) for a standard normal Z (SciPy `norm.cdf`). */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return 0.5 * erfc(-z * SQRT1_2);
}

/**
 * P(T <= t) for Student's t with `df` > 0 degrees of freedom (SciPy `special.stdtr(df, t)`); df may be
 * fractional. NaN for df <= 0 or NaN input, as Cephes.
 */
export function tCdf(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || !(df > 0)) return NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  if (t === 0) return 0.5;
  if (df === Infinity) return normalCdf(t);
  const tail = tTail(Math.abs(t), df);
  return t < 0 ? tail : 1 - tail;
}

/** P(T > t) for Student's t (upper tail), computed directly. */
export function tSf(t: number, df: number): number {
  return tCdf(-t, df);
}

/** Two-sided p-value 2·P(T > |t|), clipped to 1. */
export function tTwoSided(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || !(df > 0)) return NaN;
  if (!Number.isFinite(t)) return 0;
  if (df === Infinity) return Math.min(1, 2 * normalSf(Math.abs(t)));
  return Math.min(1, 2 * tTail(Math.abs(t), df));
}

/** P(T > a) for a >= 0: uses whichever of x = df/(df+a²) or 1-x is the small, accurately formed one. */
function tTail(a: number, df: number): number {
  const a2 = a * a;
  if (a2 < df) {
    // 1 - x = a²/(df+a²) is small: P(T > a) = ½·(1 - I_y(½, df/2)) with y = a²/(df+a²)
    const y = a2 / (df + a2);
    return 0.5 * ibetac(y, 0.5, 0.5 * df);
  }
  // P(T > a) = ½·I_x(df/2, ½) with x = df/(df+a²); for huge a use x = df/a² form to avoid overflow
  const x = Number.isFinite(a2) ? df / (df + a2) : 0;
  return 0.5 * ibeta(x, 0.5 * df, 0.5);
}

/**
 * P(F > f) for the F distribution with (d1, d2) degrees of freedom (SciPy `special.fdtrc`).
 * NaN for non-positive degrees of freedom or NaN f; 1 for f <= 0; 0 for f = +inf.
 */
export function fSf(f: number, d1: number, d2: number): number {
  if (Number.isNaN(f) || Number.isNaN(d1) || Number.isNaN(d2) || !(d1 > 0) || !(d2 > 0)) return NaN;
  if (f <= 0) return 1;
  if (f === Infinity) return 0;
  const a = d1 * f;
  if (!Number.isFinite(a)) return 0;
  // P(F > f) = I_w(d2/2, d1/2) with w = d2/(d2 + d1 f) = 1 - I_{1-w}(d1/2, d2/2)
  if (d2 <= a) return ibeta(d2 / (d2 + a), 0.5 * d2, 0.5 * d1);
  return ibetac(a / (d2 + a), 0.5 * d1, 0.5 * d2);
}

/** P(F <= f) for the F distribution. */
export function fCdf(f: number, d1: number, d2: number): number {
  if (Number.isNaN(f) || Number.isNaN(d1) || Number.isNaN(d2) || !(d1 > 0) || !(d2 > 0)) return NaN;
  if (f <= 0) return 0;
  if (f === Infinity) return 1;
  const a = d1 * f;
  if (!Number.isFinite(a)) return 1;
  if (d2 <= a) return ibetac(d2 / (d2 + a), 0.5 * d2, 0.5 * d1);
  return ibeta(a / (d2 + a), 0.5 * d1, 0.5 * d2);
}

/** P(X > x) for a chi-square variable with k > 0 degrees of freedom (SciPy `chi2.sf`). */
export function chiSquareSf(x: number, k: number): number {
  if (Number.isNaN(x) || Number.isNaN(k) || !(k > 0)) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return gammaincc(0.5 * x, 0.5 * k);
}

/** P(X <= x) for a chi-square variable with k > 0 degrees of freedom. */
export function chiSquareCdf(x: number, k: number): number {
  if (Number.isNaN(x) || Number.isNaN(k) || !(k > 0)) return NaN;
  if (x <= 0) return 0;
  if (x === Infinity) return 1;
  return gammainc(0.5 * x, 0.5 * k, true, false);
}
