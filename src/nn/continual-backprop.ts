// Continual backpropagation (Dohare et al., Nature 2024): after every SGD step, generate-and-test replaces a
// small fraction ρ of each hidden layer's units that have the lowest utility and are older than a maturity
// threshold. A replaced unit gets fresh input weights (U[±bound]), a zero bias and zero outgoing weights, so it
// starts without disturbing what the network computes. The rules follow the authors' convGnT.py:
//   u ← η u + (1 − η) · mean_positions(mean_batch |h − c| · mean_out |w_out|)   ('contribution': c = 0;
//   'adaptable_contribution': c = the unit's bias-corrected mean activation, and the result divided by mean |w_in|),
// bias-corrected by 1 − η^age; ρ · units accumulates per step (only while some unit is mature) and its integer
// part of the mature units with the lowest corrected utility is replaced. With ρ = 0 nothing happens at all:
// the same run as plain backpropagation.
//
// Utilities live on the GPU and are updated inside each step; they are read back only on steps that replace
// units (every ~1/(ρ·units) steps), and the replacement writes rows and columns in place, so parameters and
// the optimizer keep their tensors.
import { Tensor, scope } from '../tensor/tensor.js';
import { abs, add, div, mul, scale, sub } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { concat, reshape, stridedCopy } from '../ops/layout.js';
import { noGrad } from '../autodiff/state.js';
import { zeros } from '../ops/create.js';
import { uniformHost } from '../ops/random.js';
import type { HostArray } from '../io/host.js';
import { CritError } from '../util/errors.js';
import type { Params } from './mlp.js';
import type { Optimizer } from './optim.js';
import type { StepHook, StepInfo } from './train.js';

/** One layer of hidden units as generate-and-test sees it. */
export interface UnitLayer {
  /** Weight whose rows (first axis) are the units' input weights: [units, fan-in...]. */
  weight: string;
  bias: string | null;
  units: number;
  /** Inputs per unit (the product of the weight's other axes). */
  fanIn: number;
  /** Bound of the new input weights, U[−bound, bound]. */
  bound: number;
  /** The next layer's weight, whose inputs are these units. */
  next: string;
  /** 'linear': next is [out, units · positions] with a unit's columns contiguous; 'conv': [out, units, kh, kw]. */
  nextKind: 'linear' | 'conv';
  /** Columns of the next (linear) weight per unit: the positions of a flattened feature map; 1 otherwise. */
  positions: number;
  /** Elements of one unit's slice of the next weight per output row ('conv': kh·kw; 'linear': positions). */
  nextBlock: number;
  /** Rows of the next weight. */
  nextOut: number;
}

export type UtilityType = 'contribution' | 'adaptable_contribution';

export interface ContinualBackpropOptions {
  /** ρ: units replaced per unit and step (the paper: 3e-3 ... 3e-9; Dohare et al.'s Continual ImageNet: 3e-4). */
  replacementRate: number;
  /** η of the running utility (default 0.99). */
  decay?: number;
  /** Steps a unit must live before it can be replaced (default 100). */
  maturity?: number;
  /** Default 'contribution'; Dohare et al.'s Continual ImageNet configuration uses 'adaptable_contribution'. */
  utility?: UtilityType;
  /** Seed of the new input weights (each layer its own stream; draws continue across replacements). */
  seed: number;
  /**
   * Also zero the optimizer's state (momentum, Adam moments) of the replaced weights. Dohare et al. do this only
   * for Adam; with SGD their momentum buffers are left as they are, which is the default here too.
   */
  resetOptimizerState?: boolean;
  /** Told of every replacement: the unit layer's index and the units, in the order they drew their weights. */
  onReplace?: (layer: number, units: number[]) => void;
}

