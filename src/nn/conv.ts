// The 2-d convolution layer (PyTorch's nn.Conv2d: weight [out, in / groups, kh, kw], bias [out]) as a small
// descriptor that names and initialises its parameters; the computation is ops/conv.ts's conv2d.
import type { Tensor } from '../tensor/tensor.js';
import { conv2d, type ConvOptions } from '../ops/conv.js';
import { zeros } from '../ops/create.js';
import { uniform } from '../ops/random.js';
import { CritError } from '../util/errors.js';
import { initScheme, type InitName, type InitScheme } from './init.js';

export interface Conv2dOptions { stride?: number; padding?: number; dilation?: number; groups?: number; bias?: boolean }

export class Conv2d {
  readonly weight: string;
  readonly bias: string | null;
  readonly options: ConvOptions;

  /** `name` prefixes the parameter names as in a PyTorch state_dict: conv1 → conv1.weight, conv1.bias. */
  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernel: number, name: string, o: Conv2dOptions = {}) {
    const groups = o.groups ?? 1;
    for (const [k, v] of [['inChannels', inChannels], ['outChannels', outChannels], ['kernel', kernel], ['groups', groups]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new CritError(`Conv2d ${name}: ${k} must be a positive integer, got ${v}`);
    }
    if (inChannels % groups || outChannels % groups) throw new CritError(`Conv2d ${name}: groups ${groups} must divide ${inChannels} input and ${outChannels} output channels`);
    this.weight = `${name}.weight`;
    this.bias = o.bias === false ? null : `${name}.bias`;
    this.options = { stride: o.stride ?? 1, padding: o.padding ?? 0, dilation: o.dilation ?? 1, groups };
  }

  get weightShape(): number[] { return [this.outChannels, this.inChannels / (this.options.groups ?? 1), this.kernel, this.kernel]; }
  /** Inputs feeding one output: (in / groups) · k², the fan-in of PyTorch's init. */
  get fanIn(): number { return (this.inChannels / (this.options.groups ?? 1)) * this.kernel * this.kernel; }
  get fanOut(): number { return (this.outChannels / (this.options.groups ?? 1)) * this.kernel * this.kernel; }

  /** Output height and width for inputs of [H, W]. */
  outputSize([H, W]: readonly number[]): [number, number] {
    const o = (n: number) => Math.floor((n + 2 * (this.options.padding as number) - (this.options.dilation as number) * (this.kernel - 1) - 1) / (this.options.stride as number)) + 1;
    return [o(H), o(W)];
  }

  /** Weights U[±bound(fan_in, fan_out)] with (seed, stream), bias zero or U[±biasBound] with stream + 1 (as Linear). */
  init(scheme: InitName | string | InitScheme, seed: number, stream = 0): Record<string, Tensor> {
    const s = initScheme(scheme);
    const wb = s.weightBound(this.fanIn, this.fanOut);
    const p: Record<string, Tensor> = { [this.weight]: uniform(this.weightShape, -wb, wb, { seed, stream }) };
    if (this.bias) {
      const bb = s.biasBound(this.fanIn, this.fanOut);
      p[this.bias] = bb > 0 ? uniform([this.outChannels], -bb, bb, { seed, stream: stream + 1 }) : zeros([this.outChannels]);
    }
    return p;
  }

  forward(params: Record<string, Tensor>, x: Tensor): Tensor {
    const W = params[this.weight];
    if (!W) throw new CritError(`Conv2d ${this.weight}: parameter missing`);
    const b = this.bias ? params[this.bias] : null;
    if (this.bias && !b) throw new CritError(`Conv2d: parameter ${this.bias} missing`);
    return conv2d(x, W, b, this.options);
  }
}
