// One run of Fig. 5: a network learns task after task (Dohare et al.'s protocol: the output layer zeroed at the
// start of every task, "new heads"; SGD with momentum whose state carries over), with plain backpropagation,
// continual backpropagation or the criticality loss. After each task: its test accuracy, λ0 and σ on the task's
// test images (both classes), L_λ's per-epoch trace (CritL) and the units CBP replaced. Each task's row is stored at once and the
// run's state (weights, momentum, CBP's utilities and counters) checkpointed, so a killed run resumes at the task
// after the last one finished, and a finished one continues when asked for more tasks.
import { Tensor } from '../../tensor/tensor.js';
import { fillInPlace } from '../../ops/layout.js';
import { buildNetwork, type Network } from '../../models/build.js';
import { disposeParams, type Params } from '../../nn/mlp.js';
import { SGD } from '../../nn/optim.js';
import { trainModel, type EpochMetrics } from '../../nn/train.js';
import { crossEntropyLoss } from '../../nn/loss.js';
import { ContinualBackprop, unitLayers, type ContinualBackpropCounters, type ModelWithUnits } from '../../nn/continual-backprop.js';
import { criticalityLoss, SingularVectorCache, meanAbsChange } from '../../criticality/loss.js';
import { measureModel } from '../measure.js';
import { readCheckpoint, restoreTraining, writeCheckpoint } from '../checkpoint.js';
import { mean as avg, sampleVariance } from '../../stats/numeric.js';
import { CritError } from '../../util/errors.js';
import type { Dataset } from '../../data/dataset.js';
import type { RowStore } from '../store.js';
import { type Fig5Config, type RunSpec, runId } from './config.js';
import { type ClassSource, classOrder, makeTask } from './tasks.js';

export interface TaskRecord {
  key: string;
  run: string;
  method: RunSpec['method'];
  rho: number | null;
  alpha: number | null;
  lambda_t: number | null;
  /** CritL: rows of each batch with the penalty (null: all; absent in stores from before the option). */
  penalty_rows?: number | null;
  rep: number;
  /** 0-based task index and its two classes. */
  task: number;
  class_a: number;
  class_b: number;
  /** Test accuracy and loss after the task's last epoch. */
  test_acc: number;
  test_loss: number;
  /** Mean test accuracy over the task's epochs. */
  mean_test_acc: number;
  /** The last epoch's mean training loss (CE plus α·L_λ for CritL) and its cross-entropy part. */
  train_loss: number;
  train_ce: number;
  /** CritL: α · mean (λ_t − λ0)² over the last epoch's batches, and ∂L_λ/∂e over the task's epochs. */
  L_lambda: number | null;
  dLde: number | null;
  /** λ0 on lambdaInputs test images after the task (half from each class): mean and SD over the inputs with a finite λ0. */
  lambda0: number;
  lambda0_sd: number;
  /** Fraction of those inputs with a zero Jacobian (λ0 = −∞: every path switched off). */
  dead: number;
  sigma: number;
  Sigma: number;
  /** CBP: units replaced during the task. */
  replaced: number;
  seconds: number;
}

export const taskKey = (run: string, task: number) => `${run}#${task}`;

interface CheckpointMeta { run: string; settings: unknown; nextTask: number; cbp: ContinualBackpropCounters | null; seconds: number }

type UnitModel = Network & ModelWithUnits;

function networkFor(cfg: Fig5Config, src: ClassSource): UnitModel {
  const model = buildNetwork(cfg.arch);
  if (model.kind !== 'cnn' && model.kind !== 'mlp') throw new CritError(`fig5: ${cfg.arch} is not an mlp: or cnn: network (continual backpropagation needs their unit layout)`);
  const features = src.sampleShape.reduce((a, b) => a * b, 1);
  if (model.inputSize !== features) throw new CritError(`fig5: ${cfg.arch} takes ${model.inputSize} inputs, the data's images have ${features} (${src.sampleShape.join('x')})`);
  if (model.outputSize !== 2) throw new CritError(`fig5: ${cfg.arch} has ${model.outputSize} outputs; a task has 2 classes`);
  return model as UnitModel;
}

