// Normalisation layers as compositions of differentiable ops (so both autodiff modes go through them):
// batch normalisation in inference mode (running statistics, as a trained torchvision model is measured) and
// layer normalisation over the last axis. Parameter names follow PyTorch: weight, bias, running_mean, running_var.
import type { Tensor } from '../tensor/tensor.js';
import { fmt } from '../tensor/shape.js';
import { add, addScalar, div, mul, neg, reciprocal, sqrt, sub, square } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { reshape } from '../ops/layout.js';
import { CritError } from '../util/errors.js';

export interface BatchNormParams { weight?: Tensor | null; bias?: Tensor | null; runningMean: Tensor; runningVar: Tensor }

/**
 * BatchNorm2d in eval mode over [B, C, H, W] (or BatchNorm1d over [B, C]):
 * y = (x − running_mean) / sqrt(running_var + eps) · weight + bias, per channel. Rows stay independent, which
 * the criticality metrics need (one Jacobian per input).
 */
export function batchNormEval(x: Tensor, p: BatchNormParams, eps = 1e-5): Tensor {
  if (x.rank !== 4 && x.rank !== 2) throw new CritError(`batchNorm: expected [batch, channels, height, width] or [batch, channels], got ${fmt(x.shape)}`);
  const C = x.shape[1];
  for (const [k, t] of [['weight', p.weight], ['bias', p.bias], ['running_mean', p.runningMean], ['running_var', p.runningVar]] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== C)) throw new CritError(`batchNorm: ${k} must be [${C}] for ${fmt(x.shape)}, got ${fmt(t.shape)}`);
  }
  const perChannel = (t: Tensor) => (x.rank === 4 ? reshape(t, [C, 1, 1]) : t);
  // scale = weight / sqrt(var + eps), shift = bias − mean · scale: two per-channel vectors, then one multiply-add
  // over the images.
  const inv = reciprocal(sqrt(addScalar(p.runningVar, eps)));
  const scale = p.weight ? mul(p.weight, inv) : inv;
  const shift = p.bias ? sub(p.bias, mul(p.runningMean, scale)) : neg(mul(p.runningMean, scale));
  return add(mul(x, perChannel(scale)), perChannel(shift));
}

/** LayerNorm over the last axis: (x − mean) / sqrt(var + eps) · weight + bias (biased variance, as PyTorch). */
export function layerNorm(x: Tensor, weight: Tensor | null, bias: Tensor | null, eps = 1e-5): Tensor {
  const D = x.shape[x.rank - 1];
  for (const [k, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t && (t.rank !== 1 || t.shape[0] !== D)) throw new CritError(`layerNorm: ${k} must be [${D}] for ${fmt(x.shape)}, got ${fmt(t.shape)}`);
  }
  const xc = sub(x, mean(x, -1, true));
  let y = div(xc, sqrt(addScalar(mean(square(xc), -1, true), eps)));
  if (weight) y = mul(y, weight);
  return bias ? add(y, bias) : y;
}
