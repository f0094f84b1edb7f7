// The training loop: seeded shuffling per epoch, mini-batches uploaded per step, gradients by reverse
// mode, in-place optimizer updates, and metrics per epoch. Nothing is read back during an epoch: the
// batch losses (and the loss function's extra metrics) are summed on the GPU and read once at its end.
import { Tensor, engine, scope } from '../tensor/tensor.js';
import { clipGradNorm } from './clip.js';
import { noGrad } from '../autodiff/state.js';
import { valueAndGrad } from '../autodiff/grad.js';
import { add, scale } from '../ops/elementwise.js';
import { reshape, concat } from '../ops/layout.js';
import type { Dataset } from '../data/dataset.js';
import { CritError } from '../util/errors.js';
import type { Model, Params } from './mlp.js';
import type { Optimizer } from './optim.js';
import { crossEntropyLoss, type LossFn, type LossOutput } from './loss.js';
import { evaluate } from './evaluate.js';

export interface EpochMetrics {
  /** 1-based; 0 is the evaluation before training (evalAtStart). */
  epoch: number;
  /** Learning rate used in this epoch. */
  lr: number;
  /** Sample-weighted mean of the batch losses over the epoch (NaN for epoch 0). */
  trainLoss: number;
  /** Sample-weighted epoch means of the loss function's extra metrics. */
  extra: Record<string, number>;
  testLoss?: number;
  testAccuracy?: number;
  /** With evalTrain: accuracy and loss on the training set after the epoch. */
  trainAccuracy?: number;
  trainEvalLoss?: number;
  steps: number;
  /** Wall time of the epoch's training steps (evaluation excluded). */
  seconds: number;
}

export interface TrainOptions {
  model: Pick<Model, 'paramNames' | 'forward' | 'inputSize' | 'outputSize'>;
  /** Updated in place by the optimizer. */
  params: Params;
  optimizer: Optimizer;
  data: Dataset;
  test?: Dataset;
  epochs: number;
  batchSize: number;
  /** Seed of the shuffling (epoch e uses stream e); omit to keep the data's order. */
  seed?: number;
  /** Default: mean cross-entropy of the model's logits. */
  loss?: LossFn;
  /** Learning rate for epoch e (0-based, absolute); e.g. exponentialDecay(1e-3, 0.997). */
  schedule?: (epoch: number) => number;
  dropLast?: boolean;
  evalBatchSize?: number;
  /** Also evaluate on the training set after each epoch. */
  evalTrain?: boolean;
  /** Report an epoch 0 (evaluation before any step) first. */
  evalAtStart?: boolean;
  /** Scale all gradients together down to this global norm when above it (torch's clip_grad_norm_); default: off. */
  clipGradNorm?: number;
  /** Number of epochs already done (resuming): shuffling and schedule continue from there. */
  startEpoch?: number;
  /**
   * Wait for the GPU every this many steps (default 4; 0 = only at the end of the epoch). The wait is a
   * 4-byte readback of the running loss, which the engine does by sleeping for the expected time before
   * mapping: without it the CPU queues the whole epoch and then Dawn's busy-polling readback takes a
   * core from a CPU driver (lavapipe) for the rest of the epoch.
   */
  syncEvery?: number;
  /**
   * Runs after every optimizer step (e.g. continual backpropagation's generate-and-test): `update` inside the
   * step, while the forward pass's hidden activations (LossOutput.hidden) are alive; `settle` after the step's
   * tensors are released, where it may read back and rewrite parameters.
   */
  afterStep?: StepHook;
  /** Called after each epoch; return false to stop. */
  onEpoch?: (m: EpochMetrics, params: Params) => void | boolean | Promise<void | boolean>;
}

export interface StepInfo {
  params: Params;
  /** The loss function's hidden activations of this batch (LossOutput.hidden), if it returns them. */
  hidden: Tensor[] | undefined;
  epoch: number;
  step: number;
}

export interface StepHook {
  /** Inside the step after the optimizer's update, without gradient recording; tensors it keeps must be keep()'d. */
  update(info: StepInfo): void;
  /** After the step's tensors are released. */
  settle?(): Promise<void>;
}

function checkInt(what: string, v: number, lo: number): number {
  if (!Number.isInteger(v) || v < lo) throw new CritError(`train: ${what} must be an integer >= ${lo}, got ${v}`);
  return v;
}

