// Declaring a model's parameters once: each layer helper records its tensors' names (PyTorch state_dict names),
// shapes and default init, and returns the layer as a function of (params, x). Models built this way (ResNet,
// ViT) get paramNames, paramShapes, init and the shape check from one place.
import type { Tensor } from '../tensor/tensor.js';
import { fmt, sameShape } from '../tensor/shape.js';
import { conv2d } from '../ops/conv.js';
import { uniform, normalHost } from '../ops/random.js';
import { zeros, full, tensor } from '../ops/create.js';
import { linear as linearOp } from '../nn/linear.js';
import { batchNormEval, layerNorm as layerNormOp } from '../nn/norm.js';
import { CritError } from '../util/errors.js';
import type { Params } from '../nn/mlp.js';

export type Layer = (p: Params, x: Tensor) => Tensor;
/** How a tensor starts: U[±bound], N(0, std²) or a constant. */
export type Init = { uniform: number } | { normal: number } | { value: number };

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

  /** nn.Conv2d (square kernel); torchvision's init for convolutions: kaiming_normal_(fan_out, relu). */
  conv(name: string, cin: number, cout: number, k: number, o: { stride?: number; padding?: number; groups?: number; bias?: boolean } = {}): Layer {
    const g = o.groups ?? 1;
    const w = this.add(`${name}.weight`, [cout, cin / g, k, k], { normal: Math.sqrt(2 / ((cout / g) * k * k)) });
    const b = o.bias ? this.add(`${name}.bias`, [cout], { value: 0 }) : null;
    const opts = { stride: o.stride ?? 1, padding: o.padding ?? 0, groups: g };
    return (p, x) => conv2d(x, p[w], b ? p[b] : null, opts);
  }

  /** nn.BatchNorm2d / 1d in eval mode (weight 1, bias 0, running mean 0, running variance 1 at init). */
  batchNorm(name: string, c: number, eps = 1e-5): Layer {
    const [w, b, m, v] = ([['weight', 1], ['bias', 0], ['running_mean', 0], ['running_var', 1]] as const).map(([k, value]) => this.add(`${name}.${k}`, [c], { value }));
    return (p, x) => batchNormEval(x, { weight: p[w], bias: p[b], runningMean: p[m], runningVar: p[v] }, eps);
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
      const t = 'uniform' in init ? uniform(shape, -init.uniform, init.uniform, { seed, stream: i })
        : 'normal' in init ? tensor(normalHost(shape.reduce((a, b) => a * b, 1), 0, init.normal, { seed, stream: i }), shape)
          : init.value === 0 ? zeros(shape) : full(shape, init.value);
      return [n, t];
    }));
  }

  check(params: Params): void {
    for (const [name, shape] of Object.entries(this.shapes)) {
      const t = params[name];
      if (!t) throw new CritError(`${this.arch}: parameter ${name} ${fmt(shape)} is missing`);
      if (!sameShape(t.shape, shape)) throw new CritError(`${this.arch}: parameter ${name} is ${fmt(t.shape)}, expected ${fmt(shape)}`);
    }
  }
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

export function imageShape(spec: string, v: string): [number, number, number] {
  const dims = v.split('x').map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (dims.length !== 3 || dims.some((d) => !(d >= 1))) throw new CritError(`architecture '${spec}': input '${v}' must be <channels>x<height>x<width>`);
  return dims as [number, number, number];
}
