// Global-norm gradient clipping, as torch.nn.utils.clip_grad_norm_: every gradient is scaled by
// min(1, maxNorm / (‖g‖ + 1e-6)), ‖g‖ the norm of all of them together. On the GPU, no readback.
import type { Tensor } from '../tensor/tensor.js';
import { add, addScalar, minimum, mul, reciprocal, scale, sqrt, square } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { ones } from '../ops/create.js';
import { CritError } from '../util/errors.js';

export function clipGradNorm(grads: readonly Tensor[], maxNorm: number): Tensor[] {
  if (!(Number.isFinite(maxNorm) && maxNorm > 0)) throw new CritError(`clipGradNorm: maxNorm must be a finite number > 0, got ${maxNorm}`);
  if (grads.length === 0) return [];
  const total = sqrt(grads.map((g) => sum(square(g))).reduce((a, b) => add(a, b)));
  const factor = minimum(ones(total.shape), reciprocal(scale(addScalar(total, 1e-6), 1 / maxNorm)));
  return grads.map((g) => mul(g, factor));
}
