// The Fig. 1 experiment as data: which widths, depth, seeds and couplings, and how the critical coupling is
// refined. Couplings are given relative to the mean-field value κ_mf(N) = 30.29/√N, so one grid serves every
// width; the rows store the absolute κ too.
import { CritError } from '../../util/errors.js';

export interface Fig1Config {
  /** Layer widths N. */
  widths: number[];
  /** Layers L. */
  depth: number;
  /** Seeds 0..seeds-1 per width; `seedsFrom` lowers it for large widths: { 800: 4 } = 4 seeds from N = 800 on. */
  seeds: number;
  seedsFrom?: Record<number, number>;
  /** The first κ grid, as multiples of κ_mf(N). */
  grid: number[];
  /**
   * Refinement rounds: after each, two κ at κ*(1 ± δ) around the current zero crossing κ* of the seed-averaged
   * λ0 are added (δ per round, e.g. [0.01, 0.002]).
   */
  refine: number[];
  /** Stimulus points per decade over 10^-9..10^0 for the dynamic range. */
  stimulusPerDecade: number;
  /** Power iteration: stop when a half step gains less than tol in log Λ0 (λ0 error about tol / L). */
  tol: number;
  maxIterations: number;
  /** Activity profiles (every layer) are kept for seeds below this (for the activation plot). */
  profileSeeds: number;
}

export const QUICK: Fig1Config = {
  widths: [25, 50, 100, 200, 400],
  depth: 1000,
  seeds: 2,
  grid: [0.5, 0.8, 0.95, 1.05, 1.25, 1.6],
  refine: [0.01, 0.002],
  stimulusPerDecade: 2,
  tol: 1e-3,
  maxIterations: 30,
  profileSeeds: 1,
};

export const FULL: Fig1Config = {
  ...QUICK,
  widths: [25, 50, 100, 200, 400, 800, 1600],
  seeds: 8,
  seedsFrom: { 400: 6, 800: 4, 1600: 3 },
  maxIterations: 40,
};

export function seedsFor(cfg: Fig1Config, width: number): number[] {
  let n = cfg.seeds, from = -Infinity;
  for (const [w, k] of Object.entries(cfg.seedsFrom ?? {})) if (width >= Number(w) && Number(w) > from) { n = k; from = Number(w); }
  return Array.from({ length: n }, (_, i) => i);
}

/** What the stored rows depend on: a results file is only resumed with the same values. */
export function storeMeta(cfg: Fig1Config): Record<string, unknown> {
  const { depth, seeds, seedsFrom, grid, refine, stimulusPerDecade, tol, maxIterations, profileSeeds } = cfg;
  return { depth, seeds, seedsFrom: seedsFrom ?? null, grid, refine, stimulusPerDecade, tol, maxIterations, profileSeeds };
}

export function checkConfig(cfg: Fig1Config): void {
  const posInt = (v: number) => Number.isInteger(v) && v > 0;
  if (!cfg.widths.length || !cfg.widths.every(posInt)) throw new CritError(`fig1: widths must be positive integers, got ${cfg.widths.join(',')}`);
  if (!posInt(cfg.depth)) throw new CritError(`fig1: depth must be a positive integer, got ${cfg.depth}`);
  if (!posInt(cfg.seeds) || !Object.values(cfg.seedsFrom ?? {}).every(posInt)) throw new CritError(`fig1: seeds must be a positive integer, got ${cfg.seeds}`);
  if (cfg.grid.length < 2 || !cfg.grid.every((g) => g > 0 && Number.isFinite(g))) throw new CritError(`fig1: the κ grid needs at least two positive multiples of κ_mf, got ${cfg.grid.join(',')}`);
  if (!cfg.refine.every((d) => d > 0 && d < 0.5)) throw new CritError(`fig1: refinement steps must be in (0, 0.5), got ${cfg.refine.join(',')}`);
  if (!(cfg.stimulusPerDecade >= 0)) throw new CritError(`fig1: stimulus points per decade must be >= 0 (0 skips Δ), got ${cfg.stimulusPerDecade}`);
}

export function rowKey(width: number, kappa: number, seed: number): string {
  return `N${width}/k${kappa.toPrecision(12)}/s${seed}`;
}
