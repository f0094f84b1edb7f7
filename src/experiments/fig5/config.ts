// The Fig. 5 experiment as data: a continual stream of two-class tasks learned one after the other by the same
// network with plain backpropagation (BP), continual backpropagation (CBP, replacement rate ρ) or the criticality
// loss (CritL, α and λ_t), and the training settings. `full` is the paper's (Dohare et al.'s ConvNet on Continual
// ImageNet, 2,000 tasks of 250 epochs, SGD 0.01 with momentum 0.9, mini-batches of 100, new heads per task);
// `quick` is a minutes-long version on pairs of the embedded MNIST digits with a smaller ConvNet.
import { CritError } from '../../util/errors.js';

export type Method = 'BP' | 'CBP' | 'CritL';

export interface Fig5Config {
  preset: 'quick' | 'full' | 'custom';
  /** A `cnn:` or `mlp:` spec with two outputs; its input must match the data's images. */
  arch: string;
  tasks: number;
  epochsPerTask: number;
  batchSize: number;
  lr: number;
  momentum: number;
  /** CBP's replacement rates ρ (one CBP run per rate). */
  rhos: number[];
  /** CritL's grid: one run per (λ_t, α). */
  alphas: number[];
  lambdaTargets: number[];
  /**
   * CritL: rows of each mini-batch that carry the penalty (the first K of the shuffled batch; null: all). The
   * power iteration is most of CritL's cost, so K = B/10 makes a step ~B/K times cheaper in that part.
   */
  penaltyRows: number | null;
  /** Whether a BP run (ρ = 0, α = 0) is part of the grid. */
  bp: boolean;
  reps: number;
  /** CBP settings (Dohare et al.'s Continual ImageNet: adaptable_contribution, maturity 100, decay 0.99). */
  utility: 'contribution' | 'adaptable_contribution';
  maturity: number;
  decay: number;
  /** Images per class used for training and testing (Continual ImageNet: 600 and 100 of 700). */
  trainPerClass: number;
  testPerClass: number;
  /** Test images of each task over which λ0 and σ are measured after the task (the first of each class, half each). */
  lambdaInputs: number;
  /** CritL's power iteration: steps for a sample's first visit in a task, and warm-started ones after. */
  coldIterations: number;
  warmIterations: number;
  /** Power iteration of the per-task λ0 measurement: at most this many steps. */
  measureIterations: number;
  /** Tasks per bin in the report's curves (the paper: 50). */
  bin: number;
  seed: number;
}

const PAPER = { rhos: [3e-3, 3e-4, 3e-5, 3e-6, 3e-7, 3e-8, 3e-9], alphas: [0.01, 0.05, 0.1, 0.5, 1, 3], lambdaTargets: [-0.2, 0, 0.2] };

export const presets: Record<'quick' | 'full', Fig5Config> = {
  full: {
    preset: 'full', arch: 'cnn:3x32x32:32k5-64k3-128k3:128-128-2:relu', tasks: 2000, epochsPerTask: 250, batchSize: 100, lr: 0.01, momentum: 0.9,
    ...PAPER, penaltyRows: null, bp: true, reps: 1, utility: 'adaptable_contribution', maturity: 100, decay: 0.99,
    trainPerClass: 600, testPerClass: 100, lambdaInputs: 200, coldIterations: 8, warmIterations: 2, measureIterations: 200, bin: 50, seed: 1,
  },
  quick: {
    // lr 0.05: at 0.01 this small ReLU net (PyTorch's default init, σ ≈ 0.004) stays at chance for 100 steps, in
    // PyTorch as here; Dohare et al.'s full-width net learns at 0.01 but costs ~8x more per step. 50 tasks: with
    // BP the net loses its plasticity for good (every ReLU path off) after 21-40 tasks in each of 3 seeds, while
    // CBP keeps learning. CritL costs ~4x a BP step (power iteration per sample) and at this lr loses its plasticity too: --alphas adds it (docs/fig5.md).
    preset: 'quick', arch: 'cnn:1x28x28:8k5-16k3-16k3:32-32-2:relu', tasks: 50, epochsPerTask: 10, batchSize: 50, lr: 0.05, momentum: 0.9,
    rhos: [3e-3], alphas: [], lambdaTargets: [0], penaltyRows: null, bp: true, reps: 1, utility: 'adaptable_contribution', maturity: 100, decay: 0.99,
    trainPerClass: 250, testPerClass: 50, lambdaInputs: 20, coldIterations: 6, warmIterations: 2, measureIterations: 60, bin: 5, seed: 1,
  },
};

