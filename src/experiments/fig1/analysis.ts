// From rows to the paper's numbers: κ_c(N) = where the seed-averaged λ0 of the ordered phase reaches 0 (see
// criticalPoint), the crossing of the measured seed average beside it, their standard errors from the seeds'
// own values, and the fit κ_c(N) = c0 + c1 N^k by Levenberg-Marquardt.
import { levenbergMarquardt } from '../../stats/levenbergMarquardt.js';
import { sampleVariance } from '../../stats/numeric.js';
import { meanFieldKappa } from '../../models/deep-mlp.js';
import { finiteSizeKappa, paperKappa, PAPER_FIT } from '../../criticality/theory.js';

export interface Fig1Row {
  key: string;
  N: number;
  depth: number;
  kappa: number;
  /** κ / κ_mf(N). */
  kappaRel: number;
  seed: number;
  round: number;
  sigma: number;
  Sigma: number;
  logLambda0: number;
  lambda0: number;
  Delta: number;
  s10: number;
  s90: number;
  aIn: number;
  aOut: number;
  meanActivity: number;
  iterations: number;
  converged: boolean;
  lastIncrement: number;
  /** r(s) on the stimulus grid. */
  response: number[];
  /** Activity of levels 0..L (only for the first seeds). */
  activity?: number[];
}

/** JSON turns NaN and ±∞ into null: back to NaN. */
export const num = (v: unknown) => (typeof v === 'number' ? v : NaN);

/** Every upward zero crossing of y(κ), interpolated in log κ (λ0 is linear in log κ below κ_c). */
export function zeroCrossings(points: { kappa: number; y: number }[]): number[] {
  const pts = points.filter((p) => Number.isFinite(p.y)).sort((a, b) => a.kappa - b.kappa);
  const out: number[] = [];
  for (let i = 0; i + 1 < pts.length; i++) {
    const a = pts[i], b = pts[i + 1];
    if (a.y < 0 && b.y >= 0) {
      const f = -a.y / (b.y - a.y);
      out.push(Math.exp(Math.log(a.kappa) + f * (Math.log(b.kappa) - Math.log(a.kappa))));
    }
  }
  return out;
}

/** The first crossing from below; null without one. */
export const zeroCrossing = (points: { kappa: number; y: number }[]): number | null => zeroCrossings(points)[0] ?? null;

/** The last crossing from below: where λ0 turns positive for good on the grid; null without one. */
export const lastZeroCrossing = (points: { kappa: number; y: number }[]): number | null => zeroCrossings(points).at(-1) ?? null;

/** Seed-averaged λ0 per κ (only κ measured for every seed of the width). */
export function seedAverage(rows: Fig1Row[], field: (r: Fig1Row) => number = (r) => num(r.lambda0)): { kappa: number; y: number; n: number }[] {
  const seeds = new Set(rows.map((r) => r.seed)).size;
  const by = new Map<number, number[]>();
  for (const r of rows) { const l = by.get(r.kappa) ?? []; l.push(field(r)); by.set(r.kappa, l); }
  return [...by].filter(([, v]) => v.length === seeds).map(([kappa, v]) => ({ kappa, y: v.reduce((s, x) => s + x, 0) / v.length, n: v.length })).sort((a, b) => a.kappa - b.kappa);
}

/** A critical coupling with its spread over seeds. */
export interface Crossing {
  /** null when no seed gives one. */
  kappaC: number | null;
  /** Standard error from the seeds' own values (sd / √seeds). */
  se: number | null;
  perSeed: (number | null)[];
  /** κ / κ_mf − 1. */
  relToMeanField: number | null;
}

export interface CriticalPoint extends Crossing {
  N: number;
  seeds: number;
  meanField: number;
  finiteN: number;
  paper: number;
  /** The first and the last upward zero crossing of the measured seed-averaged λ0 on the κ grid (see criticalPoint). */
  firstCrossing: Crossing;
  lastCrossing: Crossing;
}

function crossing(kappaC: number | null, perSeed: (number | null)[], meanField: number): Crossing {
  const ok = perSeed.filter((v): v is number => v !== null);
  const se = ok.length >= 2 ? Math.sqrt(sampleVariance(ok) / ok.length) : null;
  return { kappaC, se, perSeed, relToMeanField: kappaC === null ? null : kappaC / meanField - 1 };
}

/**
 * A net whose activity decays stays in the linear range of tanh, where J = (g'(0) κ)^L ∏ W̃ and so
 * λ0(κ) = log(κ/κ_lin) exactly: κ_lin = κ e^{−λ0} from any decaying net (output activity below a tenth of
 * the input's; the one nearest the transition is used). Per seed; null for a seed without a decaying net.
 */
