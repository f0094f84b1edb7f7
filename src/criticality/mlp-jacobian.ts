// The input-output Jacobian of an MLP as data, J(x) = D_L W_L ... D_1 W_1, and what its few outputs allow: J
// (m x n, m = outputs) has rank <= m, so its largest singular value is the square root of the largest
// eigenvalue of the m x m Gram matrix J Jᵀ. The m rows of J come from one backward sweep per batch (the m
// one-hot cotangents travel together as m rows per input). No iteration, so no convergence question whatever
// the gap between the top two singular values: exact λ0 for reports (eigenvalues on the host in f64), and the
// exact top right singular vectors for the criticality loss (on the GPU, no readback).
import { Tensor, scope, scopeAsync } from '../tensor/tensor.js';
import { state, withActive } from '../autodiff/state.js';
import { jvp } from '../autodiff/grad.js';
import { mul, div, addScalar } from '../ops/elementwise.js';
import { l2norm } from '../ops/reduce.js';
import { ones, tensor } from '../ops/create.js';
import { normal } from '../ops/random.js';
import { matmul } from '../ops/matmul.js';
import { reshape, broadcastTo, slice, concat } from '../ops/layout.js';
import { CritError } from '../util/errors.js';
import { linear } from '../nn/linear.js';
import { activation } from '../nn/activations.js';
import type { LayerInfo, Params } from '../nn/mlp.js';
import { singularValues } from './host-linalg.js';

/** What the loss needs of a model: an MLP's layers (names, sizes, activations) and its forward function. */
export interface MlpLike {
  readonly layers: readonly LayerInfo[];
  readonly depth: number;
  readonly inputSize: number;
  forward(params: Params, x: Tensor): Tensor;
}

/**
 * Runs fn with no tape or tangent trace active (and recording on, even inside noGrad): nothing it computes is
 * differentiated by an enclosing grad, while its own jvp calls still work.
 */
export function isolated<T>(fn: () => T): T {
  const paused = state.paused;
  state.paused = 0;
  try { return withActive([], [], fn); } finally { state.paused = paused; }
}

/** J(x) of an MLP as data: each layer's weight and the derivative g'(z) of its activation (null: identity). */
export interface MlpJacobian {
  weights: Tensor[];
  slopes: (Tensor | null)[];
  /** The logits at x. */
  output: Tensor;
}

/** The forward pass at x, keeping what J needs. Call it inside isolated(): under an active tape its ops would be recorded. */
export function mlpJacobian(model: MlpLike, params: Params, x: Tensor): MlpJacobian {
  const weights: Tensor[] = [], slopes: (Tensor | null)[] = [];
  let h = x;
  model.layers.forEach((l) => {
    const W = params[l.weight], b = l.bias ? params[l.bias] : null;
    if (!W || (l.bias && !b)) throw new CritError(`criticality loss: parameter ${!W ? l.weight : l.bias} is missing`);
    const z = linear(h, W, b);
    weights.push(W);
    if (l.activation === 'identity') { slopes.push(null); h = z; return; }
    // g'(z) through the activation's own JVP rule, so every activation of nn/activations works.
    const r = jvp(activation(l.activation), [z], [ones(z.shape)]);
    slopes.push(r.tangent);
    h = r.output;
  });
  return { weights, slopes, output: h };
}

/** The rows of J(x) for every input: [B, m, n]. */
export function jacobianRows(model: MlpLike, params: Params, x: Tensor): Tensor {
  return isolated(() => scope(() => {
    const j = mlpJacobian(model, params, x);
    const B = x.shape[0], L = j.weights.length, m = j.weights[L - 1].shape[0];
    // G_L = diag(g'_L) W_L per input, then G_{l-1} = (G_l diag(g'_{l-1})) W_{l-1}. W_L stays [1, m, n] until a
    // slope multiplies it: the broadcasting mul makes the per-input copies (no separate broadcast pass).
    const perInput = (t: Tensor) => (t.shape[0] === B && t.rank === 3 ? t : broadcastTo(t, [B, ...t.shape.slice(1)]));
    let g = reshape(j.weights[L - 1], [1, m, j.weights[L - 1].shape[1]]);
    const sL = j.slopes[L - 1];
    if (sL) g = mul(g, reshape(sL, [B, m, 1]));
    for (let l = L - 2; l >= 0; l--) {
      const n = j.weights[l].shape[0];
      const s = j.slopes[l];
      g = s ? mul(g, reshape(s, [B, 1, n])) : perInput(g);
      g = reshape(matmul(reshape(g, [B * m, n]), j.weights[l]), [B, m, j.weights[l].shape[1]]);
    }
    return perInput(g);
  }));
}

/** Output widths up to which the criticality loss takes exact vectors by default (m backward rows per input). */
export const EXACT_MAX_OUTPUTS = 32;

/**
 * The top right singular vector of J(x) per input, [B, n], exact and without a readback: G = J Jᵀ per input is
 * squared (and rescaled) `squarings` times (default 12), so G^(2^k) ∝ u uᵀ once (σ2/σ1)^(2^(k+1)) is negligible;
 * u = G^(2^k) w for a seeded random w, v = Jᵀu / |Jᵀu|. With a tie at the top any vector of the top space comes
 * out, which gives the same Λ0 = |J v|. Nothing is recorded by an enclosing tape.
 */
export function exactTopSingularVectors(model: MlpLike, params: Params, x: Tensor, o: { squarings?: number; seed?: number } = {}): Tensor {
  const squarings = o.squarings ?? 12;
  if (!(Number.isInteger(squarings) && squarings >= 0)) throw new CritError(`exactTopSingularVectors: squarings must be a non-negative integer, got ${squarings}`);
  return isolated(() => scope(() => {
    const rows = jacobianRows(model, params, x);
    const [B, m, n] = rows.shape;
    // Rescaled by the Frobenius norm (plus a floor, so a zero Jacobian gives v = 0 rather than NaN).
    const unit = (G: Tensor) => div(G, addScalar(reshape(l2norm(reshape(G, [B, m * m]), 1, true), [B, 1, 1]), 1e-30));
    let G = unit(matmul(rows, rows, { transB: true }));
    for (let k = 0; k < squarings; k++) G = unit(matmul(G, G));
    const u = matmul(G, normal([B, m, 1], 0, 1, { seed: o.seed ?? 0, stream: 0x6a77 }));
    const v = reshape(matmul(reshape(u, [B, 1, m]), rows), [B, n]);
    return div(v, addScalar(l2norm(v, 1, true), 1e-30));
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
