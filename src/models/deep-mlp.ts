// The deep MLP of the paper's Fig. 1: L layers of N neurons, no bias, x_l = g(κ U_l x_{l-1}) with
// U_l[i][j] ~ U[-0.05, 0.05] and g(x) = 1.7159 tanh(0.6666 x). The weights are procedural: U_l of seed s is
// the counter-based stream (seed s, stream l, counter i·N + j), generated one layer at a time inside the
// kernels (shaders/deep_mlp.wgsl), never stored for the whole net. A batch runs many networks at once:
// S seeds (each its own U) x C columns per seed (each with its own κ), so a sweep over κ costs about as
// many dispatches as one network. The same network on the CPU, in f64, is `deepMlpHost` (for tests).
import shaderSource from '../../shaders/deep_mlp.wgsl';
import tanhSource from '../../shaders/tanh.wgsl';
import commonSource from '../../shaders/common.wgsl';
import { rngSource, uniformHost } from '../ops/random.js';
import { Tensor, engine } from '../tensor/tensor.js';
import { ParamWriter } from '../ops/launch.js';
import { CritError } from '../util/errors.js';
import type { Kernel } from '../gpu/engine.js';

/** g(x) = A tanh(B x), LeCun's scaled tanh. */
export const TANH_A = 1.7159;
export const TANH_B = 0.6666;
/** Half-width of the uniform weight distribution before κ. */
export const WEIGHT_HALF_WIDTH = 0.05;
/** Half-width of the uniform input of the Fig. 1 networks. */
export const INPUT_HALF_WIDTH = 1e-3;
/** RNG streams of one seed besides the layers (0..L-1): the input, the stimulus pattern, start vectors. */
export const STREAM_INPUT = 0xffffffff;
export const STREAM_STIMULUS = 0xfffffffe;
export const STREAM_START = 0xfffffffd;
/** Slot value of a column that is not tied to a tracked primal network. */
export const NO_SLOT = 0xffffffff;

/** Mean-field critical coupling: Var(κU)·N·g'(0)² = 1, i.e. κ_c = √(3/N) / (0.05 · A · B) ≈ 30.29/√N. */
export function meanFieldKappa(width: number): number {
  return Math.sqrt(3 / width) / (WEIGHT_HALF_WIDTH * TANH_A * TANH_B);
}

/** U of one layer (row-major N x N), bit-identical to what the kernels generate. */
export function deepMlpWeightsHost(seed: number, layer: number, width: number): Float32Array {
  return uniformHost(width * width, -WEIGHT_HALF_WIDTH, WEIGHT_HALF_WIDTH, { seed, stream: layer });
}
/** The Fig. 1 input of a seed: U[-1e-3, 1e-3]^N. */
export function deepMlpInputHost(seed: number, width: number): Float32Array {
  return uniformHost(width, -INPUT_HALF_WIDTH, INPUT_HALF_WIDTH, { seed, stream: STREAM_INPUT });
}
/** The fixed stimulus pattern u ~ U[-1, 1]^N of a seed (the dynamic range scales it by s). */
export function deepMlpStimulusHost(seed: number, width: number): Float32Array {
  return uniformHost(width, -1, 1, { seed, stream: STREAM_STIMULUS });
}

/** The f64 CPU network (weights from the CPU twin): per-layer outputs and the explicit Jacobian, for tests. */
export function deepMlpHost(seed: number, width: number, depth: number, kappa: number, x0: ArrayLike<number>, withJacobian = false): { layers: Float64Array[]; jacobian?: Float64Array } {
  const N = width;
  let x = Float64Array.from(x0);
  const layers = [x];
  // J (row-major N x N) starts as the identity and becomes D_l W_l J.
  let J = withJacobian ? new Float64Array(N * N).map((_, k) => (k % (N + 1) === 0 ? 1 : 0)) : undefined;
  for (let l = 0; l < depth; l++) {
    const U = deepMlpWeightsHost(seed, l, N);
    const y = new Float64Array(N), dg = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      let z = 0;
      for (let j = 0; j < N; j++) z += U[i * N + j] * x[j];
      const b = kappa * z, th = Math.tanh(TANH_B * b);
      y[i] = TANH_A * th;
      dg[i] = TANH_A * TANH_B * (1 - th * th);
    }
    if (J) {
      const J2 = new Float64Array(N * N);
      for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) {
        const u = U[i * N + j] * kappa * dg[i];
        if (u === 0) continue;
        for (let k = 0; k < N; k++) J2[i * N + k] += u * J[j * N + k];
      }
      J = J2;
    }
    x = y;
    layers.push(x);
  }
  return { layers, jacobian: J };
}

