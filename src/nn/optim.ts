// Optimizers that update parameters in place on the GPU: one fused dispatch per parameter tensor
// (shaders/optim.wgsl), no readback, nothing recorded on tapes (the kernel is not an op). The parameter
// tensors keep their identity, so a Params record stays valid across steps. Rules follow torch.optim.
import source from '../../shaders/optim.wgsl';
import { Tensor } from '../tensor/tensor.js';
import { fmt, sameShape } from '../tensor/shape.js';
import { ParamWriter } from '../ops/launch.js';
import { zeros } from '../ops/create.js';
import { CritError } from '../util/errors.js';
import type { Params } from './mlp.js';

export interface Optimizer {
  /** Learning rate of the next step (a schedule sets it per epoch). */
  lr: number;
  /** Steps taken so far. */
  readonly steps: number;
  /** Applies one update from gradients by parameter name (or a list in the order of the params record). */
  step(grads: Params | Tensor[]): void;
  /**
   * The state tensors by name, `<param>.<slot>` with torch's slot names (SGD: momentum_buffer; Adam: exp_avg,
   * exp_avg_sq), for checkpoints. The tensors are the optimizer's own: read them, do not dispose them.
   */
  stateTensors(): Record<string, Tensor>;
  /** Puts saved state back (every name of stateTensors(), same shapes) and the step count it was taken at. */
  restoreState(state: Record<string, { shape: readonly number[]; data: Float32Array }>, steps: number): void;
  /** Releases the optimizer's state (momentum, moments); the parameters stay. */
  dispose(): void;
}

export interface SGDOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
}

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  /** Decoupled weight decay (AdamW) instead of L2 added to the gradient. */
  decoupled?: boolean;
}

function checkNum(what: string, v: number, lo: number, hi = Infinity, hiOpen = false): number {
  if (!Number.isFinite(v) || v < lo || (hiOpen ? v >= hi : v > hi)) throw new CritError(`${what} must be in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${v}`);
  return v;
}

abstract class InPlace implements Optimizer {
  lr: number;
  steps = 0;
  protected abstract readonly slots: readonly string[];
  protected readonly names: string[];
  protected readonly state: Record<string, Tensor[]> = {};

  constructor(protected readonly params: Params, lr: number, stateTensors: number) {
    this.names = Object.keys(params);
    if (this.names.length === 0) throw new CritError('optimizer: no parameters');
    this.lr = checkNum('learning rate', lr, 0);
    for (const n of this.names) {
      const p = params[n];
      if (p.dtype !== 'f32') throw new CritError(`optimizer: parameter ${n} is ${p.dtype}, not f32`);
      this.state[n] = Array.from({ length: stateTensors }, () => zeros(p.shape));
    }
  }

  step(grads: Params | Tensor[]): void {
    checkNum('learning rate', this.lr, 0);
    const list = Array.isArray(grads) ? grads : null;
    if (list && list.length !== this.names.length) throw new CritError(`optimizer: ${list.length} gradients for ${this.names.length} parameters (${this.names.join(', ')})`);
    this.steps++;
    this.names.forEach((n, i) => {
      const g = list ? list[i] : (grads as Params)[n];
      if (!g) return; // a parameter without a gradient this step is left alone
      const p = this.params[n];
      if (!sameShape(g.shape, p.shape)) throw new CritError(`optimizer: gradient of ${n} is ${fmt(g.shape)}, the parameter is ${fmt(p.shape)}`);
      if (g.buffer === p.buffer) throw new CritError(`optimizer: the gradient of ${n} shares memory with the parameter; copy it first`);
      if (p.size === 0) return;
      const { defines, uniforms } = this.rule();
      p.engine.dispatch({
        kernel: { name: 'optim', source, defines },
        label: this.label,
        buffers: [p.buffer, g.buffer, ...this.state[n].map((t) => t.buffer)],
        params: uniforms.u32(p.size).buffer,
        indices: p.size,
        bytes: 4 * p.size * (3 + 2 * this.state[n].length),
        flops: 8 * p.size,
      });
    });
  }

