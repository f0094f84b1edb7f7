// The Fig. 4 experiment as data: the grid (inits x losses x λ_t x α x repetitions), the training settings and
// the data sizes of the two presets. `full` is the paper's (200 epochs, 5 repetitions, lr 1e-3 decayed by
// 0.997 per epoch, the whole grid); `quick` is a few-minute version on a subset of the embedded digits.
import { CritError } from '../../util/errors.js';

export type LossKind = 'CEL' | 'CritL';

export interface Fig4Config {
  preset: 'quick' | 'full' | 'custom';
  arch: string;
  inits: string[];
  lambdaTargets: number[];
  alphas: number[];
  reps: number;
  epochs: number;
  batchSize: number;
  /** 'sgd': plain SGD as the paper (no momentum); 'adam': Adam (torch defaults but lr). */
  optimizer: 'sgd' | 'adam';
  lr: number;
  /** Global gradient-norm clipping (torch's clip_grad_norm_); null = off (the paper). */
  clipGradNorm: number | null;
  /** Learning-rate factor per epoch (the paper: 0.997). */
  lrDecay: number;
  /** Training / test samples used (0 = all of the split). */
  trainSize: number;
  testSize: number;
  /** Test inputs over which λ0 is averaged each epoch (the first ones of the test set). */
  lambdaInputs: number;
  /**
   * The loss's top singular vectors: 'exact' from the 10 x 10 Gram matrix J Jᵀ per input (the paper's exact
   * spectral norm), or 'power': warm-started power iteration (cheaper, lags behind the weights).
   */
  vectors: 'exact' | 'power';
  /** Power iteration ('power'): steps per training step from random (first epoch) and warm-started (later epochs). */
  coldIterations: number;
  warmIterations: number;
  /** CritL: the penalty on the first K rows of each shuffled batch (an unbiased sample of it; null: every row). */
  penaltyRows: number | null;
  /** Base seed: initial weights of repetition r use seed + r (the same for CEL and CritL: paired runs). */
  seed: number;
}

export const PAPER_LAMBDA_TARGETS = [-0.2, 0, 0.2];
export const PAPER_ALPHAS = [0.01, 0.1, 1, 10, 100, 250, 500];
export const INITS = ['init0', 'init1', 'init2', 'init3'];

export const presets: Record<'quick' | 'full', Fig4Config> = {
  full: {
    preset: 'full', arch: 'mlp:784-1000-500-10:scaled-tanh', inits: INITS,
    lambdaTargets: PAPER_LAMBDA_TARGETS, alphas: PAPER_ALPHAS, reps: 5, epochs: 200,
    batchSize: 128, optimizer: 'sgd', lr: 1e-3, clipGradNorm: null, lrDecay: 0.997, trainSize: 0, testSize: 0, lambdaInputs: 1000,
    vectors: 'exact', coldIterations: 8, warmIterations: 2, penaltyRows: null, seed: 1,
  },
  quick: {
    preset: 'quick', arch: 'mlp:784-1000-500-10:scaled-tanh', inits: INITS,
    lambdaTargets: PAPER_LAMBDA_TARGETS, alphas: [1, 10, 100, 500], reps: 1, epochs: 6,
    batchSize: 32, optimizer: 'adam', lr: 1e-3, clipGradNorm: null, lrDecay: 0.997, trainSize: 256, testSize: 500, lambdaInputs: 50,
    vectors: 'exact', coldIterations: 4, warmIterations: 2, penaltyRows: null, seed: 1,
  },
};

/** One training run of the grid. */
export interface RunSpec {
  init: string;
  loss: LossKind;
  /** null for CEL. */
  alpha: number | null;
  lambdaT: number | null;
  rep: number;
}

/** A file-name-safe identity of a run, stable across restarts. */
export function runId(r: RunSpec): string {
  const base = `${r.init}-${r.loss}`;
  return r.loss === 'CEL' ? `${base}-rep${r.rep}` : `${base}-a${r.alpha}-t${r.lambdaT}-rep${r.rep}`;
}

/** The configuration identity of the mixed model: (λ_t, α) for CritL, 'CEL' otherwise. */
export function configurationOf(r: { loss: LossKind; alpha: number | null; lambdaT: number | null }): string {
  return r.loss === 'CEL' ? 'CEL' : `lt=${r.lambdaT},a=${r.alpha}`;
}

/** Every run of the grid: per init and repetition, CEL then CritL over λ_t x α. */
export function gridRuns(c: Fig4Config): RunSpec[] {
  const runs: RunSpec[] = [];
  for (let rep = 0; rep < c.reps; rep++) for (const init of c.inits) {
    runs.push({ init, loss: 'CEL', alpha: null, lambdaT: null, rep });
    for (const lambdaT of c.lambdaTargets) for (const alpha of c.alphas) runs.push({ init, loss: 'CritL', alpha, lambdaT, rep });
  }
  return runs;
}

export function checkConfig(c: Fig4Config): Fig4Config {
  const posInt = (k: keyof Fig4Config, min = 1) => {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < min) throw new CritError(`fig4: ${k} must be an integer >= ${min}, got ${v}`);
  };
  posInt('reps'); posInt('epochs'); posInt('batchSize'); posInt('lambdaInputs'); posInt('coldIterations', 0); posInt('warmIterations', 0);
  posInt('trainSize', 0); posInt('testSize', 0);
  if (c.penaltyRows !== null && !(Number.isInteger(c.penaltyRows) && c.penaltyRows >= 1)) throw new CritError(`fig4: penaltyRows must be an integer >= 1 (or null: every row), got ${c.penaltyRows}`);
  if (c.vectors !== 'exact' && c.vectors !== 'power') throw new CritError(`fig4: vectors must be exact or power, got '${c.vectors}'`);
  if (c.optimizer !== 'sgd' && c.optimizer !== 'adam') throw new CritError(`fig4: optimizer must be sgd or adam, got '${c.optimizer}'`);
  if (!(c.lr > 0)) throw new CritError(`fig4: lr must be > 0, got ${c.lr}`);
  if (c.clipGradNorm !== null && !(c.clipGradNorm > 0 && Number.isFinite(c.clipGradNorm))) throw new CritError(`fig4: clipGradNorm must be a number > 0 or null, got ${c.clipGradNorm}`);
  if (!(c.lrDecay > 0)) throw new CritError(`fig4: lr decay must be > 0, got ${c.lrDecay}`);
  if (c.inits.length === 0) throw new CritError('fig4: no init schemes');
  for (const a of c.alphas) if (!(a >= 0)) throw new CritError(`fig4: alpha must be >= 0, got ${a}`);
  for (const t of c.lambdaTargets) if (!Number.isFinite(t)) throw new CritError(`fig4: lambda_t must be finite, got ${t}`);
  return c;
}
