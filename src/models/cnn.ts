// Convolutional classifiers of the shape Dohare et al. (2024) use for Continual ImageNet (the paper's Fig. 5):
// convolutions, each followed by the activation and 2x2 max pooling, then fully connected layers. As the MLP,
// a pure function of named parameters (PyTorch state_dict names: conv1.weight, ..., fc1.bias), so training,
// autodiff in both modes and the criticality metrics work on it unchanged.
//
// Spec: cnn:<C>x<H>x<W>:<convs>:<fc sizes>:<activation>[:nobias], each conv `<out>k<kernel>[s<stride>][p<pad>]`,
// e.g. Dohare et al.'s ConvNet: cnn:3x32x32:32k5-64k3-128k3:128-128-2:relu.
import { Tensor } from '../tensor/tensor.js';
import { fmt, sameShape } from '../tensor/shape.js';
import { reshape } from '../ops/layout.js';
import { maxPool2d } from '../ops/conv.js';
import { CritError } from '../util/errors.js';
import { activation, isActivation, activations } from '../nn/activations.js';
import { Conv2d } from '../nn/conv.js';
import { Linear } from '../nn/linear.js';
import { checkParamShapes, type InitOptions, type Params } from '../nn/mlp.js';
import type { Stage } from '../criticality/model.js';

export interface ConvSpec { out: number; kernel: number; stride: number; padding: number }
export interface CnnSpec {
  kind: 'cnn';
  /** [channels, height, width] of one input. */
  input: [number, number, number];
  convs: ConvSpec[];
  /** Sizes of the fully connected layers after flattening; the last is the number of classes. */
  fcs: number[];
  activation: string;
  bias: boolean;
}

/** Dohare et al.'s Continual ImageNet network (lop/nets/conv_net.py), 32x32 RGB, two classes per task. */
export const DOHARE_CONVNET = 'cnn:3x32x32:32k5-64k3-128k3:128-128-2:relu';
/** Pooling after every convolution: 2x2 windows, stride 2 (nn.MaxPool2d(2, 2)). */
const POOL = 2;

export function parseCnnArch(spec: string): CnnSpec {
  const usage = `expected cnn:<C>x<H>x<W>:<out>k<kernel>[s<stride>][p<pad>]-...:<fc>-...-<classes>:<activation>[:nobias], e.g. ${DOHARE_CONVNET}`;
  const parts = spec.trim().split(':');
  if (parts[0] !== 'cnn' || parts.length < 5 || parts.length > 6) throw new CritError(`architecture '${spec}': ${usage}`);
  const input = parts[1].split('x').map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (input.length !== 3 || input.some((n) => !(n >= 1))) throw new CritError(`architecture '${spec}': input '${parts[1]}' must be <channels>x<height>x<width>`);
  const convs = parts[2].split('-').map((tok) => {
    const m = /^(\d+)k(\d+)(?:s(\d+))?(?:p(\d+))?$/.exec(tok);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1 || (m[3] !== undefined && Number(m[3]) < 1)) throw new CritError(`architecture '${spec}': convolution '${tok}' must be <out>k<kernel>[s<stride>][p<pad>], e.g. 32k5 or 64k3s1p1`);
    return { out: Number(m[1]), kernel: Number(m[2]), stride: Number(m[3] ?? 1), padding: Number(m[4] ?? 0) };
  });
  const fcs = parts[3].split('-').map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (fcs.some((n) => !(n >= 1))) throw new CritError(`architecture '${spec}': fully connected sizes '${parts[3]}' must be positive integers joined by '-' (the last is the number of classes)`);
  if (!isActivation(parts[4])) throw new CritError(`architecture '${spec}': unknown activation '${parts[4]}' (known: ${Object.keys(activations).join(', ')})`);
  if (parts[5] !== undefined && parts[5] !== 'nobias') throw new CritError(`architecture '${spec}': unknown flag '${parts[5]}' (known: nobias)`);
  return { kind: 'cnn', input: input as [number, number, number], convs, fcs, activation: parts[4], bias: parts[5] === undefined };
}

export function formatCnnArch(s: CnnSpec): string {
  const conv = (c: ConvSpec) => `${c.out}k${c.kernel}${c.stride !== 1 ? `s${c.stride}` : ''}${c.padding ? `p${c.padding}` : ''}`;
  return `cnn:${s.input.join('x')}:${s.convs.map(conv).join('-')}:${s.fcs.join('-')}:${s.activation}${s.bias ? '' : ':nobias'}`;
}

