// The criticality metrics of the Fig. 1 networks, many (κ, seed) networks per dispatch: one primal pass
// (every κ, plus the stimulus columns of the dynamic range), then power iteration on JᵀJ for every κ at once
// through the procedural kernels of src/models/deep-mlp.ts. Per network: σ, Σ, log Λ0, λ0, Δ, the activity
// of every layer and the converged singular vector (to warm-start a nearby κ).
import { engine } from '../tensor/tensor.js';
import { uniformHost } from '../ops/random.js';
import { CritError } from '../util/errors.js';
import {
  ColumnSet, DeepMlpBatch, NO_SLOT, STREAM_START, deepMlpInputHost, deepMlpStimulusHost, statAt, type PassStats,
} from '../models/deep-mlp.js';
import { branchingFrom } from './activity.js';
import { dynamicRange, stimulusGrid } from './dynamic-range.js';

export interface DeepMlpMeasureOptions {
  width: number;
  depth: number;
  seeds: number[];
  kappas: number[];
  /** Stimulus grid s for Δ (default 2 per decade over 10^-9..10^0); null skips Δ. */
  stimulus?: readonly number[] | null;
  /** Power iteration: stop when a half step raises log Λ0 by less than tol, in every network (default 1e-4). */
  tol?: number;
  maxIterations?: number;
  /** Warm start: the start vector of a (seed, κ) network, or undefined for a random one. */
  start?: (seed: number, kappa: number) => ArrayLike<number> | undefined;
  /** Seeds per batch (default: as many as the layer scratch and a memory budget allow). */
  seedsPerBatch?: number;
  /** Progress lines (e.g. to stderr). */
  onProgress?: (message: string) => void;
}

export interface DeepMlpRun {
  seed: number;
  kappa: number;
  /** Activity of the input and output layers, σ = aOut / aIn, Σ = |1 − σ|. */
  aIn: number;
  aOut: number;
  sigma: number;
  Sigma: number;
  /** Mean activity over the layers 1..L. */
  meanActivity: number;
  logLambda0: number;
  lambda0: number;
  /** JVP passes of the power iteration; whether the last half step gained less than tol. */
  iterations: number;
  converged: boolean;
  lastIncrement: number;
  /** Dynamic range in dB (NaN without a stimulus grid or for a flat response). */
  Delta: number;
  s10: number;
  s90: number;
  /** Activity of levels 0..L. */
  activity: Float64Array;
  /** r(s) on the stimulus grid (empty without one). */
  response: Float64Array;
  /** Right singular vector for Λ0 (unit). */
  vector: Float32Array;
}

const sumLevels = (st: PassStats, from: number, to: number, s: number, c: number) => {
  let e = 0;
  for (let l = from; l <= to; l++) e += statAt(st, l, s, c, 1);
  return e;
};

/** Measures every (seed, κ) network; results are ordered by seed, then κ. */
export async function measureDeepMlp(opts: DeepMlpMeasureOptions): Promise<DeepMlpRun[]> {
  const { width: N, depth: L, seeds, kappas } = opts;
  if (kappas.length === 0 || seeds.length === 0) throw new CritError('measureDeepMlp: need at least one κ and one seed');
  const grid = opts.stimulus === undefined ? stimulusGrid() : opts.stimulus;
  const tol = opts.tol ?? 1e-4, maxIt = opts.maxIterations ?? 50;
  const m = kappas.length;
  // Seeds per batch: the layer scratch must fit a binding, and the stored derivatives (L x N x m per seed)
  // a memory budget of 1 GiB.
  const byScratch = DeepMlpBatch.maxSeeds(N);
  const byMemory = Math.max(1, Math.floor(2 ** 30 / (4 * L * N * m)));
  const per = Math.max(1, Math.min(opts.seedsPerBatch ?? Infinity, byScratch, byMemory, seeds.length));
  if (byScratch < 1) throw new CritError(`measureDeepMlp: one ${N} x ${N} layer does not fit the adapter's largest binding`);
  const runs: DeepMlpRun[] = [];
  for (let k0 = 0; k0 < seeds.length; k0 += per) {
    runs.push(...(await measureBatch(N, L, seeds.slice(k0, k0 + per), kappas, grid, tol, maxIt, opts)));
  }
  return runs;
}

