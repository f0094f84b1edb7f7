// Declaring a model's parameters once: each layer helper records its tensors' names (PyTorch state_dict names),
// shapes and default init, and returns the layer as a function of (params, x). Models built this way (ResNet,
// ViT) get paramNames, paramShapes, init and the shape check from one place.
import type { Tensor } from '../tensor/tensor.js';
import { fmt, sameShape } from '../tensor/shape.js';
import { conv2d } from '../ops/conv.js';
import { mean } from '../ops/reduce.js';
import { mul } from '../ops/elementwise.js';
import { reshape } from '../ops/layout.js';
import { uniform, normalHost } from '../ops/random.js';
import { zeros, full, tensor } from '../ops/create.js';
import { linear as linearOp } from '../nn/linear.js';
import { batchNormEval, layerNorm as layerNormOp } from '../nn/norm.js';
import { CritError } from '../util/errors.js';
import { checkParamShapes, type Params } from '../nn/mlp.js';

export type Layer = (p: Params, x: Tensor) => Tensor;
/** How a tensor starts: U[±bound], N(0, std²), a constant, or given values (a model's fixed tables). */
export type Init = { uniform: number } | { normal: number } | { value: number } | { data: Float32Array };

export class ParamBuilder {
  readonly shapes: Record<string, number[]> = {};
  readonly inits: Record<string, Init> = {};

  constructor(readonly arch: string) {}

  add(name: string, shape: number[], init: Init): string {
    if (name in this.shapes) throw new Error(`${this.arch}: parameter ${name} declared twice`);
    this.shapes[name] = shape;
    this.inits[name] = init;
    return name;
  }

  get names(): string[] { return Object.keys(this.shapes); }

  /** nn.Conv2d (a k x k kernel, or [kh, kw]); torchvision's init for convolutions: kaiming_normal_(fan_out, relu). */
  conv(name: string, cin: number, cout: number, k: number | [number, number], o: { stride?: number; padding?: number | [number, number]; groups?: number; bias?: boolean } = {}): Layer {
    if ((o.groups ?? 1) > 1 && (cin % o.groups! || cout % o.groups!)) throw new CritError(`${this.arch}: ${name}: groups ${o.groups} must divide ${cin} and ${cout} channels`);
    const g = o.groups ?? 1;
    const [kh, kw] = typeof k === 'number' ? [k, k] : k;
    const w = this.add(`${name}.weight`, [cout, cin / g, kh, kw], { normal: Math.sqrt(2 / ((cout / g) * kh * kw)) });
    const b = o.bias ? this.add(`${name}.bias`, [cout], { value: 0 }) : null;
    const opts = { stride: o.stride ?? 1, padding: o.padding ?? 0, groups: g };
    return (p, x) => conv2d(x, p[w], b ? p[b] : null, opts);
  }

  /** nn.BatchNorm2d / 1d in eval mode (weight 1, bias 0, running mean 0, running variance 1 at init). */
  batchNorm(name: string, c: number, eps = 1e-5): Layer {
    const [w, b, m, v] = ([['weight', 1], ['bias', 0], ['running_mean', 0], ['running_var', 1]] as const).map(([k, value]) => this.add(`${name}.${k}`, [c], { value }));
    return (p, x) => batchNormEval(x, { weight: p[w], bias: p[b], runningMean: p[m], runningVar: p[v] }, eps);
  }

  /**
   * A bias-free convolution with padding (k − 1) / 2 and its batch norm, at positions `at` and `at` + 1 of the
   * Sequential `seq` (torchvision's Conv2dNormActivation is `at` 0, without its activation).
   */
  convBn(seq: string, cin: number, cout: number, k: number, o: { stride?: number; groups?: number; eps?: number; at?: number } = {}): Layer {
    const at = o.at ?? 0;
    const conv = this.conv(`${seq}.${at}`, cin, cout, k, { stride: o.stride, groups: o.groups, padding: (k - 1) >> 1 });
    const bn = this.batchNorm(`${seq}.${at + 1}`, cout, o.eps);
    return (p, x) => bn(p, conv(p, x));
  }

  /**
   * torchvision's SqueezeExcitation: x · gate(fc2(act(fc1(mean over H, W of x)))), fc1/fc2 1x1 convolutions with
   * bias (applied as dense layers on the pooled [B, C]).
   */
  squeezeExcitation(name: string, c: number, squeeze: number, act: (t: Tensor) => Tensor, gate: (t: Tensor) => Tensor): Layer {
    const w1 = this.add(`${name}.fc1.weight`, [squeeze, c, 1, 1], { uniform: 1 / Math.sqrt(c) });
    const b1 = this.add(`${name}.fc1.bias`, [squeeze], { uniform: 1 / Math.sqrt(c) });
    const w2 = this.add(`${name}.fc2.weight`, [c, squeeze, 1, 1], { uniform: 1 / Math.sqrt(squeeze) });
    const b2 = this.add(`${name}.fc2.bias`, [c], { uniform: 1 / Math.sqrt(squeeze) });
    return (p, x) => {
      const [B] = x.shape;
      const pooled = mean(x, [2, 3]);
      const s = gate(linearOp(act(linearOp(pooled, reshape(p[w1], [squeeze, c]), p[b1])), reshape(p[w2], [c, squeeze]), p[b2]));
      return mul(x, reshape(s, [B, c, 1, 1]));
    };
  }

