// One training run of Fig. 4: the MNIST MLP from one init scheme, trained with CEL or CritL (plain SGD as in the
// paper, or Adam), with per epoch the training loss, L_λ = α·mean(λ_t − λ0)² over the epoch's batches, the test
// accuracy and the mean λ0 over fixed test inputs (exact, from the Jacobian's Gram matrix). Epoch 0 is the
// network at initialisation.
import { Tensor } from '../../tensor/tensor.js';
import type { Dataset } from '../../data/dataset.js';
import { buildModel, disposeParams } from '../../nn/mlp.js';
import { SGD, Adam, exponentialDecay } from '../../nn/optim.js';
import { trainModel } from '../../nn/train.js';
import { crossEntropyLoss } from '../../nn/loss.js';
import { criticalityLoss, SingularVectorCache, meanAbsChange } from '../../criticality/loss.js';
import { exactLambda0 } from '../../criticality/mlp-jacobian.js';
import { mean as avg, sampleVariance } from '../../stats/numeric.js';
import { type Fig4Config, type RunSpec, runId } from './config.js';
import { readCheckpoint, restoreTraining, writeCheckpoint, type TrainingState } from '../checkpoint.js';

export interface EpochRecord {
  run: string;
  init: string;
  loss: 'CEL' | 'CritL';
  alpha: number | null;
  lambda_t: number | null;
  rep: number;
  epoch: number;
  lr: number;
  /** Mean training loss over the epoch's batches (CE, plus α·(λ_t − λ0)² for CritL); null at epoch 0. */
  train_loss: number | null;
  /** Mean cross-entropy part over the epoch's batches. */
  train_ce: number | null;
  /** CritL: α · mean over the epoch's batches of mean_b (λ_t − λ0(x_b))², λ0 from the training-time power iteration. */
  L_lambda: number | null;
  /** CritL: the batch-mean λ0 the loss saw, averaged over the epoch. */
  train_lambda0: number | null;
  /**
   * Exact mean λ0 over the first λ0-inputs of the training set, after the epoch: beside train_lambda0 it shows
   * how far the loss's warm-started power iteration lags; beside lambda0, the train/test gap of λ0.
   */
  train_lambda0_exact: number;
  test_acc: number;
  test_loss: number;
  /** Mean λ0 over the λ0 test inputs, and its standard deviation over those inputs. */
  lambda0: number;
  lambda0_sd: number;
  /** Seconds of training in this epoch (evaluation excluded). */
  seconds: number;
}

export interface RunResult {
  id: string;
  spec: RunSpec;
  epochs: EpochRecord[];
  final_lambda0: number;
  final_test_acc: number;
  /** ∂L_λ/∂e: the mean absolute epoch-to-epoch change of L_λ (CritL with 2+ epochs; else null). */
  dLde: number | null;
  seconds: number;
}

export interface RunData {
  train: Dataset;
  test: Dataset;
  /**
   * Inputs [nTest + nTrain, features] over which λ0 is measured each epoch, in one pass: the first `testLambdaInputs`
   * rows from the test set (the reported λ0), the rest from the training set (train_lambda0_exact).
   */
  lambdaInputs: Tensor;
  testLambdaInputs: number;
}

/** Where and how often a run saves its state (a killed run resumes at its last checkpoint). */
export interface RunCheckpoint {
  path: string;
  /** Minimum seconds between checkpoints (0: after every epoch); none after the last epoch. */
  everySeconds: number;
  /** What the run's results depend on: a checkpoint written with other settings is not resumed. */
  settings: unknown;
  log?: (msg: string) => void;
}

interface CheckpointMeta { run: string; settings: unknown; epoch: number; epochs: EpochRecord[]; seconds: number }

/** The run's state from its checkpoint, when there is one written for this run and these settings. */
function resume(c: RunCheckpoint, id: string, state: TrainingState, cache: SingularVectorCache | null): CheckpointMeta | null {
  const saved = readCheckpoint<CheckpointMeta>(c.path);
  if (!saved) return null;
  if (saved.meta.run !== id || JSON.stringify(saved.meta.settings) !== JSON.stringify(c.settings)) {
    c.log?.(`  ${id}: ignoring ${c.path} (written for ${saved.meta.run === id ? 'other settings' : `run ${saved.meta.run}`})`);
    return null;
  }
  restoreTraining(saved, state);
  cache?.restoreState(saved.extra, c.path);
  c.log?.(`  ${id}: resumed from its checkpoint after epoch ${saved.meta.epoch}`);
  return saved.meta;
}