async function measureBatch(N: number, L: number, seeds: number[], kappas: number[], grid: readonly number[] | null, tol: number, maxIt: number, opts: DeepMlpMeasureOptions): Promise<DeepMlpRun[]> {
  const m = kappas.length, G = grid ? grid.length : 0, S = seeds.length;
  const say = opts.onProgress ?? (() => {});
  const t0 = performance.now();
  const batch = new DeepMlpBatch({ width: N, depth: L, seeds });
  // Primal columns: the m tracked networks, then stimulus column g·m + k (s = grid[g], κ = kappas[k]).
  const primalCols = new ColumnSet({
    kappas: [...kappas, ...Array.from({ length: G * m }, (_, i) => kappas[i % m])],
    slots: [...kappas.map((_, k) => k), ...new Array(G * m).fill(NO_SLOT)],
  });
  const tanCols = new ColumnSet({ kappas, slots: kappas.map((_, k) => k) });
  try {
    const inputs = seeds.map((s) => deepMlpInputHost(s, N));
    const patterns = grid ? seeds.map((s) => deepMlpStimulusHost(s, N)) : [];
    const x0 = batch.upload(primalCols, (s, c) => {
      if (c < m) return inputs[s];
      if (c >= m + G * m) return undefined;
      const sc = grid![Math.floor((c - m) / m)];
      return patterns[s].map((v) => v * sc);
    });
    const primal = await batch.primal(primalCols, x0);
    x0.dispose(); primal.output.dispose();
    say(`N=${N} seeds ${seeds.join(',')}: primal pass of ${m} κ + ${G * m} stimulus columns in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Power iteration on JᵀJ for every (seed, κ) at once.
    let t = batch.upload(tanCols, (s, c) => {
      if (c >= m) return undefined;
      return opts.start?.(seeds[s], kappas[c]) ?? uniformHost(N, -1, 1, { seed: seeds[s], stream: STREAM_START });
    });
    const last = Array.from({ length: S }, () => new Float64Array(m).fill(-Infinity));
    const inc = Array.from({ length: S }, () => new Float64Array(m).fill(Infinity));
    const doneAt = Array.from({ length: S }, () => new Int32Array(m));
    let iterations = 0;
    const update = (est: (s: number, c: number) => number): boolean => {
      let done = true;
      for (let s = 0; s < S; s++) for (let c = 0; c < m; c++) {
        const e = est(s, c);
        inc[s][c] = e - last[s][c];
        last[s][c] = e;
        // A tangent that died (all units saturated) or a non-finite estimate cannot improve: count it as done.
        if (Number.isFinite(e) && !(inc[s][c] <= tol)) done = false;
        else if (doneAt[s][c] === 0) doneAt[s][c] = iterations;
      }
      return done;
    };
    while (iterations < maxIt) {
      iterations++;
      const f = await batch.jvp(tanCols, t);
      if (update((s, c) => sumLevels(f.stats, 1, L, s, c))) { f.output.dispose(); break; }
      const b = await batch.vjp(tanCols, f.output);
      f.output.dispose();
      const done = update((s, c) => sumLevels(b.stats, 0, L, s, c) - statAt(f.stats, L, s, c, 1));
      t.dispose();
      t = b.output;
      say(`N=${N} seeds ${seeds.join(',')}: power iteration ${iterations}, largest gain ${Math.max(...inc.flatMap((r) => [...r].filter(Number.isFinite))).toExponential(1)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      if (done) break;
    }
    const vectors = await batch.download(t);
    t.dispose();

    const runs: DeepMlpRun[] = [];
    for (let s = 0; s < S; s++) for (let c = 0; c < m; c++) {
      const activity = Float64Array.from({ length: L + 1 }, (_, l) => statAt(primal.stats, l, s, c, 0));
      const br = branchingFrom(activity[0], activity[L]);
      let meanActivity = 0;
      for (let l = 1; l <= L; l++) meanActivity += activity[l] / L;
      const response = Float64Array.from({ length: G }, (_, g) => statAt(primal.stats, L, s, m + g * m + c, 0));
      const dr = grid ? dynamicRange(grid, [...response]) : { Delta: NaN, s10: NaN, s90: NaN };
      const v = vectors[s][c];
      const vn = Math.hypot(...v) || 1;
      runs.push({
        seed: seeds[s], kappa: kappas[c], aIn: br.aIn, aOut: br.aOut, sigma: br.sigma, Sigma: br.Sigma, meanActivity,
        logLambda0: last[s][c], lambda0: last[s][c] / L, iterations: doneAt[s][c] || iterations, converged: doneAt[s][c] > 0,
        lastIncrement: inc[s][c], Delta: dr.Delta, s10: dr.s10, s90: dr.s90, activity, response, vector: v.map((x) => x / vn),
      });
    }
    say(`N=${N} seeds ${seeds.join(',')}: ${m} κ done in ${((performance.now() - t0) / 1000).toFixed(1)} s (${iterations} iterations, ${engine().dispatchCount} dispatches so far)`);
    return runs;
  } finally {
    batch.dispose(); primalCols.dispose(); tanCols.dispose();
  }
}