/** The units of an MLP or of a `cnn:` network: every weight layer but the last. */
export function unitLayers(model: ModelWithUnits): UnitLayer[] {
  if (model.kind === 'mlp') {
    const ls = model.layers;
    return ls.slice(0, -1).map((l, i) => ({
      weight: l.weight, bias: l.bias, units: l.outFeatures, fanIn: l.inFeatures, bound: 1 / Math.sqrt(l.inFeatures),
      next: ls[i + 1].weight, nextKind: 'linear' as const, positions: 1, nextBlock: 1, nextOut: ls[i + 1].outFeatures,
    }));
  }
  if (model.kind === 'cnn') {
    const { convs, linears, blockShapes } = model;
    const out: UnitLayer[] = convs.map((c, i) => {
      const nextConv = convs[i + 1];
      const [, H, W] = blockShapes[i];
      const base = { weight: c.weight, bias: c.bias, units: c.outChannels, fanIn: c.fanIn, bound: 1 / Math.sqrt(c.fanIn) };
      return nextConv
        ? { ...base, next: nextConv.weight, nextKind: 'conv' as const, positions: 1, nextBlock: nextConv.kernel * nextConv.kernel, nextOut: nextConv.outChannels }
        : { ...base, next: linears[0].weight, nextKind: 'linear' as const, positions: H * W, nextBlock: H * W, nextOut: linears[0].outFeatures };
    });
    for (let i = 0; i < linears.length - 1; i++) {
      const l = linears[i], n = linears[i + 1];
      out.push({ weight: l.weight, bias: l.bias, units: l.outFeatures, fanIn: l.inFeatures, bound: 1 / Math.sqrt(l.inFeatures), next: n.weight, nextKind: 'linear', positions: 1, nextBlock: 1, nextOut: n.outFeatures });
    }
    return out;
  }
  throw new CritError(`continual backpropagation: no unit layout for a ${(model as { kind: string }).kind} model (MLPs and cnn: networks have one)`);
}

/** What unitLayers() reads from a model. */
export type ModelWithUnits =
  | { kind: 'mlp'; layers: readonly { weight: string; bias: string | null; inFeatures: number; outFeatures: number }[] }
  | {
    kind: 'cnn';
    convs: readonly { weight: string; bias: string | null; outChannels: number; kernel: number; fanIn: number }[];
    linears: readonly { weight: string; bias: string | null; inFeatures: number; outFeatures: number }[];
    blockShapes: readonly (readonly [number, number, number])[];
  };

/** Host-side state of a layer: unit ages (steps since creation), the fractional replacement count, random draws used. */
interface LayerCounters { ages: Float64Array; accumulated: number; drawn: number }

export type ContinualBackpropCounters = { ages: number[]; accumulated: number; drawn: number; replaced: number }[];

export class ContinualBackprop implements StepHook {
  readonly rate: number;
  readonly decay: number;
  readonly maturity: number;
  readonly utility: UtilityType;
  /** Units replaced so far, per layer. */
  readonly replaced: number[];
  private readonly util: Tensor[];
  private readonly meanAct: Tensor[];
  private readonly counters: LayerCounters[];
  private readonly due: number[];
  private readonly zero: Tensor;

  constructor(readonly layers: UnitLayer[], private readonly params: Params, private readonly optimizer: Optimizer | null, private readonly o: ContinualBackpropOptions) {
    if (!(o.replacementRate >= 0 && o.replacementRate <= 1)) throw new CritError(`continual backpropagation: the replacement rate must be in [0, 1], got ${o.replacementRate}`);
    this.rate = o.replacementRate;
    this.decay = o.decay ?? 0.99;
    if (!(this.decay >= 0 && this.decay < 1)) throw new CritError(`continual backpropagation: the utility decay must be in [0, 1), got ${this.decay}`);
    this.maturity = o.maturity ?? 100;
    if (!(Number.isInteger(this.maturity) && this.maturity >= 0)) throw new CritError(`continual backpropagation: maturity must be an integer >= 0, got ${this.maturity}`);
    this.utility = o.utility ?? 'contribution';
    if (this.utility !== 'contribution' && this.utility !== 'adaptable_contribution') throw new CritError(`continual backpropagation: unknown utility '${this.utility}' (known: contribution, adaptable_contribution)`);
    for (const l of layers) {
      for (const n of [l.weight, l.next, ...(l.bias ? [l.bias] : [])]) if (!params[n]) throw new CritError(`continual backpropagation: parameter ${n} is missing`);
      const w = params[l.weight], nx = params[l.next];
      if (w.shape[0] !== l.units || w.size !== l.units * l.fanIn) throw new CritError(`continual backpropagation: ${l.weight} is [${w.shape.join(', ')}], expected ${l.units} units of ${l.fanIn} inputs`);
      if (nx.size !== l.nextOut * l.units * l.nextBlock) throw new CritError(`continual backpropagation: ${l.next} is [${nx.shape.join(', ')}], expected ${l.nextOut} rows of ${l.units} x ${l.nextBlock}`);
    }
    this.util = layers.map((l) => zeros([l.units]));
    this.meanAct = layers.map((l) => zeros([l.units]));
    this.counters = layers.map((l) => ({ ages: new Float64Array(l.units), accumulated: 0, drawn: 0 }));
    this.replaced = layers.map(() => 0);
    this.due = layers.map(() => 0);
    this.zero = zeros([1]);
  }