export function linearBranchPerSeed(rows: Fig1Row[], seeds: number[]): (number | null)[] {
  const bySeed = new Map<number, Fig1Row>();
  for (const r of rows) {
    if (!(num(r.aOut) < 0.1 * num(r.aIn)) || !Number.isFinite(num(r.lambda0))) continue;
    const b = bySeed.get(r.seed);
    if (!b || r.kappa > b.kappa) bySeed.set(r.seed, r);
  }
  return seeds.map((s) => { const r = bySeed.get(s); return r ? r.kappa * Math.exp(-num(r.lambda0)) : null; });
}

/**
 * Zero of the seed-averaged λ0 of the ordered (linear) branch: mean_s log(κ/κ_lin,s) = 0, the geometric mean
 * of the seeds' κ_lin. Null without a decaying net.
 */
export function linearBranchKappa(rows: Fig1Row[]): number | null {
  return geometricMean(linearBranchPerSeed(rows, [...new Set(rows.map((r) => r.seed))]));
}

/** exp(mean log) of the non-null values; null when there are none. */
function geometricMean(values: (number | null)[]): number | null {
  const ok = values.filter((v): v is number => v !== null);
  return ok.length ? Math.exp(ok.reduce((s, v) => s + Math.log(v), 0) / ok.length) : null;
}

/**
 * κ_c(N) = the edge of the ordered phase: the coupling where the seed-averaged λ0, coming from the ordered
 * side, first reaches 0 (and σ jumps across 1). Below it every net is linear, so it follows exactly from the
 * measured sub-critical nets (`linearBranchKappa`), and it is where finite-N random-matrix theory puts it.
 * The measured first crossing (`firstCrossing`) agrees once the grid is refined around it.
 *
 * Why the first crossing and not the last: just above κ_c the activity grows until tanh saturates, and the
 * saturated state's λ0 is only weakly positive (mean field ≈ 0.6 (κ/κ_mf − 1)²), so at small N the finite-size
 * shift of ≈ −1/(2N) pulls it back below 0: λ0(κ) crosses 0 at κ_c, dips, and turns positive for good only at
 * ≈ 1.2 κ_mf for N = 25 (`lastCrossing`). For N >= 100 the two agree within about 1%.
 */
export function criticalPoint(N: number, rows: Fig1Row[]): CriticalPoint {
  const mine = rows.filter((r) => r.N === N);
  const seeds = [...new Set(mine.map((r) => r.seed))].sort((a, b) => a - b);
  const meanField = meanFieldKappa(N);
  const avg = seedAverage(mine);
  const curve = (s: number) => mine.filter((r) => r.seed === s).map((r) => ({ kappa: r.kappa, y: num(r.lambda0) }));
  const perSeed = linearBranchPerSeed(mine, seeds);
  return {
    N, seeds: seeds.length, ...crossing(geometricMean(perSeed), perSeed, meanField),
    meanField, finiteN: finiteSizeKappa(N), paper: paperKappa(N),
    firstCrossing: crossing(zeroCrossing(avg), seeds.map((s) => zeroCrossing(curve(s))), meanField),
    lastCrossing: crossing(lastZeroCrossing(avg), seeds.map((s) => lastZeroCrossing(curve(s))), meanField),
  };
}

export interface PowerLawFit {
  c0: number; c1: number; k: number;
  se: { c0: number; c1: number; k: number };
  points: number;
  rss: number;
  converged: boolean;
}

/** κ_c(N) = c0 + c1 N^k by Levenberg-Marquardt (SciPy curve_fit's standard errors); null with < 3 points. */
export function fitPowerLaw(points: { N: number; kappaC: number }[]): PowerLawFit | null {
  if (points.length < 3) return null;
  const f = (N: number, [c0, c1, k]: readonly number[]) => c0 + c1 * N ** k;
  const gradient = (N: number, [, c1, k]: readonly number[]) => [1, N ** k, c1 * N ** k * Math.log(N)];
  const r = levenbergMarquardt(f, points.map((p) => p.N), points.map((p) => p.kappaC), [0, 30, -0.5], { gradient });
  const [c0, c1, k] = r.params;
  return { c0, c1, k, se: { c0: r.se[0], c1: r.se[1], k: r.se[2] }, points: points.length, rss: r.rss, converged: r.converged };
}

export { PAPER_FIT };
