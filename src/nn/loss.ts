// Loss functions for training. A loss function maps (params, inputs, labels) to a scalar loss tensor
// and, optionally, extra scalar metrics (batch means) that the training loop averages over each epoch
// on the GPU, e.g. the criticality term L_λ next to the cross-entropy.
import type { Tensor } from '../tensor/tensor.js';
import { crossEntropy } from '../ops/softmax.js';
import type { Model, Params } from './mlp.js';
import type { Stage } from '../criticality/model.js';
import { CritError } from '../util/errors.js';

export interface LossOutput {
  /** Scalar loss of the batch (the mean over its samples). */
  loss: Tensor;
  /** Scalar batch means to report per epoch (sample-weighted means over the epoch). */
  metrics?: Record<string, Tensor>;
  /** Hidden activations of the forward pass (each layer's output but the last), for step hooks. */
  hidden?: Tensor[];
}

/** Where a batch comes from, for losses that keep state per sample (e.g. warm-started power iterations). */
export interface BatchContext {
  /** Indices of the batch's samples in the training set. */
  indices: Int32Array;
  /** 0-based epoch and step within it. */
  epoch: number;
  step: number;
}

export type LossFn = (params: Params, x: Tensor, y: Tensor, batch: BatchContext) => LossOutput;

/**
 * Mean cross-entropy of the model's logits against i32 labels (the paper's L_CE). With `hidden`, the forward pass
 * runs stage by stage and returns every stage's output but the last (what continual backpropagation measures).
 */
export function crossEntropyLoss(model: Pick<Model, 'forward'> & { stages?(params: Params): Stage[] }, o: { hidden?: boolean } = {}): LossFn {
  if (o.hidden && typeof model.stages !== 'function') throw new CritError('cross-entropy loss: hidden activations need a model with stages (an MLP, a CNN, a zoo model)');
  return (params, x, y) => {
    if (!o.hidden) return { loss: crossEntropy(model.forward(params, x), y) };
    const outs: Tensor[] = [];
    model.stages!(params).reduce((h, stage) => { const z = stage(h); outs.push(z); return z; }, x);
    return { loss: crossEntropy(outs[outs.length - 1], y), hidden: outs.slice(0, -1) };
  };
}