  update({ hidden, params }: StepInfo): void {
    if (this.rate === 0) return;
    if (!hidden) throw new CritError('continual backpropagation needs the hidden activations: train with crossEntropyLoss(model, { hidden: true })');
    if (hidden.length < this.layers.length) throw new CritError(`continual backpropagation: ${hidden.length} hidden activations for ${this.layers.length} unit layers`);
    this.layers.forEach((l, i) => {
      const c = this.counters[i];
      for (let u = 0; u < l.units; u++) c.ages[u]++;
      // 1 − η^age per unit, for bias-correcting the running means of units of different ages.
      const correction = Float32Array.from(c.ages, (a) => 1 - this.decay ** a);
      scope(() => this.updateUtility(i, hidden[i], params, correction));
      let mature = 0;
      for (let u = 0; u < l.units; u++) if (c.ages[u] > this.maturity) mature++;
      if (mature === 0) return;
      c.accumulated += this.rate * l.units;
      const n = Math.floor(c.accumulated);
      c.accumulated -= n;
      this.due[i] = Math.min(n, mature);
    });
  }

  private updateUtility(i: number, h: Tensor, params: Params, correction: Float32Array): void {
    const l = this.layers[i], B = h.shape[0];
    if (h.size % (B * l.units) !== 0) throw new CritError(`continual backpropagation: hidden activation ${i} [${h.shape.join(', ')}] does not hold ${l.units} units per sample`);
    const P = h.size / (B * l.units);
    if (l.nextKind === 'linear' && P !== l.positions) throw new CritError(`continual backpropagation: hidden activation ${i} has ${P} positions per unit, ${l.next} expects ${l.positions}`);
    const h3 = reshape(h, [B, l.units, P]);
    const eta = this.decay;
    let centered = h3;
    if (this.utility === 'adaptable_contribution') {
      const meanAct = add(scale(this.meanAct[i], eta), scale(mean(h3, [0, 2]), 1 - eta));
      copyInto(meanAct, this.meanAct[i]);
      centered = sub(h3, reshape(div(meanAct, Tensor.from(correction)), [1, l.units, 1]));
    }
    const act = mean(abs(centered), [0]); // [units, P]
    const wn = params[l.next];
    const outMag = l.nextKind === 'linear'
      ? reshape(mean(abs(wn), [0]), [l.units, P])
      : reshape(mean(abs(wn), [0, 2, 3]), [l.units, 1]);
    let fresh = mean(mul(act, outMag), [1]);
    if (this.utility === 'adaptable_contribution') fresh = div(fresh, mean(abs(reshape(params[l.weight], [l.units, l.fanIn])), [1]));
    copyInto(add(scale(this.util[i], eta), scale(fresh, 1 - eta)), this.util[i]);
  }

  /** Replaces the units due this step: one readback of the utilities of the layers concerned. */
  async settle(): Promise<void> {
    const due = this.layers.map((_, i) => i).filter((i) => this.due[i] > 0);
    if (due.length === 0) return;
    const all = due.length === 1 ? this.util[due[0]] : noGrad(() => concat(due.map((i) => this.util[i]), 0));
    const values = await all.readF32();
    if (all !== this.util[due[0]]) all.dispose();
    let offset = 0;
    for (const i of due) {
      const n = this.due[i], { ages } = this.counters[i];
      this.due[i] = 0;
      const candidates: { u: number; v: number }[] = [];
      for (let u = 0; u < ages.length; u++) if (ages[u] > this.maturity) candidates.push({ u, v: values[offset + u] / (1 - this.decay ** ages[u]) });
      candidates.sort((a, b) => a.v - b.v || a.u - b.u);
      this.replace(i, candidates.slice(0, n).map((c) => c.u));
      offset += ages.length;
    }
  }

