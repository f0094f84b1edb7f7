// From rows to the paper's numbers: κ_c(N) = the zero crossing of the seed-averaged λ0 (linear in log κ
// between the bracketing couplings: below κ_c the nets are linear and λ0 = log(κ/κ_c) exactly), its standard
// error from the seeds' own crossings, and the fit κ_c(N) = c0 + c1 N^k by Levenberg-Marquardt.
import { levenbergMarquardt } from '../../stats/levenbergMarquardt.js';
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

/** Zero crossing of y(κ) (points sorted by κ), interpolated in log κ; the first crossing from below. */
export function zeroCrossing(points: { kappa: number; y: number }[]): number | null {
  const pts = points.filter((p) => Number.isFinite(p.y)).sort((a, b) => a.kappa - b.kappa);
  for (let i = 0; i + 1 < pts.length; i++) {
    const a = pts[i], b = pts[i + 1];
    if (a.y < 0 && b.y >= 0) {
      const f = -a.y / (b.y - a.y);
      return Math.exp(Math.log(a.kappa) + f * (Math.log(b.kappa) - Math.log(a.kappa)));
    }
  }
  return null;
}

/** Seed-averaged λ0 per κ (only κ measured for every seed of the width). */
export function seedAverage(rows: Fig1Row[], field: (r: Fig1Row) => number = (r) => num(r.lambda0)): { kappa: number; y: number; n: number }[] {
  const seeds = new Set(rows.map((r) => r.seed)).size;
  const by = new Map<number, number[]>();
  for (const r of rows) { const l = by.get(r.kappa) ?? []; l.push(field(r)); by.set(r.kappa, l); }
  return [...by].filter(([, v]) => v.length === seeds).map(([kappa, v]) => ({ kappa, y: v.reduce((s, x) => s + x, 0) / v.length, n: v.length })).sort((a, b) => a.kappa - b.kappa);
}

export interface CriticalPoint {
  N: number;
  seeds: number;
  /** Crossing of the seed-averaged λ0; null when λ0 does not change sign on the grid. */
  kappaC: number | null;
  /** Standard error from the seeds' own crossings (sd / √seeds). */
  se: number | null;
  perSeed: (number | null)[];
  meanField: number;
  finiteN: number;
  paper: number;
  /** κ_c / κ_mf − 1. */
  relToMeanField: number | null;
  /**
   * The crossing of the linear (sub-critical) branch: a net whose activity decays stays linear, so there
   * λ0 = log(κ/κ_lin) exactly and κ_lin = κ e^{−λ0}; mean over seeds. It is the product-of-random-matrices
   * value (finite-N theory, less the finite-L excess of the top singular value, ~log(N)/L). Null without
   * a decaying net.
   */
  kappaLinear: number | null;
}

/** κ e^{−λ0} of the sub-critical nets (output activity below a tenth of the input's) nearest κ_mf, per seed. */
export function linearBranchKappa(rows: Fig1Row[]): number | null {
  const bySeed = new Map<number, Fig1Row>();
  for (const r of rows) {
    if (!(num(r.aOut) < 0.1 * num(r.aIn)) || !Number.isFinite(num(r.lambda0))) continue;
    const b = bySeed.get(r.seed);
    if (!b || r.kappa > b.kappa) bySeed.set(r.seed, r);
  }
  if (!bySeed.size) return null;
  const logs = [...bySeed.values()].map((r) => Math.log(r.kappa) - num(r.lambda0));
  return Math.exp(logs.reduce((s, v) => s + v, 0) / logs.length);
}

export function criticalPoint(N: number, rows: Fig1Row[]): CriticalPoint {
  const mine = rows.filter((r) => r.N === N);
  const seeds = [...new Set(mine.map((r) => r.seed))].sort((a, b) => a - b);
  const kappaC = zeroCrossing(seedAverage(mine));
  const perSeed = seeds.map((s) => zeroCrossing(mine.filter((r) => r.seed === s).map((r) => ({ kappa: r.kappa, y: num(r.lambda0) }))));
  const ok = perSeed.filter((v): v is number => v !== null);
  let se: number | null = null;
  if (ok.length >= 2) {
    const m = ok.reduce((s, v) => s + v, 0) / ok.length;
    se = Math.sqrt(ok.reduce((s, v) => s + (v - m) ** 2, 0) / (ok.length - 1) / ok.length);
  }
  const meanField = meanFieldKappa(N);
  return {
    N, seeds: seeds.length, kappaC, se, perSeed, meanField, finiteN: finiteSizeKappa(N), paper: paperKappa(N),
    relToMeanField: kappaC === null ? null : kappaC / meanField - 1, kappaLinear: linearBranchKappa(mine),
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
