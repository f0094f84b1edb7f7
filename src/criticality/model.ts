// What the criticality metrics take: a model x -> y built from differentiable crit ops, as one function or as
// a list of stages (layers) applied in order. Stages let the metrics renormalise between layers, so that
// tangents through 1,000 layers neither overflow nor underflow f32. The leading axis of x is a batch of
// independent inputs: the model must treat rows independently (no batch statistics), so each row has its
// own Jacobian and one JVP/VJP serves the whole batch.
import { Tensor } from '../tensor/tensor.js';
import { l2norm } from '../ops/reduce.js';
import { div, maximum } from '../ops/elementwise.js';
import { reshape } from '../ops/layout.js';
import { CritError } from '../util/errors.js';

export type Stage = (x: Tensor) => Tensor;
export type ModelFn = Stage | readonly Stage[];

export function stagesOf(model: ModelFn): Stage[] {
  const stages = typeof model === 'function' ? [model] : [...model];
  if (stages.length === 0) throw new CritError('criticality: the model has no stages');
  for (const [i, s] of stages.entries()) if (typeof s !== 'function') throw new CritError(`criticality: stage ${i} is not a function`);
  return stages;
}

export function checkBatch(x: Tensor, what: string): number {
  if (x.rank < 2) throw new CritError(`${what}: x must have a leading batch axis, got shape [${x.shape.join(', ')}] (use x.view([1, ...shape]) for one input)`);
  if (x.dtype !== 'f32') throw new CritError(`${what}: x must be f32, got ${x.dtype}`);
  return x.shape[0];
}

/** Per-row Euclidean norm, shape [B, 1, ..., 1] (broadcasts against the rows). */
export function rowNorm(t: Tensor): Tensor {
  return l2norm(t, t.shape.map((_, i) => i).slice(1), true);
}

/** The smallest norm a row is divided by: below it a row counts as zero. */
export const TINY_NORM = 1e-30;

/**
 * t divided by its row norm n: unit rows, where a zero row (an input whose every path is switched off, e.g. all
 * ReLUs dead) stays zero instead of becoming 0/0, so its log-norms, and log Λ0, are −∞ rather than NaN.
 */
export function unitRows(t: Tensor, n: Tensor = rowNorm(t)): Tensor {
  return div(t, maximum(n, TINY_NORM));
}

/** [B, 1, ..., 1] -> [B]. */
export function flat(t: Tensor): Tensor {
  return reshape(t, [t.shape[0]]);
}