export async function trainRun(spec: RunSpec, cfg: Fig4Config, data: RunData, onEpoch?: (r: EpochRecord) => void, checkpoint?: RunCheckpoint): Promise<RunResult> {
  const t0 = performance.now();
  const id = runId(spec);
  const model = buildModel(cfg.arch);
  // Repetition r starts from the same weights for CEL and every CritL configuration (paired comparisons).
  const params = model.init({ scheme: spec.init, seed: cfg.seed + spec.rep });
  const optimizer = cfg.optimizer === 'adam' ? new Adam(params, { lr: cfg.lr }) : new SGD(params, { lr: cfg.lr });
  const cache = spec.loss === 'CritL' && cfg.vectors === 'power' ? new SingularVectorCache(data.train.length, data.train.features) : null;
  const loss = spec.loss === 'CritL'
    ? criticalityLoss(model, {
      alpha: spec.alpha!, lambdaTarget: spec.lambdaT!, vectors: cfg.vectors, cache: cache ?? undefined,
      coldIterations: cfg.coldIterations, warmIterations: cfg.warmIterations, seed: (cfg.seed + spec.rep) * 7919, penaltyRows: cfg.penaltyRows ?? undefined,
    })
    : crossEntropyLoss(model);
  const epochs: EpochRecord[] = [];
  const state = { params, optimizer };
  const resumed = checkpoint ? resume(checkpoint, id, state, cache) : null;
  if (resumed) epochs.push(...resumed.epochs);
  const [startEpoch, priorSeconds] = [resumed?.epoch ?? 0, resumed?.seconds ?? 0];
  const elapsed = () => priorSeconds + (performance.now() - t0) / 1000;
  let lastSave = performance.now();
  const save = async () => {
    const epoch = epochs[epochs.length - 1].epoch;
    if (!checkpoint || epoch >= cfg.epochs || performance.now() - lastSave < 1000 * checkpoint.everySeconds) return;
    await writeCheckpoint<CheckpointMeta>(checkpoint.path, state, { run: id, settings: checkpoint.settings, epoch, epochs, seconds: elapsed() }, cache?.stateTensors());
    lastSave = performance.now();
  };
  try {
    await trainModel({
      model, params, optimizer, data: data.train, test: data.test, epochs: cfg.epochs - startEpoch, startEpoch, batchSize: cfg.batchSize,
      seed: cfg.seed + spec.rep, loss, clipGradNorm: cfg.clipGradNorm ?? undefined, schedule: exponentialDecay(cfg.lr, cfg.lrDecay), evalAtStart: startEpoch === 0,
      onEpoch: async (m) => {
        const lam = (await exactLambda0(model, params, data.lambdaInputs)).lambda0;
        const testLam = lam.subarray(0, data.testLambdaInputs);
        const [mean, sd] = [avg(testLam), testLam.length > 1 ? Math.sqrt(sampleVariance(testLam)) : 0];
        const trainMean = avg(lam.subarray(data.testLambdaInputs));
        const crit = spec.loss === 'CritL' && m.epoch > 0;
        const r: EpochRecord = {
          run: id, init: spec.init, loss: spec.loss, alpha: spec.alpha, lambda_t: spec.lambdaT, rep: spec.rep,
          epoch: m.epoch, lr: m.lr,
          train_loss: m.epoch > 0 ? m.trainLoss : null,
          train_ce: m.epoch === 0 ? null : crit ? m.extra.ce : m.trainLoss,
          L_lambda: crit ? spec.alpha! * m.extra.L_lambda : null,
          train_lambda0: crit ? m.extra.lambda0 : null,
          train_lambda0_exact: trainMean,
          test_acc: m.testAccuracy ?? NaN, test_loss: m.testLoss ?? NaN,
          lambda0: mean, lambda0_sd: sd, seconds: m.seconds,
        };
        epochs.push(r);
        await save();
        onEpoch?.(r);
      },
    });
  } finally {
    optimizer.dispose();
    cache?.dispose();
    disposeParams(params);
  }
  const last = epochs[epochs.length - 1];
  const trace = epochs.filter((e) => e.L_lambda !== null).map((e) => e.L_lambda!);
  return {
    id, spec, epochs, final_lambda0: last.lambda0, final_test_acc: last.test_acc,
    dLde: spec.loss === 'CritL' ? meanAbsChange(trace) : null, seconds: elapsed(),
  };
}
