// Criticality of a given MLP or CNN at given inputs (what `crit measure` prints): the branching parameter σ and the
// distance Σ = |1 − σ| over all inputs, and per input log Λ0, λ0 = log Λ0 / L and its own σ; optionally the
// gradient of mean_x (λ_t − λ0(x))² with respect to every parameter, through the top singular vectors held
// fixed (reverse over forward of log |J v|).
import { Tensor, scope, scopeAsync } from '../tensor/tensor.js';
import { abs, addScalar, add, scale, square } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { slice, concat } from '../ops/layout.js';
import { grad } from '../autodiff/grad.js';
import { CritError } from '../util/errors.js';
import { branchingFrom } from '../criticality/activity.js';
import { lambda0 as powerLambda0, logJvpNorm } from '../criticality/power-iteration.js';
import type { Params } from '../nn/mlp.js';
import type { Network } from '../models/build.js';
import { exactLambda0 } from '../criticality/mlp-jacobian.js';
import { mean as avg } from '../stats/numeric.js';

export type MeasureMethod = 'gram' | 'power';

export interface InputMeasure {
  logLambda0: number;
  lambda0: number;
  Lambda0: number;
  /** σ of this input alone: mean |output| / mean |input|. */
  sigma: number;
}

export interface MeasureResult {
  sigma: number;
  Sigma: number;
  aIn: number;
  aOut: number;
  method: MeasureMethod;
  /** Power iteration only: whether every input converged, and the steps taken. */
  converged?: boolean;
  iterations?: number;
  lambda0Mean: number;
  inputs: InputMeasure[];
  /** With lambdaTarget: mean over inputs of (λ_t − λ0)², and its gradient by parameter name. */
  penalty?: number;
  grads?: Params;
}

export interface MeasureOptions {
  /** 'gram' (exact, MLPs with <= 64 outputs, their default), or 'power' (power iteration; any model). */
  method?: MeasureMethod;
  lambdaTarget?: number;
  /** Inputs per GPU batch (default 250). */
  batchSize?: number;
  tol?: number;
  maxIterations?: number;
}

export async function measureModel(model: Network, params: Params, x: Tensor, o: MeasureOptions = {}): Promise<MeasureResult> {
  if (x.rank !== 2 || x.shape[1] !== model.inputSize) throw new CritError(`measure: inputs must be [count, ${model.inputSize}], got [${x.shape.join(', ')}]`);
  const N = x.shape[0];
  if (N === 0) throw new CritError('measure: no inputs');
  const method = o.method ?? (model.kind === 'mlp' && model.outputSize <= 64 ? 'gram' : 'power');
  if (method === 'gram' && model.kind !== 'mlp') throw new CritError(`measure: the gram method needs an MLP (its Jacobian rows in closed form); use power for ${model.arch}`);
  const bs = o.batchSize ?? 250;
  const stages = model.stages(params);
  // One forward pass and one readback give every input's activities; the whole set's σ follows from them
  // (all rows have the same size, so the mean over all elements is the mean of the row means).
  const { perSigma, br } = await scopeAsync(async () => {
    const y = model.forward(params, x);
    const both = await concat([mean(abs(x), 1), mean(abs(y), 1)], 0).readF32();
    const ai = both.subarray(0, N), ao = both.subarray(N);
    return { perSigma: Array.from(ai, (a, b) => ao[b] / a), br: branchingFrom(avg(ai), avg(ao)) };
  });
  const logs = new Float64Array(N);
  const vectors: Tensor[] = [];
  let converged: boolean | undefined, iterations: number | undefined;
  for (let s = 0; s < N; s += bs) {
    const B = Math.min(bs, N - s);
    const xb = B === N ? x : scope(() => slice(x, [s, 0], [s + B, model.inputSize]));
    const want = o.lambdaTarget !== undefined;
    if (method === 'gram' && model.kind === 'mlp') {
      const r = await exactLambda0(model, params, xb, { vectors: want });
      logs.set(r.logLambda0, s);
      if (r.vector) vectors.push(r.vector);
    } else {
      const r = await powerLambda0(stages, xb, { tol: o.tol ?? 1e-6, maxIterations: o.maxIterations ?? 1000, depth: model.depth });
      logs.set(r.logLambda0, s);
      converged = (converged ?? true) && r.converged;
      iterations = Math.max(iterations ?? 0, r.iterations);
      if (want) vectors.push(r.vector); else r.vector.dispose();
    }
    if (xb !== x) xb.dispose();
  }
  const L = model.depth;
  const inputs = Array.from(logs, (e, b) => ({ logLambda0: e, lambda0: e / L, Lambda0: Math.exp(e), sigma: perSigma[b] }));
  const result: MeasureResult = {
    sigma: br.sigma, Sigma: br.Sigma, aIn: br.aIn, aOut: br.aOut, method, converged, iterations,
    lambda0Mean: inputs.reduce((t, r) => t + r.lambda0, 0) / N, inputs,
  };
  if (o.lambdaTarget !== undefined) {
    const lt = o.lambdaTarget;
    if (!Number.isFinite(lt)) throw new CritError(`measure: lambda target must be finite, got ${lt}`);
    result.penalty = inputs.reduce((t, r) => t + (lt - r.lambda0) ** 2, 0) / N;
    const names = model.paramNames;
    let sums: Tensor[] | null = null;
    vectors.forEach((v, k) => {
      const s = k * bs, B = v.shape[0];
      const g = scope(() => {
        const xb = B === N ? x : slice(x, [s, 0], [s + B, model.inputSize]);
        // Each batch contributes (B / N) · the gradient of its own mean, so the sum is the mean over all inputs.
        const gs = grad((...ps) => {
          const rec = Object.fromEntries(names.map((n, i) => [n, ps[i]]));
          const lam = scale(logJvpNorm(model.stages(rec), xb, v), 1 / L);
          return scale(mean(square(addScalar(lam, -lt))), B / N);
        }, names.map((n) => params[n]));
        return sums ? gs.map((t, i) => add(sums![i], t)) : gs;
      });
      if (sums) for (const t of sums) t.dispose();
      sums = g;
      v.dispose();
    });
    result.grads = Object.fromEntries(names.map((n, i) => [n, sums![i]]));
  } else {
    for (const v of vectors) v.dispose();
  }
  return result;
}
