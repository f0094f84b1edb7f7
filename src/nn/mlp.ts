// The multilayer perceptron as a pure function of named parameters and inputs, built from the engine's
// differentiable ops: vjp/jvp (and vjp over jvp) with respect to the parameters or the input just work.
// Parameters are W1, b1, W2, b2, ... with weights in PyTorch's [out, in] layout (y = x Wᵀ + b).
import { Tensor } from '../tensor/tensor.js';
import { fmt, sameShape } from '../tensor/shape.js';
import { reshape } from '../ops/layout.js';
import { CritError } from '../util/errors.js';
import { activation } from './activations.js';
import { parseArch, formatArch, type MlpSpec } from './arch.js';
import { type InitName, type InitScheme } from './init.js';
import { Linear } from './linear.js';
import { mlpStages } from '../criticality/loss.js';
import type { Stage } from '../criticality/model.js';

/** Named parameter tensors (W1, b1, ...). */
export type Params = Record<string, Tensor>;

export interface LayerInfo {
  /** 1-based, as in the parameter names. */
  index: number;
  inFeatures: number;
  outFeatures: number;
  weight: string;
  bias: string | null;
  /** Activation after this layer ('identity' for the output layer: it gives logits). */
  activation: string;
}

/** What the training loop and the criticality code need from a model: a pure function of named parameters. */
export interface Model {
  readonly arch: string;
  readonly paramNames: string[];
  readonly paramShapes: Record<string, number[]>;
  readonly inputSize: number;
  readonly outputSize: number;
  /** Number of weight layers L. */
  readonly depth: number;
  readonly layers: readonly LayerInfo[];
  forward(params: Params, x: Tensor): Tensor;
  init(o: InitOptions): Params;
}

export interface InitOptions {
  scheme?: InitName | string | InitScheme;
  seed: number;
}

export class MLP implements Model {
  readonly kind = 'mlp';
  readonly spec: MlpSpec;
  readonly layers: readonly LayerInfo[];
  private readonly act: (x: Tensor) => Tensor;
  private readonly linears: Linear[];

  constructor(spec: MlpSpec | string) {
    this.spec = typeof spec === 'string' ? parseArch(spec) : spec;
    const { sizes, bias } = this.spec;
    this.layers = sizes.slice(1).map((out, i) => ({
      index: i + 1, inFeatures: sizes[i], outFeatures: out,
      weight: `W${i + 1}`, bias: bias ? `b${i + 1}` : null,
      activation: i === sizes.length - 2 ? 'identity' : this.spec.activation,
    }));
    this.act = activation(this.spec.activation);
    this.linears = this.layers.map((l) => new Linear(l.inFeatures, l.outFeatures, { bias, name: String(l.index) }));
  }

  /** The canonical spec string, e.g. mlp:784-1000-500-10:scaled-tanh. */
  get arch(): string { return formatArch(this.spec); }
  get inputSize(): number { return this.spec.sizes[0]; }
  get outputSize(): number { return this.spec.sizes[this.spec.sizes.length - 1]; }
  /** Number of weight layers L (λ0 = log Λ0 / L). */
  get depth(): number { return this.layers.length; }
  get paramNames(): string[] { return this.layers.flatMap((l) => (l.bias ? [l.weight, l.bias] : [l.weight])); }
  get paramShapes(): Record<string, number[]> {
    const s: Record<string, number[]> = {};
    for (const l of this.layers) {
      s[l.weight] = [l.outFeatures, l.inFeatures];
      if (l.bias) s[l.bias] = [l.outFeatures];
    }
    return s;
  }
  get paramCount(): number { return this.layers.reduce((n, l) => n + l.outFeatures * (l.inFeatures + (l.bias ? 1 : 0)), 0); }

  /** Fresh parameters: layer l draws its weights with stream 2(l-1) and (scheme 'torch') its bias with 2(l-1)+1. */
  init({ scheme = 'init0', seed }: InitOptions): Params {
    return Object.assign({}, ...this.linears.map((lin, i) => lin.init(scheme, seed, 2 * i)));
  }

  /** Throws unless params holds every tensor this model needs, with the right shapes. */
  checkParams(params: Params): void { checkParamShapes(this.arch, this.paramShapes, params); }

  /** One stage per weight layer, h → g(h Wᵀ + b) (the last without g): what the criticality metrics take. */
  stages(params: Params): Stage[] {
    return mlpStages(this, params);
  }

  /** Logits [batch, out] for inputs [batch, in] (a single input [in] gives [out]). */
  forward(params: Params, x: Tensor): Tensor {
    return this.forwardTrace(params, x).output;
  }

  /** The forward pass with every layer's pre-activation z_l = h_{l-1} W_lᵀ + b_l and output h_l. */
  forwardTrace(params: Params, x: Tensor): { pre: Tensor[]; post: Tensor[]; output: Tensor } {
    const single = x.rank === 1;
    if ((single ? x.shape[0] : x.shape[x.rank - 1]) !== this.inputSize || x.rank > 2) {
      throw new CritError(`${this.arch}: input ${fmt(x.shape)} does not match [batch, ${this.inputSize}]`);
    }
    let h = single ? reshape(x, [1, this.inputSize]) : x;
    const pre: Tensor[] = [], post: Tensor[] = [];
    this.linears.forEach((lin, i) => {
      const z = lin.forward(params, h);
      h = this.layers[i].activation === 'identity' ? z : this.act(z);
      pre.push(z);
      post.push(h);
    });
    const output = single ? reshape(h, [this.outputSize]) : h;
    return { pre, post, output };
  }
}

/** Throws unless `params` holds a tensor of the right shape for every name of `shapes` (any model's check). */
export function checkParamShapes(arch: string, shapes: Record<string, number[]>, params: Params): void {
  for (const [name, shape] of Object.entries(shapes)) {
    const t = params[name];
    if (!t) throw new CritError(`${arch}: parameter ${name} ${fmt(shape)} is missing (have: ${Object.keys(params).join(', ') || 'none'})`);
    if (!sameShape(t.shape, shape)) throw new CritError(`${arch}: parameter ${name} is ${fmt(t.shape)}, expected ${fmt(shape)}`);
  }
}

/** A model from its spec string (today: MLPs). */
export function buildModel(spec: string): MLP {
  return new MLP(spec);
}

/** Parameters in the model's order, for grad()/vjp() which take lists. */
export function paramList(model: { paramNames: string[] }, params: Params): Tensor[] {
  return model.paramNames.map((n) => {
    const t = params[n];
    if (!t) throw new CritError(`parameter ${n} is missing`);
    return t;
  });
}

/** The inverse of paramList. */
export function paramRecord(model: { paramNames: string[] }, list: Tensor[]): Params {
  const names = model.paramNames;
  if (list.length !== names.length) throw new CritError(`${list.length} tensors for ${names.length} parameters (${names.join(', ')})`);
  return Object.fromEntries(names.map((n, i) => [n, list[i]]));
}

/** Releases every tensor of a parameter set. */
export function disposeParams(params: Params): void {
  for (const t of Object.values(params)) t.dispose();
}