  stateTensors(): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const n of this.names) this.state[n].forEach((t, k) => { out[`${n}.${this.slots[k]}`] = t; });
    return out;
  }

  restoreState(state: Record<string, { shape: readonly number[]; data: Float32Array }>, steps: number): void {
    if (!Number.isInteger(steps) || steps < 0) throw new CritError(`optimizer: steps must be an integer >= 0, got ${steps}`);
    const mine = this.stateTensors();
    const extra = Object.keys(state).filter((k) => !(k in mine));
    if (extra.length) throw new CritError(`optimizer: saved state has ${extra.join(', ')}, which this optimizer does not (it has ${Object.keys(mine).join(', ') || 'no state'})`);
    for (const [k, t] of Object.entries(mine)) {
      const s = state[k];
      if (!s) throw new CritError(`optimizer: saved state lacks ${k}`);
      if (!sameShape(s.shape, t.shape) || s.data.length !== t.size) throw new CritError(`optimizer: saved ${k} is ${fmt(s.shape)}, the optimizer's is ${fmt(t.shape)}`);
    }
    for (const [k, t] of Object.entries(mine)) if (t.size > 0) t.engine.write(t.buffer, state[k].data, 0, true);
    this.steps = steps;
  }

  /** Defines of the kernel variant and the uniforms (without n, written last by step()). */
  protected abstract rule(): { defines: Record<string, boolean>; uniforms: Uniforms };
  protected abstract readonly label: string;

  dispose(): void {
    for (const ts of Object.values(this.state)) for (const t of ts) t.dispose();
  }
}

/** The kernel's Params struct, n last so rule() needs no sizes. */
class Uniforms {
  constructor(private v: { first: boolean; lr: number; wd: number; mu?: number; damp?: number; b1?: number; b2?: number; eps?: number; stepSize?: number; sqrtBc2?: number }) {}
  u32(n: number): ParamWriter {
    const v = this.v;
    return new ParamWriter().u32(n).u32(v.first ? 1 : 0).f32(v.lr).f32(v.wd)
      .f32(v.mu ?? 0).f32(v.damp ?? 0).f32(v.b1 ?? 0).f32(v.b2 ?? 0)
      .f32(v.eps ?? 0).f32(v.stepSize ?? 0).f32(v.sqrtBc2 ?? 1).f32(0);
  }
}

/** Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 weight decay (torch.optim.SGD). */
export class SGD extends InPlace {
  protected readonly label = 'optim_sgd';
  protected readonly slots = ['momentum_buffer'];
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(params: Params, o: SGDOptions) {
    const momentum = checkNum('SGD momentum', o.momentum ?? 0, 0, 1, true);
    super(params, o.lr, momentum > 0 ? 1 : 0);
    this.momentum = momentum;
    this.dampening = checkNum('SGD dampening', o.dampening ?? 0, 0, 1);
    this.weightDecay = checkNum('SGD weight decay', o.weightDecay ?? 0, 0);
    this.nesterov = !!o.nesterov;
    if (this.nesterov && (this.momentum === 0 || this.dampening !== 0)) throw new CritError('SGD: Nesterov momentum needs momentum > 0 and dampening 0');
  }

  protected rule() {
    return {
      defines: { ADAM: false, DECOUPLED: false, STATE1: this.momentum > 0, NESTEROV: this.nesterov },
      uniforms: new Uniforms({ first: this.steps === 1, lr: this.lr, wd: this.weightDecay, mu: this.momentum, damp: this.dampening }),
    };
  }
}

/** Adam (torch.optim.Adam), or AdamW with `decoupled: true`. */
export class Adam extends InPlace {
  protected readonly label = 'optim_adam';
  protected readonly slots = ['exp_avg', 'exp_avg_sq'];
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  readonly decoupled: boolean;

  constructor(params: Params, o: AdamOptions = {}) {
    super(params, o.lr ?? 1e-3, 2);
    const [b1, b2] = o.betas ?? [0.9, 0.999];
    this.betas = [checkNum('Adam beta1', b1, 0, 1, true), checkNum('Adam beta2', b2, 0, 1, true)];
    this.eps = checkNum('Adam eps', o.eps ?? 1e-8, 0);
    this.weightDecay = checkNum('Adam weight decay', o.weightDecay ?? 0, 0);
    this.decoupled = !!o.decoupled;
  }

  protected rule() {
    const [b1, b2] = this.betas, t = this.steps;
    // Bias corrections in f64 on the host, as torch computes them in Python floats.
    const bc1 = 1 - b1 ** t, bc2 = 1 - b2 ** t;
    return {
      defines: { ADAM: true, DECOUPLED: this.decoupled, STATE1: true, NESTEROV: false },
      uniforms: new Uniforms({ first: t === 1, lr: this.lr, wd: this.weightDecay, b1, b2, eps: this.eps, stepSize: this.lr / bc1, sqrtBc2: Math.sqrt(bc2) }),
    };
  }
}

/** lr0 · gamma^epoch (the paper: 1e-3 · 0.997^epoch), epoch counted from 0. */
export function exponentialDecay(lr0: number, gamma: number): (epoch: number) => number {
  checkNum('learning rate', lr0, 0);
  checkNum('decay factor', gamma, 0);
  return (epoch) => lr0 * gamma ** epoch;
}
