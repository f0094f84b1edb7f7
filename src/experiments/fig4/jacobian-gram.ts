// λ0 of an MLP with few outputs, exactly: J(x) (m x n, m = outputs) has rank <= m, so its largest singular value
// is the square root of the largest eigenvalue of the m x m Gram matrix J Jᵀ. The m rows of J come from one
// backward sweep per batch (the m one-hot cotangents travel together as m rows per input), the Gram matrices
// are read back and their eigenvalues taken on the host in f64. No iteration, so no convergence question,
// whatever the gap between the top two singular values: what the experiment reports per epoch.
import { Tensor, scope, scopeAsync } from '../../tensor/tensor.js';
import { mul } from '../../ops/elementwise.js';
import { matmul } from '../../ops/matmul.js';
import { reshape, broadcastTo, slice } from '../../ops/layout.js';
import { CritError } from '../../util/errors.js';
import { singularValues } from '../../criticality/host-linalg.js';
import { mlpJacobian, isolated, type MlpLike } from '../../criticality/loss.js';
import type { Params } from '../../nn/mlp.js';

/** The rows of J(x) for every input: [B, m, n]. */
export function jacobianRows(model: MlpLike, params: Params, x: Tensor): Tensor {
  return isolated(() => scope(() => {
    const j = mlpJacobian(model, params, x);
    const B = x.shape[0], L = j.weights.length, m = j.weights[L - 1].shape[0];
    // G_L = diag(g'_L) W_L per input, then G_{l-1} = (G_l diag(g'_{l-1})) W_{l-1}.
    let g = broadcastTo(reshape(j.weights[L - 1], [1, m, j.weights[L - 1].shape[1]]), [B, m, j.weights[L - 1].shape[1]]);
    const sL = j.slopes[L - 1];
    if (sL) g = mul(g, reshape(sL, [B, m, 1]));
    for (let l = L - 2; l >= 0; l--) {
      const n = j.weights[l].shape[0];
      const s = j.slopes[l];
      if (s) g = mul(g, reshape(s, [B, 1, n]));
      g = reshape(matmul(reshape(g, [B * m, n]), j.weights[l]), [B, m, j.weights[l].shape[1]]);
    }
    return g;
  }));
}

/** Largest eigenvalue of each symmetric PSD m x m matrix in `gram` ([B·m·m] row-major), in f64. */
function topEigenvalues(gram: Float32Array, B: number, m: number): Float64Array {
  const out = new Float64Array(B);
  for (let b = 0; b < B; b++) out[b] = singularValues(gram.subarray(b * m * m, (b + 1) * m * m), m, m)[0];
  return out;
}

export interface ExactLambda0 {
  logLambda0: Float64Array;
  lambda0: Float64Array;
}

/** λ0 = log Λ0 / L per input, exact up to f32 rounding of J, in batches of `batchSize` inputs. */
export async function exactLambda0(model: MlpLike, params: Params, x: Tensor, o: { batchSize?: number } = {}): Promise<ExactLambda0> {
  if (x.rank !== 2 || x.shape[1] !== model.inputSize) throw new CritError(`exactLambda0: inputs must be [batch, ${model.inputSize}], got [${x.shape.join(', ')}]`);
  const N = x.shape[0], bs = o.batchSize ?? 250;
  const m = model.layers[model.layers.length - 1].outFeatures;
  const logLambda0 = new Float64Array(N);
  for (let s = 0; s < N; s += bs) {
    const B = Math.min(bs, N - s);
    const gram = await scopeAsync(async () => {
      const xb = reshape(x, [N, model.inputSize]);
      const part = B === N ? xb : sliceRows(xb, s, B);
      const rows = jacobianRows(model, params, part);
      return (await matmul(rows, rows, { transB: true }).readF32());
    });
    topEigenvalues(gram, B, m).forEach((e, b) => { logLambda0[s + b] = 0.5 * Math.log(e); });
  }
  return { logLambda0, lambda0: logLambda0.map((e) => e / model.depth) };
}

function sliceRows(x: Tensor, start: number, count: number): Tensor {
  return slice(x, [start, 0], [start + count, x.shape[1]]);
}
