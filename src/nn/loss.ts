// Loss functions for training. A loss function maps (params, inputs, labels) to a scalar loss tensor
// and, optionally, the logits (for accuracy) and extra scalar metrics (batch means) that the training
// loop averages over each epoch on the GPU, e.g. the criticality term L_λ next to the cross-entropy.
import type { Tensor } from '../tensor/tensor.js';
import { crossEntropy } from '../ops/softmax.js';
import type { Model, Params } from './mlp.js';

export interface LossOutput {
  /** Scalar loss of the batch (the mean over its samples). */
  loss: Tensor;
  logits?: Tensor;
  /** Scalar batch means to report per epoch (sample-weighted means over the epoch). */
  metrics?: Record<string, Tensor>;
}

export type LossFn = (params: Params, x: Tensor, y: Tensor) => LossOutput;

/** Mean cross-entropy of the model's logits against i32 labels (the paper's L_CE). */
export function crossEntropyLoss(model: Pick<Model, 'forward'>): LossFn {
  return (params, x, y) => {
    const logits = model.forward(params, x);
    return { loss: crossEntropy(logits, y), logits };
  };
}