/** One run of the grid. */
export interface RunSpec {
  method: Method;
  /** CBP's ρ (0 for BP, null for CritL). */
  rho: number | null;
  alpha: number | null;
  lambdaT: number | null;
  /** CritL: the rows of a batch with the penalty (null: all). */
  penaltyRows?: number | null;
  rep: number;
}

/** A file-name-safe identity of a run, stable across restarts. */
export function runId(r: RunSpec): string {
  if (r.method === 'BP') return `BP-rep${r.rep}`;
  if (r.method === 'CBP') return `CBP-rho${r.rho}-rep${r.rep}`;
  return `CritL-a${r.alpha}-t${r.lambdaT}${r.penaltyRows ? `-k${r.penaltyRows}` : ''}-rep${r.rep}`;
}

/** The configuration a run belongs to (the mixed model's random effect; the report's series). */
export function configurationOf(r: {
  method: Method; rho: number | null; alpha: number | null; lambdaT?: number | null; lambda_t?: number | null; penaltyRows?: number | null; penalty_rows?: number | null;
}): string {
  const t = r.lambdaT ?? r.lambda_t, k = r.penaltyRows ?? r.penalty_rows;
  return r.method === 'BP' ? 'BP' : r.method === 'CBP' ? `CBP ρ=${r.rho}` : `CritL λt=${t},α=${r.alpha}${k ? `,K=${k}` : ''}`;
}

export function gridRuns(c: Fig5Config): RunSpec[] {
  const runs: RunSpec[] = [];
  for (let rep = 0; rep < c.reps; rep++) {
    if (c.bp) runs.push({ method: 'BP', rho: 0, alpha: null, lambdaT: null, rep });
    for (const rho of c.rhos) runs.push({ method: 'CBP', rho, alpha: null, lambdaT: null, rep });
    for (const lambdaT of c.lambdaTargets) for (const alpha of c.alphas) runs.push({ method: 'CritL', rho: null, alpha, lambdaT, penaltyRows: c.penaltyRows, rep });
  }
  return runs;
}

export function checkConfig(c: Fig5Config): Fig5Config {
  const int = (k: keyof Fig5Config, min = 1) => {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < min) throw new CritError(`fig5: ${k} must be an integer >= ${min}, got ${v}`);
  };
  int('tasks'); int('epochsPerTask'); int('batchSize'); int('reps'); int('trainPerClass'); int('testPerClass'); int('lambdaInputs');
  int('coldIterations', 1); int('warmIterations', 1); int('measureIterations'); int('bin'); int('maturity', 0); int('seed', 0);
  if (c.penaltyRows !== null && !(Number.isInteger(c.penaltyRows) && c.penaltyRows >= 1)) throw new CritError(`fig5: penaltyRows must be an integer >= 1 (or null: every row), got ${c.penaltyRows}`);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) throw new CritError(`fig5: lr must be a number > 0, got ${c.lr}`);
  if (!(c.momentum >= 0 && c.momentum < 1)) throw new CritError(`fig5: momentum must be in [0, 1), got ${c.momentum}`);
  if (!(c.decay >= 0 && c.decay < 1)) throw new CritError(`fig5: decay must be in [0, 1), got ${c.decay}`);
  if (c.utility !== 'contribution' && c.utility !== 'adaptable_contribution') throw new CritError(`fig5: utility must be contribution or adaptable_contribution, got '${c.utility}'`);
  for (const r of c.rhos) if (!(r > 0 && r <= 1)) throw new CritError(`fig5: a replacement rate ρ must be in (0, 1], got ${r} (BP is ρ = 0: --no-bp leaves it out)`);
  for (const a of c.alphas) if (!(a >= 0 && Number.isFinite(a))) throw new CritError(`fig5: alpha must be a finite number >= 0, got ${a}`);
  for (const t of c.lambdaTargets) if (!Number.isFinite(t)) throw new CritError(`fig5: lambda_t must be finite, got ${t}`);
  if (gridRuns(c).length === 0) throw new CritError('fig5: the grid is empty (no BP, no ρ, no α x λ_t)');
  if (Math.ceil(c.lambdaInputs / 2) > c.testPerClass) throw new CritError(`fig5: lambdaInputs ${c.lambdaInputs} (half from each class) exceeds a task's ${2 * c.testPerClass} test images`);
  return c;
}