  /** nn.Linear ([out, in] weights; PyTorch's default init U[±1/sqrt(in)]). */
  linear(name: string, fin: number, fout: number, bias = true): Layer {
    const bound = 1 / Math.sqrt(fin);
    const w = this.add(`${name}.weight`, [fout, fin], { uniform: bound });
    const b = bias ? this.add(`${name}.bias`, [fout], { uniform: bound }) : null;
    return (p, x) => linearOp(x, p[w], b ? p[b] : null);
  }

  /** nn.LayerNorm over the last axis (weight 1, bias 0). */
  layerNorm(name: string, d: number, eps = 1e-5): Layer {
    const w = this.add(`${name}.weight`, [d], { value: 1 });
    const b = this.add(`${name}.bias`, [d], { value: 0 });
    return (p, x) => layerNormOp(x, p[w], p[b], eps);
  }

  /**
   * Fresh parameters: tensor i (in declaration order) draws from stream i of the seed. Normal draws are made on
   * the host in f64 (Box-Muller through JavaScript's Math), so the same seed gives the same bits on every
   * adapter; the GPU's normal() goes through the device's log and cos, whose last bits differ between drivers.
   */
  init(seed: number): Params {
    return Object.fromEntries(this.names.map((n, i) => {
      const init = this.inits[n], shape = this.shapes[n];
      const t = 'data' in init ? tensor(init.data, shape)
        : 'uniform' in init ? uniform(shape, -init.uniform, init.uniform, { seed, stream: i })
        : 'normal' in init ? tensor(normalHost(shape.reduce((a, b) => a * b, 1), 0, init.normal, { seed, stream: i }), shape)
          : init.value === 0 ? zeros(shape) : full(shape, init.value);
      return [n, t];
    }));
  }

  check(params: Params): void { checkParamShapes(this.arch, this.shapes, params); }
}

/** Parses `key=value` options after a model name (e.g. resnet18:input=3x32x32:classes=10), checking the keys. */
export function archOptions(spec: string, parts: string[], known: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of parts) {
    const m = /^([a-z_]+)=(.+)$/.exec(part);
    if (!m || !(m[1] in known)) {
      throw new CritError(`architecture '${spec}': option '${part}' is not one of ${Object.entries(known).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    }
    out[m[1]] = m[2];
  }
  return out;
}

export function positiveInt(spec: string, key: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new CritError(`architecture '${spec}': ${key} must be a positive integer, got '${v}'`);
  return Number(v);
}

/** A spec's common tail: `head` plus :input=CxHxW where it is not the family's default, and :classes=N unless 1000. */
export function formatSpec(head: string, s: { input: readonly number[]; classes: number }, defaultInput = '3x224x224'): string {
  const parts = [head];
  if (s.input.join('x') !== defaultInput) parts.push(`input=${s.input.join('x')}`);
  if (s.classes !== 1000) parts.push(`classes=${s.classes}`);
  return parts.join(':');
}

export function imageShape(spec: string, v: string): [number, number, number] {
  const dims = v.split('x').map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (dims.length !== 3 || dims.some((d) => !(d >= 1))) throw new CritError(`architecture '${spec}': input '${v}' must be <channels>x<height>x<width>`);
  return dims as [number, number, number];
}

/**
 * What every model-zoo network shares: its parameters declared on a ParamBuilder and its computation as a list
 * of blocks (the stages the criticality metrics renormalise between), applied to images [B, C, H, W] or flat
 * rows [B, C·H·W]. Subclasses push their blocks in the constructor and set `modules` (torchvision's leaf
 * modules, the m of λ0 = log Λ0 / m).
 */
export abstract class ImageClassifier<S extends { classes: number } = { classes: number }> {
  protected readonly b: ParamBuilder;
  protected readonly blocks: Layer[] = [];
  /** torchvision's number of leaf modules: the m of λ0 = log Λ0 / m. */
  modules = 0;

  /** `spec` the parsed architecture, `arch` its canonical string, `image` the input's [C, H, W]. */
  constructor(readonly spec: S, arch: string, readonly image: readonly [number, number, number]) {
    this.b = new ParamBuilder(arch);
  }

  get classes(): number { return this.spec.classes; }

  get arch(): string { return this.b.arch; }
  get inputSize(): number { return this.image[0] * this.image[1] * this.image[2]; }
  get outputSize(): number { return this.classes; }
  /** The m of λ0 = log Λ0 / m. */
  get depth(): number { return this.modules; }
  get paramNames(): string[] { return this.b.names; }
  get paramShapes(): Record<string, number[]> { return this.b.shapes; }
  get paramCount(): number { return Object.values(this.b.shapes).reduce((n, sh) => n + sh.reduce((a, c) => a * c, 1), 0); }
  init({ seed }: { seed: number; scheme?: string }): Params { return this.b.init(seed); }
  checkParams(params: Params): void { this.b.check(params); }

  /** One stage per block for the criticality metrics (flat rows become images in the first). */
  stages(params: Params): ((x: Tensor) => Tensor)[] {
    const [C, H, W] = this.image;
    return this.blocks.map((l, i) => (x: Tensor) => l(params, i === 0 && x.rank === 2 ? reshape(x, [x.shape[0], C, H, W]) : x));
  }

  /** Logits [B, classes] for flat rows [B, C·H·W] or images [B, C, H, W]. */
  forward(params: Params, x: Tensor): Tensor {
    const [C, H, W] = this.image;
    if (!((x.rank === 2 && x.shape[1] === this.inputSize) || (x.rank === 4 && sameShape(x.shape.slice(1), [C, H, W])))) {
      throw new CritError(`${this.arch}: input ${fmt(x.shape)} does not match [batch, ${this.inputSize}] or [batch, ${C}, ${H}, ${W}]`);
    }
    return this.stages(params).reduce((h, st) => st(h), x);
  }
}