/** Trains and returns the metrics of every epoch (including epoch 0 with evalAtStart). */
export async function trainModel(o: TrainOptions): Promise<EpochMetrics[]> {
  const { model, params, optimizer, data } = o;
  checkInt('epochs', o.epochs, 0);
  checkInt('batchSize', o.batchSize, 1);
  const start = checkInt('startEpoch', o.startEpoch ?? 0, 0);
  const syncEvery = checkInt('syncEvery', o.syncEvery ?? 4, 0);
  if (data.features !== model.inputSize) throw new CritError(`train: the data has ${data.features} features per sample, the model takes ${model.inputSize}`);
  if (o.test && o.test.features !== model.inputSize) throw new CritError(`train: the test data has ${o.test.features} features per sample, the model takes ${model.inputSize}`);
  const lossFn = o.loss ?? crossEntropyLoss(model);
  for (const n of model.paramNames) if (!params[n]) throw new CritError(`train: parameter ${n} is missing`);
  const history: EpochMetrics[] = [];
  const report = async (m: EpochMetrics): Promise<boolean> => {
    if (o.test) Object.assign(m, renameEval(await evaluate(model, params, o.test, { batchSize: o.evalBatchSize }), 'test'));
    if (o.evalTrain) Object.assign(m, renameEval(await evaluate(model, params, data, { batchSize: o.evalBatchSize }), 'train'));
    history.push(m);
    return (await o.onEpoch?.(m, params)) !== false;
  };

  if (o.evalAtStart && !(await report({ epoch: start, lr: optimizer.lr, trainLoss: NaN, extra: {}, steps: 0, seconds: 0 }))) return history;

  for (let e = start; e < start + o.epochs; e++) {
    if (o.schedule) optimizer.lr = o.schedule(e);
    const t0 = performance.now();
    const batches = data.batchIndices(o.batchSize, { seed: o.seed, epoch: e, dropLast: o.dropLast });
    const sums = await runEpoch(o, lossFn, batches, e, syncEvery);
    const count = batches.reduce((n, b) => n + b.length, 0);
    const m: EpochMetrics = { epoch: e + 1, lr: optimizer.lr, trainLoss: NaN, extra: {}, steps: batches.length, seconds: (performance.now() - t0) / 1000 };
    for (const [k, v] of Object.entries(sums)) {
      if (k === 'loss') m.trainLoss = v / count; else m.extra[k] = v / count;
    }
    if (!(await report(m))) break;
  }
  return history;
}

/** One pass over the batches; returns the batch-size-weighted sums of the loss ('loss') and of each metric. */
async function runEpoch(o: TrainOptions, lossFn: LossFn, batches: Int32Array[], epoch: number, syncEvery: number): Promise<Record<string, number>> {
  const { model, params, optimizer, data } = o;
  const names = model.paramNames;
  let sums: Record<string, Tensor> | null = null;
  let metricNames: string[] | null = null;
  const release = () => { if (sums) for (const t of Object.values(sums)) t.dispose(); };
  try {
    for (let s = 0; s < batches.length; s++) {
      const idx = batches[s];
      const next: Record<string, Tensor> = scope(() => {
        const b = data.batch(idx);
        const x = Tensor.from(b.x, [b.size, data.features]);
        const y = Tensor.from(b.y, [b.size], 'i32');
        let out: LossOutput | null = null;
        const { value, grads } = valueAndGrad((...ps: Tensor[]) => {
          const record: Params = {};
          names.forEach((n, i) => { record[n] = ps[i]; });
          out = lossFn(record, x, y, { indices: idx, epoch, step: s });
          return out.loss;
        }, names.map((n) => params[n]));
        const metrics = (out as LossOutput | null)?.metrics ?? {};
        return noGrad(() => {
          const g = o.clipGradNorm ? clipGradNorm(grads, o.clipGradNorm) : grads;
          optimizer.step(Object.fromEntries(names.map((n, i) => [n, g[i]])));
          o.afterStep?.update({ params, hidden: (out as LossOutput | null)?.hidden, epoch, step: s });
          // Running sums on the GPU: the loss and each metric weighted by the batch size.
          const keys = Object.keys(metrics).sort();
          if (keys.includes('loss')) throw new CritError("train: a metric cannot be called 'loss' (the loss itself is reported as trainLoss)");
          if (metricNames && keys.join() !== metricNames.join()) throw new CritError(`train: the loss function returned metrics {${keys}} after {${metricNames}}; they must be the same every batch`);
          metricNames = keys;
          const acc: Record<string, Tensor> = {};
          for (const [k, t] of [['loss', value], ...keys.map((k) => [k, metrics[k]] as const)] as const) {
            if (t.size !== 1) throw new CritError(`train: ${k === 'loss' ? 'the loss' : `metric ${k}`} must be a scalar, got [${t.shape.join(', ')}]`);
            const w = scale(reshape(t, [1]), b.size);
            acc[k] = sums ? add(sums[k], w) : w;
          }
          return acc;
        });
      });
      release();
      sums = next;
      engine().flush(); // submit each step: the GPU starts early and the buffer pool can recycle
      await o.afterStep?.settle?.();
      if (syncEvery > 0 && (s + 1) % syncEvery === 0 && s + 1 < batches.length) await next.loss.read();
    }
    if (!sums) return {};
    const keys = Object.keys(sums);
    const all = noGrad(() => concat(keys.map((k) => sums![k]), 0));
    const values = await all.readF32();
    all.dispose();
    return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
  } finally {
    release();
  }
}

function renameEval(r: { accuracy: number; loss: number }, which: 'test' | 'train'): Partial<EpochMetrics> {
  return which === 'test' ? { testAccuracy: r.accuracy, testLoss: r.loss } : { trainAccuracy: r.accuracy, trainEvalLoss: r.loss };
}