/** The output layer's weight and bias: zeroed at the start of every task. */
function headOf(model: UnitModel): string[] {
  const last = model.kind === 'cnn' ? model.linears[model.linears.length - 1] : model.layers[model.layers.length - 1];
  return [last.weight, ...(last.bias ? [last.bias] : [])];
}

export interface RunContext {
  cfg: Fig5Config;
  src: ClassSource;
  store: RowStore<TaskRecord>;
  /** The run's checkpoint file; `settings`: what its results depend on (a checkpoint of other settings is ignored). */
  checkpoint: string;
  settings: unknown;
  log: (msg: string) => void;
}

/** Runs (or resumes) one run of the grid; its rows go to the store task by task. Returns the run's rows. */
export async function trainRun(spec: RunSpec, ctx: RunContext): Promise<TaskRecord[]> {
  const { cfg, src, store, log } = ctx;
  const id = runId(spec);
  const model = networkFor(cfg, src);
  const params: Params = model.init({ scheme: 'torch', seed: cfg.seed + spec.rep });
  const optimizer = new SGD(params, { lr: cfg.lr, momentum: cfg.momentum });
  const cbp = spec.method === 'CBP'
    ? new ContinualBackprop(unitLayers(model), params, optimizer, { replacementRate: spec.rho!, decay: cfg.decay, maturity: cfg.maturity, utility: cfg.utility, seed: (cfg.seed * 7919 + spec.rep) >>> 0 })
    : null;
  const order = classOrder(src.classes, cfg.tasks, cfg.seed, spec.rep);
  const t0 = performance.now();
  let prior = 0, start = 0;
  const saved = readCheckpoint<CheckpointMeta>(ctx.checkpoint);
  if (saved && saved.meta.run === id && JSON.stringify(saved.meta.settings) === JSON.stringify(ctx.settings) && saved.meta.nextTask <= cfg.tasks) {
    restoreTraining(saved, { params, optimizer });
    if (cbp) cbp.restoreState(saved.extra, saved.meta.cbp!, ctx.checkpoint);
    [start, prior] = [saved.meta.nextTask, saved.meta.seconds];
    log(`  ${id}: resumed from its checkpoint before task ${start}`);
  } else if (saved) {
    log(`  ${id}: ignoring ${ctx.checkpoint} (written ${saved.meta.run !== id ? `for run ${saved.meta.run}` : saved.meta.nextTask > cfg.tasks ? `after task ${saved.meta.nextTask}, beyond --tasks ${cfg.tasks}` : 'for other settings'})`);
  }
  const head = headOf(model);
  try {
    for (let t = start; t < cfg.tasks; t++) {
      const tt = performance.now();
      for (const n of head) fillInPlace(params[n], 0);
      const task = makeTask(src, order, t, cfg.trainPerClass, cfg.testPerClass);
      const cache = spec.method === 'CritL' ? new SingularVectorCache(task.train.length, task.train.features) : null;
      const loss = spec.method === 'CritL'
        ? criticalityLoss(model, { alpha: spec.alpha!, lambdaTarget: spec.lambdaT!, vectors: 'power', cache: cache!, coldIterations: cfg.coldIterations, warmIterations: cfg.warmIterations, seed: (cfg.seed * 104729 + spec.rep) >>> 0, penaltyRows: spec.penaltyRows ?? undefined })
        : crossEntropyLoss(model, { hidden: !!cbp });
      const before = cbp ? cbp.replaced.reduce((a, b) => a + b, 0) : 0;
      let history: EpochMetrics[];
      try {
        history = await trainModel({
          model, params, optimizer, data: task.train, test: task.test, epochs: cfg.epochsPerTask, startEpoch: t * cfg.epochsPerTask,
          batchSize: cfg.batchSize, seed: (cfg.seed * 1_000_003 + spec.rep) >>> 0, loss, afterStep: cbp ?? undefined, evalBatchSize: 500,
        });
      } finally {
        cache?.dispose();
      }
      const row = await measureTask(model, params, spec, id, t, task.classes, lambdaImages(task.test, cfg), cfg);
      const last = history[history.length - 1];
      const trace = history.map((m) => (spec.method === 'CritL' ? spec.alpha! * m.extra.L_lambda : NaN));
      Object.assign(row, {
        test_acc: last.testAccuracy ?? NaN, test_loss: last.testLoss ?? NaN, mean_test_acc: avg(history.map((m) => m.testAccuracy ?? NaN)),
        train_loss: last.trainLoss, train_ce: spec.method === 'CritL' ? last.extra.ce : last.trainLoss,
        L_lambda: spec.method === 'CritL' ? trace[trace.length - 1] : null, dLde: spec.method === 'CritL' ? meanAbsChange(trace) : null,
        replaced: cbp ? cbp.replaced.reduce((a, b) => a + b, 0) - before : 0, seconds: (performance.now() - tt) / 1000,
      });
      store.add([row]);
      // Also after the last task: a later call with more tasks continues the stream from here.
      await writeCheckpoint<CheckpointMeta>(ctx.checkpoint, { params, optimizer }, { run: id, settings: ctx.settings, nextTask: t + 1, cbp: cbp?.counterState() ?? null, seconds: prior + (performance.now() - t0) / 1000 }, cbp?.stateTensors());
      log(`  ${id} task ${t + 1}/${cfg.tasks} (classes ${task.classes.join(', ')}): test accuracy ${(100 * row.test_acc).toFixed(1)}%, λ0 ${row.lambda0.toFixed(3)}${row.dead > 0 ? ` (${(100 * row.dead).toFixed(0)}% dead)` : ''}${cbp ? `, ${row.replaced} units replaced` : ''}${row.L_lambda !== null ? `, L_λ ${row.L_lambda.toExponential(2)}` : ''} (${row.seconds.toFixed(1)} s)`);
    }
  } finally {
    cbp?.dispose();
    optimizer.dispose();
    disposeParams(params);
  }
  return Array.from({ length: cfg.tasks }, (_, t) => store.get(taskKey(id, t))!);
}