/** Per-column statistics a pass reads back: for each level 0..L, mean |x| and log |x| of every column. */
export interface PassStats {
  /** [(L+1)][S][C][2]: (activity, log-norm) of the vector entering layer l (l = L: the output). */
  data: Float32Array;
  depth: number;
  seeds: number;
  columns: number;
}
export const statAt = (st: PassStats, level: number, s: number, c: number, k: 0 | 1) => st.data[(((level * st.seeds) + s) * st.columns + c) * 2 + k];

export interface DeepMlpColumns {
  /** κ of each column (length C). */
  kappas: ArrayLike<number>;
  /** Slot of the tracked primal network each column belongs to (NO_SLOT for none); length C. */
  slots: ArrayLike<number>;
}

/** The columns of one pass on the GPU: κ and slot per column, padded to a multiple of 4 (one vec4). */
export class ColumnSet {
  /** Columns per seed, padded to a multiple of 4. */
  readonly columns: number;
  /** Highest slot + 1. */
  readonly slotCount: number;
  readonly kappaBuf: Tensor;
  readonly slotBuf: Tensor;
  constructor(cols: DeepMlpColumns) {
    const C = cols.kappas.length;
    if (cols.slots.length !== C) throw new CritError(`deep MLP: ${C} kappas but ${cols.slots.length} slots`);
    if (C === 0) throw new CritError('deep MLP: no columns');
    this.columns = Math.ceil(C / 4) * 4;
    const kap = new Float32Array(this.columns), sl = new Uint32Array(this.columns).fill(NO_SLOT);
    let maxSlot = -1;
    for (let c = 0; c < C; c++) {
      if (!Number.isFinite(cols.kappas[c])) throw new CritError(`deep MLP: κ of column ${c} is ${cols.kappas[c]}`);
      kap[c] = cols.kappas[c];
      const p = cols.slots[c] >>> 0;
      sl[c] = p;
      if (p !== NO_SLOT) maxSlot = Math.max(maxSlot, p);
    }
    this.slotCount = maxSlot + 1;
    this.kappaBuf = Tensor.from(kap, [this.columns]);
    this.slotBuf = Tensor.from(sl, [this.columns], 'u32');
  }
  dispose(): void { this.kappaBuf.dispose(); this.slotBuf.dispose(); }
}

/**
 * A batch of Fig. 1 networks of one width and depth on the GPU, one per seed; each pass runs a ColumnSet
 * (many κ, primal and tangent columns) through all of them. Holds the layer scratch and, after `primal`
 * with tracked columns, the per-layer derivatives g'(b) of the tracked networks that `jvp` and `vjp` use.
 */
export class DeepMlpBatch {
  readonly width: number;
  readonly depth: number;
  readonly seeds: number[];
  private seedBuf: Tensor;
  private scratch: Tensor;
  private derivs: Tensor[] = [];
  private derivSlots = 0;
  private dummy: Tensor;
  private disposed = false;

