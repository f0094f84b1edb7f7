// Activity a = mean |x| of a layer (averaged over the batch too), the branching parameter σ = a_out / a_in
// of the input and output layers, and the distance to criticality Σ = |1 − σ| (paper, Methods).
import { Tensor, scopeAsync } from '../tensor/tensor.js';
import { abs } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { concat, reshape } from '../ops/layout.js';
import { type ModelFn, stagesOf } from './model.js';

/** a = mean |x| over every element (a scalar tensor, differentiable). */
export function activity(x: Tensor): Tensor {
  return mean(abs(x));
}

export interface Branching { aIn: number; aOut: number; sigma: number; Sigma: number }

/** σ and Σ from the activities of the input and output layers. */
export function branchingFrom(aIn: number, aOut: number): Branching {
  const sigma = aOut / aIn;
  return { aIn, aOut, sigma, Sigma: Math.abs(1 - sigma) };
}

/** σ = a_out / a_in and Σ = |1 − σ| of a model at x. */
export async function branching(model: ModelFn, x: Tensor): Promise<Branching> {
  const profile = await activityProfile(model, x);
  return branchingFrom(profile[0], profile[profile.length - 1]);
}

/** The activity of the input and of every stage's output (length stages + 1). */
export async function activityProfile(model: ModelFn, x: Tensor): Promise<Float64Array> {
  const stages = stagesOf(model);
  return scopeAsync(async () => {
    const acts = [activity(x)];
    let cur = x;
    for (const f of stages) { cur = f(cur); acts.push(activity(cur)); }
    // One readback for every layer, not one per layer.
    return Float64Array.from(await concat(acts.map((a) => reshape(a, [1])), 0).readF32());
  });
}