/**
 * The test images λ0 is measured on: the first ⌈n/2⌉ of the task's first class and the first ⌊n/2⌋ of its second
 * (the test set holds the classes in two blocks; its first n images would all be of one class).
 */
function lambdaImages(test: Dataset, cfg: Fig5Config): Float32Array {
  const n = cfg.lambdaInputs, first = Math.ceil(n / 2);
  const idx = [...Array.from({ length: first }, (_, i) => i), ...Array.from({ length: n - first }, (_, i) => cfg.testPerClass + i)];
  return test.subset(idx).x;
}

/** λ0 (power iteration) and σ on the given test images. */
async function measureTask(model: UnitModel, params: Params, spec: RunSpec, id: string, t: number, classes: [number, number], images: Float32Array, cfg: Fig5Config): Promise<TaskRecord> {
  const x = Tensor.from(images, [cfg.lambdaInputs, model.inputSize]);
  const m = await measureModel(model, params, x, { method: model.kind === 'mlp' ? 'gram' : 'power', maxIterations: cfg.measureIterations, tol: 1e-4 });
  x.dispose();
  const lam = m.inputs.map((r) => r.lambda0).filter(Number.isFinite);
  return {
    key: taskKey(id, t), run: id, method: spec.method, rho: spec.rho, alpha: spec.alpha, lambda_t: spec.lambdaT, penalty_rows: spec.penaltyRows ?? null, rep: spec.rep,
    task: t, class_a: classes[0], class_b: classes[1],
    test_acc: NaN, test_loss: NaN, mean_test_acc: NaN, train_loss: NaN, train_ce: NaN, L_lambda: null, dLde: null,
    lambda0: lam.length ? avg(lam) : -Infinity, lambda0_sd: lam.length > 1 ? Math.sqrt(sampleVariance(lam)) : 0,
    dead: 1 - lam.length / m.inputs.length, sigma: m.sigma, Sigma: m.Sigma, replaced: 0, seconds: 0,
  };
}
