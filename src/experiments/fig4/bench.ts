// Benchmark (not a test): seconds for one cross-entropy (CEL) epoch and one criticality-loss (CritL) epoch of the
// paper's MLP (784-1000-500-10, scaled tanh, init0, plain SGD lr 1e-3) on the embedded digits, and the overhead
// factor CritL / CEL, for both ways of finding the loss's singular vectors: exact (Gram matrix J Jᵀ, the default)
// and power iteration, whose first epoch starts every sample from random (cold) and whose second is warm-started
// from the vectors of the first, as in training. A few warm-up steps
// compile the pipelines first. scripts/bench_critl_torch.py does the same in PyTorch on the CPU.
import { loadEmbeddedMnist } from '../../data/embedded.js';
import { buildModel, disposeParams } from '../../nn/mlp.js';
import { SGD } from '../../nn/optim.js';
import { trainModel } from '../../nn/train.js';
import { crossEntropyLoss } from '../../nn/loss.js';
import { criticalityLoss, SingularVectorCache } from '../../criticality/loss.js';

export interface CritlBenchOptions {
  batchSize?: number;
  /** Digits per epoch (at most 10,000). */
  digits?: number;
  coldIterations?: number;
  warmIterations?: number;
  seed?: number;
}

export interface CritlBenchResult {
  samples: number;
  batchSize: number;
  celSeconds: number;
  critlColdSeconds: number;
  critlSeconds: number;
  /** critlSeconds / celSeconds (power iteration, warm). */
  overhead: number;
  /** One CritL epoch with exact vectors, and its factor over CEL. */
  critlExactSeconds: number;
  overheadExact: number;
  coldIterations: number;
  warmIterations: number;
  celTrainLoss: number;
  critlTrainLoss: number;
}

export async function benchCritL(o: CritlBenchOptions = {}): Promise<CritlBenchResult> {
  const all = await loadEmbeddedMnist();
  const data = all.slice(0, Math.min(o.digits ?? 10000, all.length));
  const batchSize = o.batchSize ?? 128, seed = o.seed ?? 1;
  const cold = o.coldIterations ?? 4, warm = o.warmIterations ?? 2;
  const model = buildModel('mlp:784-1000-500-10:scaled-tanh');
  const epochs = async (critl: false | 'exact' | 'power', n: number, slice = data.length) => {
    const params = model.init({ scheme: 'init0', seed });
    const optimizer = new SGD(params, { lr: 1e-3 });
    const cache = critl === 'power' ? new SingularVectorCache(data.length, data.features) : null;
    const loss = critl ? criticalityLoss(model, { alpha: 1, lambdaTarget: 0, vectors: critl, cache: cache ?? undefined, coldIterations: cold, warmIterations: warm, seed }) : crossEntropyLoss(model);
    try {
      return await trainModel({ model, params, optimizer, data: data.slice(0, slice), epochs: n, batchSize, seed, loss });
    } finally {
      optimizer.dispose(); cache?.dispose(); disposeParams(params);
    }
  };
  // Warm-up: compile every kernel of both kinds of step.
  await epochs(false, 1, 2 * batchSize);
  await epochs('power', 2, 2 * batchSize);
  await epochs('exact', 1, 2 * batchSize);
  const [cel] = await epochs(false, 1);
  const [c1, c2] = await epochs('power', 2);
  const [ex] = await epochs('exact', 1);
  return {
    samples: data.length, batchSize, celSeconds: cel.seconds, critlColdSeconds: c1.seconds, critlSeconds: c2.seconds,
    overhead: c2.seconds / cel.seconds, critlExactSeconds: ex.seconds, overheadExact: ex.seconds / cel.seconds, coldIterations: cold, warmIterations: warm, celTrainLoss: cel.trainLoss, critlTrainLoss: c2.trainLoss,
  };
}
