// The Fig. 1 sweep: for every width, a first κ grid around κ_mf, then refinement rounds around the edge of the
// ordered phase and the last zero crossing of the seed-averaged λ0. Each (width, round, seed chunk) is one job of the resumable runner; all
// κ of a job run in the same dispatches (measureDeepMlp). A refinement round's κ follow from the stored rows
// only, so a resumed run makes the same choices. Later κ warm-start their power iteration from the nearest
// κ's singular vector of the same seed (in the linear regime the direction does not depend on κ).
import { measureDeepMlp, type DeepMlpRun } from '../../criticality/deep-mlp.js';
import { stimulusGrid } from '../../criticality/dynamic-range.js';
import { meanFieldKappa } from '../../models/deep-mlp.js';
import { Runner, type Job } from '../runner.js';
import { type Fig1Config, rowKey, seedsFor } from './config.js';
import { type Fig1Row, seedAverage, zeroCrossing, lastZeroCrossing, linearBranchKappa } from './analysis.js';

/** Seeds per job: small widths are dispatch-bound (batch all seeds), large ones compute-bound (one per job). */
export function seedsPerJob(width: number): number {
  return width <= 200 ? Infinity : width <= 400 ? 2 : 1;
}

function toRow(r: DeepMlpRun, N: number, depth: number, round: number, keepProfile: boolean): Fig1Row {
  return {
    key: rowKey(N, r.kappa, r.seed), N, depth, kappa: r.kappa, kappaRel: r.kappa / meanFieldKappa(N), seed: r.seed, round,
    sigma: r.sigma, Sigma: r.Sigma, logLambda0: r.logLambda0, lambda0: r.lambda0, Delta: r.Delta, s10: r.s10, s90: r.s90,
    aIn: r.aIn, aOut: r.aOut, meanActivity: r.meanActivity, iterations: r.iterations, converged: r.converged, lastIncrement: r.lastIncrement,
    response: [...r.response], ...(keepProfile ? { activity: [...r.activity] } : {}),
  };
}

/**
 * The κ of the next round, from the rows of one width so far: κ*(1 ± step) around the edge of the ordered
 * phase κ_c (from the decaying nets) and around the last zero crossing of the seed-averaged λ0, which lie far
 * apart at small N (see criticalPoint).
 */
export function nextKappas(rows: Fig1Row[], step: number): number[] {
  const avg = seedAverage(rows);
  const have = avg.map((p) => p.kappa);
  const last = lastZeroCrossing(avg);
  if (last === null) {
    // No sign change yet: extend the grid on the side that misses the transition.
    if (avg.every((p) => p.y < 0)) return [Math.max(...have) * 1.25];
    if (avg.every((p) => p.y >= 0)) return [Math.min(...have) / 1.25];
    return [];
  }
  const out: number[] = [];
  const near = (k: number) => [...have, ...out].some((h) => Math.abs(h / k - 1) < step / 4);
  const edge = linearBranchKappa(rows);
  for (const c of edge === null ? [last] : [edge, last]) for (const k of [c * (1 - step), c * (1 + step)]) if (!near(k)) out.push(k);
  return out.sort((a, b) => a - b);
}

export interface SweepContext {
  cfg: Fig1Config;
  runner: Runner<Fig1Row>;
  /** Converged singular vectors by `${N}/${seed}`: [κ, vector] (in memory only; a resumed run starts cold). */
  vectors: Map<string, [number, Float32Array][]>;
  /** Adapter-independent progress. */
  log: (msg: string) => void;
}

async function runRound(ctx: SweepContext, N: number, round: number, kappas: number[]): Promise<void> {
  const { cfg, runner } = ctx;
  if (kappas.length === 0) return;
  const seeds = seedsFor(cfg, N);
  const per = Math.min(seeds.length, seedsPerJob(N));
  const grid = cfg.stimulusPerDecade > 0 ? stimulusGrid(cfg.stimulusPerDecade) : null;
  for (let i = 0; i < seeds.length; i += per) {
    const chunk = seeds.slice(i, i + per);
    const job: Job<Fig1Row> = {
      label: `N=${N} round ${round} seeds ${chunk.join(',')} κ/κ_mf ${kappas.map((k) => (k / meanFieldKappa(N)).toFixed(4)).join(',')}`,
      keys: chunk.flatMap((s) => kappas.map((k) => rowKey(N, k, s))),
      run: async (log) => {
        const runs = await measureDeepMlp({
          width: N, depth: cfg.depth, seeds: chunk, kappas, stimulus: grid, tol: cfg.tol, maxIterations: cfg.maxIterations,
          start: (seed, kappa) => {
            const list = ctx.vectors.get(`${N}/${seed}`);
            if (!list?.length) return undefined;
            return list.reduce((best, cur) => (Math.abs(Math.log(cur[0] / kappa)) < Math.abs(Math.log(best[0] / kappa)) ? cur : best))[1];
          },
          onProgress: (m) => log(`  ${m}`),
        });
        for (const r of runs) {
          const key = `${N}/${r.seed}`;
          const list = ctx.vectors.get(key) ?? [];
          list.push([r.kappa, r.vector]);
          ctx.vectors.set(key, list);
        }
        return runs.map((r) => toRow(r, N, cfg.depth, round, r.seed < cfg.profileSeeds));
      },
    };
    await runner.run(job);
  }
}

/**
 * Runs (or resumes) every round for one width. Round r's κ follow from the rows of rounds < r only, so a
 * resumed run (whose store may already hold later rounds) makes the same choices.
 */
export async function sweepWidth(ctx: SweepContext, N: number): Promise<void> {
  const { cfg, runner } = ctx;
  const kmf = meanFieldKappa(N);
  let round = 0;
  await runRound(ctx, N, round++, cfg.grid.map((g) => g * kmf));
  const before = (r: number) => runner.store.all().filter((x) => x.N === N && x.round < r);
  for (const step of cfg.refine) {
    // Without a crossing yet, extend the grid (at most 4 rounds) before refining.
    for (let extend = 0; extend < 4 && zeroCrossing(seedAverage(before(round))) === null; extend++) {
      const next = nextKappas(before(round), step);
      if (!next.length) break;
      await runRound(ctx, N, round++, next);
    }
    const next = nextKappas(before(round), step);
    await runRound(ctx, N, round++, next);
  }
}