export class CNN {
  readonly kind = 'cnn';
  readonly spec: CnnSpec;
  readonly convs: Conv2d[];
  readonly linears: Linear[];
  /** [C, H, W] after each convolution block (conv, activation, pooling). */
  readonly blockShapes: [number, number, number][];
  private readonly act: (x: Tensor) => Tensor;

  constructor(spec: CnnSpec | string) {
    this.spec = typeof spec === 'string' ? parseCnnArch(spec) : spec;
    const { input, convs, fcs, bias } = this.spec;
    this.act = activation(this.spec.activation);
    let [C, H, W] = input;
    this.blockShapes = [];
    this.convs = convs.map((c, i) => {
      const layer = new Conv2d(C, c.out, c.kernel, `conv${i + 1}`, { stride: c.stride, padding: c.padding, bias });
      const [oh, ow] = layer.outputSize([H, W]);
      if (oh < 1 || ow < 1) throw new CritError(`${this.arch}: conv${i + 1} (${c.kernel}x${c.kernel}) does not fit its ${H}x${W} input`);
      [C, H, W] = [c.out, Math.floor(oh / POOL), Math.floor(ow / POOL)];
      if (H < 1 || W < 1) throw new CritError(`${this.arch}: the 2x2 pooling after conv${i + 1} leaves no pixels (its output is ${oh}x${ow})`);
      this.blockShapes.push([C, H, W]);
      return layer;
    });
    const sizes = [C * H * W, ...fcs];
    this.linears = fcs.map((out, i) => new Linear(sizes[i], out, { bias, prefix: `fc${i + 1}` }));
  }

  get arch(): string { return formatCnnArch(this.spec); }
  get inputSize(): number { return this.spec.input[0] * this.spec.input[1] * this.spec.input[2]; }
  get outputSize(): number { return this.spec.fcs[this.spec.fcs.length - 1]; }
  /** Weight layers (convolutions and fully connected): the L of λ0 = log Λ0 / L. */
  get depth(): number { return this.convs.length + this.linears.length; }
  get paramNames(): string[] { return [...this.convs, ...this.linears].flatMap((l) => (l.bias ? [l.weight, l.bias] : [l.weight])); }
  get paramShapes(): Record<string, number[]> {
    const s: Record<string, number[]> = {};
    for (const c of this.convs) { s[c.weight] = c.weightShape; if (c.bias) s[c.bias] = [c.outChannels]; }
    for (const l of this.linears) { s[l.weight] = [l.outFeatures, l.inFeatures]; if (l.bias) s[l.bias] = [l.outFeatures]; }
    return s;
  }
  get paramCount(): number { return Object.values(this.paramShapes).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0); }

  /** Fresh parameters: weight layer i (convolutions first) draws with stream 2i, its bias with 2i + 1. Default: PyTorch's init. */
  init({ scheme = 'torch', seed }: InitOptions): Params {
    return Object.assign({}, ...[...this.convs, ...this.linears].map((l, i) => l.init(scheme, seed, 2 * i)));
  }

  checkParams(params: Params): void { checkParamShapes(this.arch, this.paramShapes, params); }

  /**
   * One stage per weight layer, as the criticality metrics take them: flat rows [B, C·H·W] → conv block 1
   * (conv, activation, pooling) → ... → fc1 (flattening first) → ... → logits (no activation).
   */
  stages(params: Params): Stage[] {
    const [C, H, W] = this.spec.input;
    const convs: Stage[] = this.convs.map((c, i) => (h: Tensor) => {
      const x = i === 0 && h.rank === 2 ? reshape(h, [h.shape[0], C, H, W]) : h;
      return maxPool2d(this.act(c.forward(params, x)), { kernel: POOL });
    });
    const last = this.linears.length - 1;
    const fcs: Stage[] = this.linears.map((l, i) => (h: Tensor) => {
      const z = l.forward(params, i === 0 ? reshape(h, [h.shape[0], l.inFeatures]) : h);
      return i === last ? z : this.act(z);
    });
    return [...convs, ...fcs];
  }

  /** Logits [B, classes] for inputs [B, C·H·W] (flat rows, as datasets hold them) or images [B, C, H, W]. */
  forward(params: Params, x: Tensor): Tensor {
    const [C, H, W] = this.spec.input;
    const ok = (x.rank === 2 && x.shape[1] === this.inputSize) || (x.rank === 4 && sameShape(x.shape.slice(1), [C, H, W]));
    if (!ok) throw new CritError(`${this.arch}: input ${fmt(x.shape)} does not match [batch, ${this.inputSize}] or [batch, ${C}, ${H}, ${W}]`);
    return this.stages(params).reduce((h, stage) => stage(h), x);
  }
}
