// The fully connected layer y = x Wᵀ + b with W in PyTorch's [out, in] layout, as a function of its
// parameters, and a small descriptor that names and initialises them.
import type { Tensor } from '../tensor/tensor.js';
import { matmul } from '../ops/matmul.js';
import { add } from '../ops/elementwise.js';
import { zeros } from '../ops/create.js';
import { uniform } from '../ops/random.js';
import { CritError } from '../util/errors.js';
import { initScheme, type InitName, type InitScheme } from './init.js';

/** x [batch, in] → [batch, out]. */
export function linear(x: Tensor, W: Tensor, b?: Tensor | null): Tensor {
  const z = matmul(x, W, { transB: true });
  return b ? add(z, b) : z;
}

export class Linear {
  readonly weight: string;
  readonly bias: string | null;

  /** Parameters W<name>, b<name>; or with `prefix` PyTorch's <prefix>.weight, <prefix>.bias. */
  constructor(readonly inFeatures: number, readonly outFeatures: number, o: { bias?: boolean; name?: string; prefix?: string } = {}) {
    for (const [k, v] of [['inFeatures', inFeatures], ['outFeatures', outFeatures]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new CritError(`Linear: ${k} must be a positive integer, got ${v}`);
    }
    const suffix = o.name ?? '';
    this.weight = o.prefix ? `${o.prefix}.weight` : `W${suffix}`;
    this.bias = o.bias === false ? null : o.prefix ? `${o.prefix}.bias` : `b${suffix}`;
  }

  /**
   * Weights U[-bound, bound] from the scheme with the engine's generator (seed, stream), bias zero or
   * U[±biasBound] with stream + 1.
   */
  init(scheme: InitName | string | InitScheme, seed: number, stream = 0): Record<string, Tensor> {
    const s = initScheme(scheme);
    const wb = s.weightBound(this.inFeatures, this.outFeatures);
    const p: Record<string, Tensor> = { [this.weight]: uniform([this.outFeatures, this.inFeatures], -wb, wb, { seed, stream }) };
    if (this.bias) {
      const bb = s.biasBound(this.inFeatures, this.outFeatures);
      p[this.bias] = bb > 0 ? uniform([this.outFeatures], -bb, bb, { seed, stream: stream + 1 }) : zeros([this.outFeatures]);
    }
    return p;
  }

  forward(params: Record<string, Tensor>, x: Tensor): Tensor {
    const W = params[this.weight];
    if (!W) throw new CritError(`Linear ${this.inFeatures}->${this.outFeatures}: parameter ${this.weight} is missing`);
    const b = this.bias ? params[this.bias] : null;
    if (this.bias && !b) throw new CritError(`Linear ${this.inFeatures}->${this.outFeatures}: parameter ${this.bias} is missing`);
    return linear(x, W, b);
  }
}
