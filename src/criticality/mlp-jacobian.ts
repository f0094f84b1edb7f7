// λ0 of an MLP with few outputs, exactly: J(x) (m x n, m = outputs) has rank <= m, so its largest singular value
// is the square root of the largest eigenvalue of the m x m Gram matrix J Jᵀ. The m rows of J come from one
// backward sweep per batch (the m one-hot cotangents travel together as m rows per input), the Gram matrices
// are read back and their eigenvalues taken on the host in f64. No iteration, so no convergence question,
// whatever the gap between the top two singular values: what the experiment reports per epoch.
import { Tensor, scope, scopeAsync } from '../../tensor/tensor.js';
import { mul, div } from '../../ops/elementwise.js';
import { l2norm } from '../../ops/reduce.js';
import { tensor } from '../../ops/create.js';
import { matmul } from '../../ops/matmul.js';
import { reshape, broadcastTo, slice, concat } from '../../ops/layout.js';
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

/**
 * A unit eigenvector of the largest eigenvalue of a symmetric PSD m x m matrix: M is squared (and rescaled) 60
 * times, so M^(2^60) ∝ u uᵀ whenever the top eigenvalue is above the next; its largest column, normalised, is u.
 * With a tie any vector of the top eigenspace comes out, which is as good a top singular direction.
 */
export function topEigenvector(M: ArrayLike<number>, m: number): Float64Array {
  let A = Float64Array.from(M);
  for (let k = 0; k < 60; k++) {
    const S = new Float64Array(m * m);
    let norm = 0;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < m; p++) s += A[i * m + p] * A[p * m + j];
      S[i * m + j] = s; norm += s * s;
    }
    if (!(norm > 0)) break;
    norm = Math.sqrt(norm);
    for (let i = 0; i < S.length; i++) S[i] /= norm;
    A = S;
  }
  let best = 0, bestNorm = -1;
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += A[i * m + j] ** 2;
    if (s > bestNorm) { bestNorm = s; best = j; }
  }
  const u = new Float64Array(m);
  const n = Math.sqrt(bestNorm) || 1;
  for (let i = 0; i < m; i++) u[i] = A[i * m + best] / n;
  return u;
}

export interface ExactLambda0 {
  logLambda0: Float64Array;
  lambda0: Float64Array;
  /** With `vectors`: the unit top right singular vectors [N, n] (the caller disposes). */
  vector?: Tensor;
}

/**
 * λ0 = log Λ0 / L per input, exact up to f32 rounding of J, in batches of `batchSize` inputs; with `vectors`
 * also the top right singular vectors v = Jᵀu / |Jᵀu| (u the Gram matrix's top eigenvector).
 */
export async function exactLambda0(model: MlpLike, params: Params, x: Tensor, o: { batchSize?: number; vectors?: boolean } = {}): Promise<ExactLambda0> {
  if (x.rank !== 2 || x.shape[1] !== model.inputSize) throw new CritError(`exactLambda0: inputs must be [batch, ${model.inputSize}], got [${x.shape.join(', ')}]`);
  const N = x.shape[0], n0 = model.inputSize, bs = o.batchSize ?? 250;
  const m = model.layers[model.layers.length - 1].outFeatures;
  const logLambda0 = new Float64Array(N);
  const parts: Tensor[] = [];
  for (let s = 0; s < N; s += bs) {
    const B = Math.min(bs, N - s);
    const part = await scopeAsync(async () => {
      const rows = jacobianRows(model, params, B === N ? x : slice(x, [s, 0], [s + B, n0]));
      const gram = await matmul(rows, rows, { transB: true }).readF32();
      topEigenvalues(gram, B, m).forEach((e, b) => { logLambda0[s + b] = 0.5 * Math.log(e); });
      if (!o.vectors) return null;
      const u = new Float32Array(B * m);
      for (let b = 0; b < B; b++) u.set(topEigenvector(gram.subarray(b * m * m, (b + 1) * m * m), m), b * m);
      const v = reshape(matmul(tensor(u, [B, 1, m]), rows), [B, n0]);
      return div(v, l2norm(v, 1, true));
    });
    if (part) parts.push(part);
  }
  const vector = o.vectors ? (parts.length === 1 ? parts[0] : scope(() => concat(parts, 0))) : undefined;
  if (parts.length > 1) for (const p of parts) p.dispose();
  return { logLambda0, lambda0: logLambda0.map((e) => e / model.depth), vector };
}