  /** New input weights, zero bias and outgoing weights, a fresh utility and age for these units of layer i. */
  private replace(i: number, units: number[]): void {
    const l = this.layers[i], c = this.counters[i];
    const fresh = uniformHost(units.length * l.fanIn, -l.bound, l.bound, { seed: this.o.seed, stream: 0x5eed0000 + i, offset: c.drawn });
    c.drawn += fresh.length;
    const rows = Tensor.from(fresh, [units.length, l.fanIn]);
    const resetState = this.o.resetOptimizerState ? this.optimizer?.stateTensors() ?? {} : {};
    const stateOf = (name: string) => Object.entries(resetState).filter(([k]) => k.startsWith(`${name}.`)).map(([, t]) => t);
    units.forEach((u, k) => {
      stridedCopy(rows, k * l.fanIn, [1], this.params[l.weight], u * l.fanIn, [1], [l.fanIn], 'cbp_rows');
      for (const s of stateOf(l.weight)) this.zeroBlock(s, u * l.fanIn, [l.fanIn], [1]);
      for (const t of l.bias ? [this.params[l.bias], ...stateOf(l.bias)] : []) this.zeroBlock(t, u, [1], [1]);
      // The unit's slice of every row of the next weight: columns u·P .. u·P + P − 1 (linear), or channel u (conv).
      for (const t of [this.params[l.next], ...stateOf(l.next)]) this.zeroBlock(t, u * l.nextBlock, [l.nextOut, l.nextBlock], [l.units * l.nextBlock, 1]);
      this.zeroBlock(this.util[i], u, [1], [1]);
      this.zeroBlock(this.meanAct[i], u, [1], [1]);
      c.ages[u] = 0;
    });
    rows.dispose();
    this.replaced[i] += units.length;
    this.o.onReplace?.(i, units);
  }

  private zeroBlock(t: Tensor, offset: number, shape: number[], strides: number[]): void {
    stridedCopy(this.zero, 0, shape.map(() => 0), t, offset, strides, shape, 'cbp_zero');
  }

  /** Utilities and mean activations (the hook's own GPU tensors: read them, do not dispose them), for checkpoints. */
  stateTensors(): Record<string, Tensor> {
    return Object.fromEntries(this.layers.flatMap((_, i) => [[`${i}.util`, this.util[i]], [`${i}.mean_act`, this.meanAct[i]]]));
  }

  /** The host counters (ages, fractional replacement counts, draws used, units replaced) as JSON, for checkpoints. */
  counterState(): ContinualBackpropCounters {
    return this.layers.map((_, i) => {
      const c = this.counters[i];
      return { ages: Array.from(c.ages), accumulated: c.accumulated, drawn: c.drawn, replaced: this.replaced[i] };
    });
  }

  /** Puts saved state back: stateTensors()'s names and counterState()'s value; `source` names it in errors. */
  restoreState(tensors: Record<string, HostArray | undefined>, counters: ContinualBackpropCounters, source = 'saved state'): void {
    if (!Array.isArray(counters) || counters.length !== this.layers.length) throw new CritError(`${source}: continual-backprop counters for ${Array.isArray(counters) ? counters.length : 'no'} layers, expected ${this.layers.length}`);
    this.layers.forEach((l, i) => {
      for (const [k, t] of [['util', this.util[i]], ['mean_act', this.meanAct[i]]] as const) {
        const a = tensors[`${i}.${k}`];
        if (!a || a.data.length !== l.units) throw new CritError(`${source}: continual-backprop state ${i}.${k} is ${a ? `${a.data.length} values` : 'missing'}, expected ${l.units}`);
        t.engine.write(t.buffer, a.data, 0, true);
      }
      const saved = counters[i];
      if (!saved || saved.ages?.length !== l.units) throw new CritError(`${source}: continual-backprop ages of layer ${i} are not ${l.units} values`);
      const c = this.counters[i];
      c.ages.set(saved.ages);
      c.accumulated = saved.accumulated;
      c.drawn = saved.drawn;
      this.replaced[i] = saved.replaced;
    });
  }

  dispose(): void {
    for (const t of [...this.util, ...this.meanAct, this.zero]) t.dispose();
  }
}

function copyInto(src: Tensor, dst: Tensor): void {
  stridedCopy(src, 0, [1], dst, 0, [1], [dst.size], 'cbp_state');
}