  constructor(opts: { width: number; depth: number; seeds: number[] }) {
    const { width, depth, seeds } = opts;
    if (!Number.isInteger(width) || width < 1) throw new CritError(`deep MLP: width must be a positive integer, got ${width}`);
    if (!Number.isInteger(depth) || depth < 1) throw new CritError(`deep MLP: depth must be a positive integer, got ${depth}`);
    if (seeds.length === 0) throw new CritError('deep MLP: no seeds');
    for (const s of seeds) if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) throw new CritError(`deep MLP: seed ${s} is not an integer in [0, 2^32)`);
    const maxSeeds = DeepMlpBatch.maxSeeds(width);
    if (seeds.length > maxSeeds) {
      throw new CritError(`deep MLP: ${seeds.length} seeds x ${width}² weights exceed the adapter's largest binding (at most ${maxSeeds} seeds of width ${width} per batch)`);
    }
    this.width = width; this.depth = depth; this.seeds = seeds.slice();
    this.seedBuf = Tensor.from(seeds.map((s) => s >>> 0), [seeds.length], 'u32');
    this.scratch = Tensor.empty([seeds.length, width, width]);
    this.dummy = Tensor.empty([4]);
  }

  /** Most seeds whose layer scratch (seeds x N² f32) fits one storage binding of the current adapter. */
  static maxSeeds(width: number): number {
    const eng = engine();
    const maxBinding = Math.min(eng.limits.maxStorageBufferBindingSize, eng.limits.maxBufferSize);
    return Math.max(0, Math.floor(maxBinding / (4 * width * width)));
  }

  private kernel(mode: 'GEN' | 'GEN_T' | 'PRIMAL' | 'JVP' | 'VJP' | 'STATS' | 'PREP'): Kernel {
    return {
      name: 'deep_mlp',
      source: commonSource + rngSource + tanhSource + shaderSource,
      defines: {
        GEN: mode === 'GEN' || mode === 'GEN_T', TRANSPOSED: mode === 'GEN_T',
        LAYER: mode === 'PRIMAL' || mode === 'JVP' || mode === 'VJP', PRIMAL: mode === 'PRIMAL', JVP: mode === 'JVP', VJP: mode === 'VJP',
        STATS: mode === 'STATS', PREP: mode === 'PREP',
      },
    };
  }

  private params(cols: ColumnSet | null, layer: number, flags = 0, statsLevel = 0): ArrayBuffer {
    const S = this.seeds.length, N = this.width, C = cols?.columns ?? 4;
    return new ParamWriter().u32(N).u32(C / 4).u32(Math.max(1, this.derivSlots)).u32(S).u32(layer)
      .u32(0).u32(flags).u32(statsLevel * S * C * 2).buffer;
  }

  /** A column buffer [S][N][C] from per-seed host columns: data(s, c) returns the N values (or undefined = zeros). */
  upload(cols: ColumnSet, data: (seedIndex: number, column: number) => ArrayLike<number> | undefined): Tensor {
    const S = this.seeds.length, N = this.width, C = cols.columns;
    const host = new Float32Array(S * N * C);
    for (let s = 0; s < S; s++) for (let c = 0; c < C; c++) {
      const v = data(s, c);
      if (!v) continue;
      if (v.length !== N) throw new CritError(`deep MLP: column ${c} of seed ${s} has ${v.length} values, expected ${N}`);
      for (let i = 0; i < N; i++) host[(s * N + i) * C + c] = v[i];
    }
    return Tensor.from(host, [S, N, C]);
  }

  /** Reads a column buffer back as per-(seed, column) vectors. */
  async download(x: Tensor): Promise<Float32Array[][]> {
    const S = this.seeds.length, N = this.width, C = x.shape[2];
    const host = await x.readF32();
    return Array.from({ length: S }, (_, s) => Array.from({ length: C }, (_, c) => {
      const v = new Float32Array(N);
      for (let i = 0; i < N; i++) v[i] = host[(s * N + i) * C + c];
      return v;
    }));
  }

  /** U of a layer into the scratch: as is for the forward passes, transposed (Uᵀ row-major) for the VJP. */
  private gen(layer: number, transposed: boolean): void {
    const S = this.seeds.length, N = this.width, eng = engine();
    eng.dispatch({
      kernel: this.kernel(transposed ? 'GEN_T' : 'GEN'), label: 'deep_mlp_gen',
      buffers: [this.seedBuf.buffer, this.scratch.buffer],
      params: this.params(null, layer),
      workgroups: [Math.ceil(N / 8), 1, S],
      bytes: 4 * S * N * N,
    });
  }

  private layer(mode: 'PRIMAL' | 'JVP' | 'VJP', cols: ColumnSet, layer: number, x: Tensor, y: Tensor, d: Tensor, stats: Tensor, statsLevel: number, flags = 0): void {
    const S = this.seeds.length, N = this.width, C = cols.columns;
    engine().dispatch({
      kernel: this.kernel(mode), label: `deep_mlp_${mode.toLowerCase()}`,
      buffers: [this.scratch.buffer, x.buffer, y.buffer, cols.kappaBuf.buffer, cols.slotBuf.buffer, d.buffer, stats.buffer],
      params: this.params(cols, layer, flags, statsLevel),
      workgroups: [...engine().foldGrid(Math.ceil(((C / 4) * Math.ceil(N / 8)) / 64)).slice(0, 2), S] as [number, number, number],
      flops: 2 * S * N * N * C,
      bytes: 4 * (S * N * N * (C / 4) + 2 * S * N * C),
    });
  }

  private finalStats(cols: ColumnSet, x: Tensor, stats: Tensor): void {
    const S = this.seeds.length, C = cols.columns;
    engine().dispatch({
      kernel: this.kernel('STATS'), label: 'deep_mlp_stats',
      buffers: [x.buffer, stats.buffer],
      params: this.params(cols, 0, 0, this.depth),
      workgroups: Math.ceil((S * C) / 4 / 64),
    });
  }

  private newStats(cols: ColumnSet): Tensor { return Tensor.empty([(this.depth + 1) * this.seeds.length * cols.columns * 2]); }

  private async readStats(cols: ColumnSet, stats: Tensor): Promise<PassStats> {
    const data = await stats.readF32();
    stats.dispose();
    return { data, depth: this.depth, seeds: this.seeds.length, columns: cols.columns };
  }

  private check(cols: ColumnSet, x: Tensor): void {
    if (this.disposed) throw new CritError('deep MLP batch was disposed');
    const want = [this.seeds.length, this.width, cols.columns];
    if (x.shape.join() !== want.join()) throw new CritError(`deep MLP: column buffer [${x.shape.join(', ')}] should be [${want.join(', ')}]`);
  }

  /** Runs the layers in order (or reversed), ping-ponging between two buffers so that x0 is left intact. */
  private sweep(x0: Tensor, reverse: boolean, body: (layer: number, x: Tensor, y: Tensor) => void): Tensor {
    let x = x0, y = Tensor.empty(x0.shape);
    for (let k = 0; k < this.depth; k++) {
      const l = reverse ? this.depth - 1 - k : k;
      body(l, x, y);
      if (x !== x0) { const t = x; x = y; y = t; } else { x = y; y = Tensor.empty(x0.shape); }
    }
    y.dispose();
    return x;
  }

  /**
   * Forward pass of every column; stores g'(b) per layer for the columns with a slot (replacing earlier
   * ones). Returns the output columns and, per level 0..L, the activity and log-norm of every column.
   */
  async primal(cols: ColumnSet, x0: Tensor): Promise<{ output: Tensor; stats: PassStats }> {
    this.check(cols, x0);
    for (const d of this.derivs) d.dispose();
    this.derivs = [];
    this.derivSlots = cols.slotCount;
    const S = this.seeds.length, N = this.width;
    const stats = this.newStats(cols);
    const out = this.sweep(x0, false, (l, x, y) => {
      const d = this.derivSlots > 0 ? Tensor.empty([S, N, this.derivSlots]) : this.dummy;
      if (this.derivSlots > 0) this.derivs.push(d);
      this.gen(l, false);
      this.layer('PRIMAL', cols, l, x, y, d, stats, l);
    });
    this.finalStats(cols, out, stats);
    return { output: out, stats: await this.readStats(cols, stats) };
  }

  private needDerivs(cols: ColumnSet, what: string): void {
    if (this.derivs.length !== this.depth || this.derivSlots === 0) throw new CritError(`deep MLP: ${what} needs the derivatives of a primal pass with tracked columns`);
    if (cols.slotCount > this.derivSlots) throw new CritError(`deep MLP: ${what} uses slot ${cols.slotCount - 1} but the primal pass tracked ${this.derivSlots}`);
  }

  /**
   * Tangents through the whole net, renormalised per layer: returns J t0 divided by the per-layer norms,
   * and per level the log-norm of the vector entering layer l (level 0: |t0|, level L: the result), so
   * log |J t̂0| = Σ_{l=1..L} level l.
   */
  async jvp(cols: ColumnSet, t0: Tensor): Promise<{ output: Tensor; stats: PassStats }> {
    this.check(cols, t0);
    this.needDerivs(cols, 'jvp');
    const stats = this.newStats(cols);
    const out = this.sweep(t0, false, (l, x, y) => {
      this.gen(l, false);
      this.layer('JVP', cols, l, x, y, this.derivs[l], stats, l);
    });
    this.finalStats(cols, out, stats);
    return { output: out, stats: await this.readStats(cols, stats) };
  }

  /**
   * Cotangents back through the net, renormalised per layer: level l (0..L-1) holds the log-norm of the
   * D-scaled cotangent entering layer l from above, level L that of the result, so log |Jᵀ u| = Σ of all
   * levels. u is consumed (scaled in place by the output layer's g').
   */
  async vjp(cols: ColumnSet, u: Tensor): Promise<{ output: Tensor; stats: PassStats }> {
    this.check(cols, u);
    this.needDerivs(cols, 'vjp');
    const S = this.seeds.length, N = this.width, C = cols.columns;
    const stats = this.newStats(cols);
    engine().dispatch({
      kernel: this.kernel('PREP'), label: 'deep_mlp_prep',
      buffers: [u.buffer, cols.slotBuf.buffer, this.derivs[this.depth - 1].buffer],
      params: this.params(cols, 0),
      workgroups: Math.ceil((S * N * C) / 4 / 64),
    });
    const out = this.sweep(u, true, (l, x, y) => {
      this.gen(l, true);
      this.layer('VJP', cols, l, x, y, l > 0 ? this.derivs[l - 1] : this.dummy, stats, l, l > 0 ? 1 : 0);
    });
    this.finalStats(cols, out, stats);
    return { output: out, stats: await this.readStats(cols, stats) };
  }

  /** U of a layer for every seed as the kernels generate it (row-major N x N; for tests). */
  async layerWeights(layer: number, transposed = false): Promise<Float32Array[]> {
    if (this.disposed) throw new CritError('deep MLP batch was disposed');
    const N = this.width;
    this.gen(layer, transposed);
    const all = await this.scratch.readF32();
    return this.seeds.map((_, s) => all.slice(s * N * N, (s + 1) * N * N));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of [this.seedBuf, this.scratch, this.dummy, ...this.derivs]) t.dispose();
    this.derivs = [];
  }
}
