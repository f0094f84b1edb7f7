// Benchmark helper (not a test): seconds for one cross-entropy training epoch of the paper's MLP
// (784-1000-500-10, scaled tanh, init0, plain SGD lr 1e-3) on the 10,000 embedded MNIST digits with
// batch 128. A few warm-up steps first compile the pipelines, so the time is the steady state; the
// epoch ends with a readback of its loss, so all GPU work is included. scripts/bench_train_torch.py
// does the same in PyTorch on the CPU.
import { init } from '../api.js';
import { loadEmbeddedMnist } from '../data/embedded.js';
import { buildModel, disposeParams } from './mlp.js';
import { SGD } from './optim.js';
import { trainModel } from './train.js';

export interface BenchEpochOptions {
  arch?: string;
  batchSize?: number;
  /** Number of digits (at most 10,000). */
  digits?: number;
  seed?: number;
}

export interface BenchEpochResult {
  seconds: number;
  steps: number;
  samples: number;
  samplesPerSecond: number;
  /** Mean training loss of the epoch (a sanity check: finite and below log 10 = 2.30). */
  trainLoss: number;
}

export async function benchEpochDetailed(o: BenchEpochOptions = {}): Promise<BenchEpochResult> {
  await init();
  const all = await loadEmbeddedMnist();
  const data = all.slice(0, Math.min(o.digits ?? 10000, all.length));
  const model = buildModel(o.arch ?? 'mlp:784-1000-500-10:scaled-tanh');
  const params = model.init({ scheme: 'init0', seed: o.seed ?? 1 });
  const optimizer = new SGD(params, { lr: 1e-3 });
  const batchSize = o.batchSize ?? 128;
  try {
    // Warm-up: compile every kernel of a step (a short slice, one epoch).
    await trainModel({ model, params, optimizer, data: data.slice(0, 2 * batchSize), epochs: 1, batchSize, seed: 0 });
    const [m] = await trainModel({ model, params, optimizer, data, epochs: 1, batchSize, seed: o.seed ?? 1 });
    return { seconds: m.seconds, steps: m.steps, samples: data.length, samplesPerSecond: data.length / m.seconds, trainLoss: m.trainLoss };
  } finally {
    optimizer.dispose();
    disposeParams(params);
  }
}

/** Seconds for one CE epoch on 10,000 digits with batch 128. */
export async function benchEpoch(o: BenchEpochOptions = {}): Promise<number> {
  return (await benchEpochDetailed(o)).seconds;
}
