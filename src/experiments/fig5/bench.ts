// Benchmark (not a test): seconds per SGD step of Fig. 5's three methods on one network, over epochs of a
// Continual-ImageNet-sized task (1,200 images, mini-batches of 100, random images and labels): backpropagation,
// continual backpropagation (maturity 0 so units are replaced at the rate ρ from the first step, the cost included)
// and the criticality loss (power iteration per sample: a cold epoch from random vectors, then a warm-started one; and
// with the penalty on a tenth of each batch's rows).
// A warm-up epoch compiles the pipelines first; each figure is the fastest of two timed epochs. scripts/bench_fig5_torch.py does the same in PyTorch on the CPU.
import { Dataset } from '../../data/dataset.js';
import { uniformHost } from '../../ops/random.js';
import { buildNetwork } from '../../models/build.js';
import { CNN } from '../../models/cnn.js';
import { disposeParams } from '../../nn/mlp.js';
import { SGD } from '../../nn/optim.js';
import { trainModel, type EpochMetrics } from '../../nn/train.js';
import { crossEntropyLoss } from '../../nn/loss.js';
import { ContinualBackprop, unitLayers, type ModelWithUnits } from '../../nn/continual-backprop.js';
import { criticalityLoss, SingularVectorCache } from '../../criticality/loss.js';
import { CritError } from '../../util/errors.js';

export interface Fig5BenchOptions {
  arch?: string;
  images?: number;
  batchSize?: number;
  rho?: number;
  coldIterations?: number;
  warmIterations?: number;
  /** CritL with the penalty on this many rows of each batch (default batch / 10). */
  penaltyRows?: number;
}

export interface Fig5BenchResult {
  arch: string;
  images: number;
  batchSize: number;
  steps: number;
  /** Milliseconds per step. */
  bp: number;
  cbp: number;
  critlCold: number;
  critl: number;
  /** CritL steps with the penalty on `penaltyRows` rows of each batch, every row warm-started (the steady state). */
  critlRows: number;
  penaltyRows: number;
  /** Units CBP replaced in its two timed epochs. */
  replaced: number;
  rho: number;
  coldIterations: number;
  warmIterations: number;
}

export async function benchFig5(o: Fig5BenchOptions = {}): Promise<Fig5BenchResult> {
  const arch = o.arch ?? 'cnn:3x32x32:32k5-64k3-128k3:128-128-2:relu';
  const model = buildNetwork(arch);
  if (model.kind !== 'cnn' && model.kind !== 'mlp') throw new CritError(`fig5 bench: ${arch} is not a cnn: or mlp: network`);
  const net = model as typeof model & ModelWithUnits;
  const images = o.images ?? 1200, batchSize = o.batchSize ?? 100, rho = o.rho ?? 3e-3;
  const cold = o.coldIterations ?? 8, warm = o.warmIterations ?? 2;
  const penaltyRows = o.penaltyRows ?? Math.max(1, Math.round(batchSize / 10));
  const f = model.inputSize;
  const labels = Int32Array.from(uniformHost(images, 0, 2, { seed: 2 }), (v) => Math.min(model.outputSize - 1, Math.floor(v)));
  const data = new Dataset(uniformHost(images * f, -1, 1, { seed: 1 }), labels, model instanceof CNN ? model.spec.input : [f], model.outputSize, 'random images');
  const time = async (method: 'bp' | 'cbp' | 'critl' | 'critl-rows', epochs: number, slice = images): Promise<{ ms: number[]; replaced: number }> => {
    const params = model.init({ scheme: 'torch', seed: 1 });
    const optimizer = new SGD(params, { lr: 0.01, momentum: 0.9 });
    const cbp = method === 'cbp' ? new ContinualBackprop(unitLayers(net), params, optimizer, { replacementRate: rho, maturity: 0, utility: 'adaptable_contribution', seed: 3 }) : null;
    const critl = method === 'critl' || method === 'critl-rows';
    const cache = critl ? new SingularVectorCache(slice, f) : null;
    const loss = critl
      // With the penalty on K of B rows a sample's vector is stored only every ~B/K epochs, so a short bench would
      // see mostly cold rows; a step costs the same whatever the start vectors, so cold = warm steps times the
      // steady state, where every row is warm-started.
      ? criticalityLoss(model, {
        alpha: 0.1, lambdaTarget: 0, vectors: 'power', cache: cache!, warmIterations: warm, seed: 1,
        ...(method === 'critl' ? { coldIterations: cold } : { coldIterations: warm, penaltyRows }),
      })
      : crossEntropyLoss(model, { hidden: !!cbp });
    try {
      const h: EpochMetrics[] = await trainModel({ model, params, optimizer, data: data.slice(0, slice), epochs, batchSize, seed: 1, loss, afterStep: cbp ?? undefined });
      return { ms: h.map((m) => (1000 * m.seconds) / m.steps), replaced: cbp ? cbp.replaced.reduce((a, b) => a + b, 0) : 0 };
    } finally {
      cbp?.dispose(); cache?.dispose(); optimizer.dispose(); disposeParams(params);
    }
  };
  for (const m of ['bp', 'cbp', 'critl', 'critl-rows'] as const) await time(m, 1, 2 * batchSize); // warm-up: compile
  // The fastest of two epochs (three for CritL, whose first is the cold one): the machine may be shared.
  const bp = await time('bp', 2), cbp = await time('cbp', 2), critl = await time('critl', 3), rows = await time('critl-rows', 3);
  return {
    arch: model.arch, images, batchSize, steps: Math.ceil(images / batchSize), bp: Math.min(...bp.ms), cbp: Math.min(...cbp.ms), critlCold: critl.ms[0], critl: Math.min(...critl.ms.slice(1)),
    critlRows: Math.min(...rows.ms.slice(1)), penaltyRows,
    replaced: cbp.replaced, rho, coldIterations: cold, warmIterations: warm,
  };
}
