// λ0 of each input of an MLP and the criticality loss L = L_CE + α (λ_t − λ0(x))², for the training
// monitor page. This is the page's minimal interface to the criticality library: per-input power
// iteration on JᵀJ with the engine's jvp/vjp, and the gradient of λ0 through the converged singular
// vector (reverse over forward). Replace with the library's functions (src/criticality/) once it exports them.
import type { Model, Params } from '../../nn/mlp.js';
import type { LossFn } from '../../nn/loss.js';
import { Tensor, scope } from '../../tensor/tensor.js';
import { jvp, vjp } from '../../autodiff/grad.js';
import { state, withActive } from '../../autodiff/state.js';
import { l2norm, mean } from '../../ops/reduce.js';
import { add, div, log, scale, square, addScalar } from '../../ops/elementwise.js';
import { crossEntropy } from '../../ops/softmax.js';
import { uniform } from '../../ops/random.js';

type Fwd = Pick<Model, 'forward' | 'depth' | 'inputSize'>;

/** Unit rows. */
function rowNormalize(v: Tensor): Tensor { return div(v, l2norm(v, 1, true)); }

/**
 * Top right singular vectors v_b of J_b = ∂f(x_b)/∂x_b for each row of x (no gradient), by `iters` steps of
 * power iteration on JᵀJ from seeded start vectors (or `start`, e.g. last step's vectors).
 */
export function topSingularVectors(model: Fwd, params: Params, x: Tensor, iters: number, seed = 0, start?: Tensor): Tensor {
  return isolated(() => {
    let v = scope(() => rowNormalize(start ?? uniform(x.shape, -1, 1, { seed, stream: 0x7fff0001 })));
    const { backward } = vjp((xx) => model.forward(params, xx), [x]);
    for (let k = 0; k < iters; k++) {
      const next = scope(() => {
        const t = jvp((xx) => model.forward(params, xx), [x], [v]).tangent;
        return rowNormalize(backward(rowNormalize(t))[0]);
      });
      v.dispose();
      v = next;
    }
    return v;
  });
}

/**
 * Runs fn with no outer tape or tangent trace active and recording on: its own jvp/vjp work, and nothing
 * it computes is differentiated by an enclosing grad (the singular vectors are held fixed).
 */
function isolated<T>(fn: () => T): T {
  const paused = state.paused;
  state.paused = 0;
  try { return withActive([], [], fn); } finally { state.paused = paused; }
}

/** log ‖J_b v_b‖ per row: differentiable with respect to the parameters (v is held fixed). */
export function logJv(model: Fwd, params: Params, x: Tensor, v: Tensor): Tensor {
  const t = jvp((xx) => model.forward(params, xx), [x], [v]).tangent;
  return log(l2norm(t, 1));
}

/** λ0(x_b) = log Λ0(x_b) / L for each row, with L = the model's number of weight layers. */
export async function lambda0PerInput(model: Fwd, params: Params, x: Tensor, o: { iters?: number; seed?: number } = {}): Promise<Float32Array> {
  const out = scope(() => {
    const v = topSingularVectors(model, params, x, o.iters ?? 20, o.seed ?? 0);
    return isolated(() => scale(logJv(model, params, x, v), 1 / model.depth));
  });
  const r = await out.readF32();
  out.dispose();
  return r;
}

/**
 * CritL: mean cross-entropy + α · mean_b (λ_t − λ0(x_b))². The power iteration runs without gradient;
 * the gradient flows through log ‖J v‖ at the converged v (for the top singular pair, ∂Λ0 = uᵀ ∂J v).
 */
export function criticalityLoss(model: Fwd, o: { alpha: number; lambdaTarget: number; iters?: number; seed?: number }): LossFn {
  return (params, x, y) => {
    const v = topSingularVectors(model, params, x, o.iters ?? 8, o.seed ?? 0);
    const logits = model.forward(params, x);
    const ce = crossEntropy(logits, y);
    const lam = scale(logJv(model, params, x, v), 1 / model.depth);
    const lLambda = mean(square(addScalar(scale(lam, -1), o.lambdaTarget)));
    const loss = add(ce, scale(lLambda, o.alpha));
    return { loss, logits, metrics: { L_lambda: lLambda, lambda0: mean(lam) } };
  };
}
