// Number formatting shared by the reports: missing or non-finite values as '–', and JSON without NaN/Infinity.

/** d significant digits; exponent notation for very large or small magnitudes; '–' for null, NaN, ±∞. */
export const fmtNum = (v: number | null | undefined, d = 4): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(d - 1) : v.toPrecision(d));

/** A fraction as a percentage with `decimals` places; '–' when missing. */
export const fmtPct = (v: number | null | undefined, decimals = 2): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(100 * v).toFixed(decimals)}%`);

/** JSON.stringify replacer: NaN and ±∞ become null (JSON has no such numbers). */
export const finiteJson = (_: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
