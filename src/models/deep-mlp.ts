// The deep MLP of the paper's Fig. 1: L layers of N neurons, no bias, x_l = g(κ U_l x_{l-1}) with
// U_l[i][j] ~ U[-0.05, 0.05] and g(x) = 1.7159 tanh(0.6666 x). The weights are procedural: U_l of seed s is
// the counter-based stream (seed s, stream l, counter i·N + j), generated one layer at a time inside the
// kernels (shaders/deep_mlp.wgsl), never stored for the whole net. A batch runs many networks at once:
// S seeds (each its own U) x C columns per seed (each with its own κ), so a sweep over κ costs about as
// many dispatches as one network. The same network on the CPU, in f64, is `deepMlpHost` (for tests).
import shaderSource from '../../shaders/deep_mlp.wgsl';
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

/**
 * A batch of Fig. 1 networks of one width and depth on the GPU: seeds[s] x columns. Holds the layer scratch,
 * the ping-pong column buffers and (after `primal` with tracked columns) the per-layer derivatives g'(b).
 */
export class DeepMlpBatch {
  readonly width: number;
  readonly depth: number;
  readonly seeds: number[];
  /** Columns per seed, padded to a multiple of 4. */
  readonly columns: number;
  /** Number of tracked primal slots (derivatives stored per layer). */
  readonly slots: number;
  /** vec4 columns per invocation of the layer kernel. */
  private readonly block4: number;
  private seedBuf: Tensor;
  private kappaBuf: Tensor;
  private slotBuf: Tensor;
  private scratch: Tensor;
  private derivs: Tensor[] = [];
  private dummy: Tensor;
  private disposed = false;

  constructor(opts: { width: number; depth: number; seeds: number[]; columns: DeepMlpColumns }) {
    const { width, depth, seeds, columns } = opts;
    if (!Number.isInteger(width) || width < 1) throw new CritError(`deep MLP: width must be a positive integer, got ${width}`);
    if (!Number.isInteger(depth) || depth < 1) throw new CritError(`deep MLP: depth must be a positive integer, got ${depth}`);
    if (seeds.length === 0) throw new CritError('deep MLP: no seeds');
    const C = columns.kappas.length;
    if (columns.slots.length !== C) throw new CritError(`deep MLP: ${C} kappas but ${columns.slots.length} slots`);
    if (C === 0) throw new CritError('deep MLP: no columns');
    const eng = engine();
    const maxBinding = Math.min(eng.limits.maxStorageBufferBindingSize, eng.limits.maxBufferSize);
    const scratchBytes = seeds.length * width * width * 4;
    if (scratchBytes > maxBinding) {
      throw new CritError(`deep MLP: ${seeds.length} seeds x ${width}² weights need ${(scratchBytes / 2 ** 20).toFixed(0)} MiB of layer scratch, over the adapter's ${(maxBinding / 2 ** 20).toFixed(0)} MiB per binding: use fewer seeds per batch`);
    }
    this.width = width; this.depth = depth; this.seeds = seeds.slice();
    // Columns go in blocks of CB4 vec4s per invocation (at most 4: 16 accumulators per invocation).
    const c4 = Math.ceil(C / 4);
    this.block4 = Math.ceil(c4 / Math.ceil(c4 / 4));
    this.columns = Math.ceil(c4 / this.block4) * this.block4 * 4;
    const kap = new Float32Array(this.columns), sl = new Uint32Array(this.columns).fill(NO_SLOT);
    let maxSlot = -1;
    for (let c = 0; c < C; c++) {
      if (!Number.isFinite(columns.kappas[c])) throw new CritError(`deep MLP: κ of column ${c} is ${columns.kappas[c]}`);
      kap[c] = columns.kappas[c];
      const p = columns.slots[c] >>> 0;
      sl[c] = p;
      if (p !== NO_SLOT) maxSlot = Math.max(maxSlot, p);
    }
    this.slots = maxSlot + 1;
    this.seedBuf = Tensor.from(seeds.map((s) => s >>> 0), [seeds.length], 'u32');
    this.kappaBuf = Tensor.from(kap, [this.columns]);
    this.slotBuf = Tensor.from(sl, [this.columns], 'u32');
    this.scratch = Tensor.empty([seeds.length, width, width]);
    this.dummy = Tensor.empty([4]);
  }

  private kernel(mode: 'GEN' | 'GEN_T' | 'PRIMAL' | 'JVP' | 'VJP' | 'STATS' | 'PREP'): Kernel {
    return {
      name: 'deep_mlp',
      source: commonSource + rngSource + shaderSource,
      defines: {
        GEN: mode === 'GEN' || mode === 'GEN_T', TRANSPOSED: mode === 'GEN_T',
        LAYER: mode === 'PRIMAL' || mode === 'JVP' || mode === 'VJP', PRIMAL: mode === 'PRIMAL', JVP: mode === 'JVP', VJP: mode === 'VJP',
        STATS: mode === 'STATS', PREP: mode === 'PREP', CB4: this.block4,
      },
    };
  }

  private params(layer: number, flags = 0, statsLevel = 0): ArrayBuffer {
    const S = this.seeds.length, N = this.width;
    return new ParamWriter().u32(N).u32(this.columns / 4).u32(Math.max(1, this.slots)).u32(S).u32(layer)
      .u32(0).u32(flags).u32(statsLevel * S * this.columns * 2).buffer;
  }

  /** A column buffer [S][N][C] from per-seed host columns: data(s, c) returns the N values (or undefined = zeros). */
  upload(data: (seedIndex: number, column: number) => ArrayLike<number> | undefined): Tensor {
    const S = this.seeds.length, N = this.width, C = this.columns;
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
    const S = this.seeds.length, N = this.width, C = this.columns;
    const host = await x.readF32();
    return Array.from({ length: S }, (_, s) => Array.from({ length: C }, (_, c) => {
      const v = new Float32Array(N);
      for (let i = 0; i < N; i++) v[i] = host[(s * N + i) * C + c];
      return v;
    }));
  }

  /** U of a layer into the scratch: transposed (entry (i, j) at j·N + i) for the forward passes, as is for the VJP. */
  private gen(layer: number, transposed: boolean): void {
    const S = this.seeds.length, N = this.width, eng = engine();
    const [gx, gy] = eng.foldGrid(Math.ceil((N * N) / 1024));
    eng.dispatch({
      kernel: this.kernel(transposed ? 'GEN_T' : 'GEN'), label: 'deep_mlp_gen',
      buffers: [this.seedBuf.buffer, this.scratch.buffer],
      params: this.params(layer),
      workgroups: [gx, gy, S],
      bytes: 4 * S * N * N,
    });
  }

  private layer(mode: 'PRIMAL' | 'JVP' | 'VJP', layer: number, x: Tensor, y: Tensor, d: Tensor, stats: Tensor, statsLevel: number, flags = 0): void {
    const S = this.seeds.length, N = this.width, C = this.columns;
    engine().dispatch({
      kernel: this.kernel(mode), label: `deep_mlp_${mode.toLowerCase()}`,
      buffers: [this.scratch.buffer, x.buffer, y.buffer, this.kappaBuf.buffer, this.slotBuf.buffer, d.buffer, stats.buffer],
      params: this.params(layer, flags, statsLevel),
      workgroups: [Math.ceil(N / 64), C / 4 / this.block4, S],
      flops: 2 * S * N * N * C,
      bytes: 4 * (S * N * N * (C / 4 / this.block4) + 2 * S * N * C),
    });
  }

  private finalStats(x: Tensor, stats: Tensor): void {
    const S = this.seeds.length, C = this.columns;
    engine().dispatch({
      kernel: this.kernel('STATS'), label: 'deep_mlp_stats',
      buffers: [x.buffer, stats.buffer],
      params: this.params(0, 0, this.depth),
      workgroups: Math.ceil((S * C) / 4 / 64),
    });
  }

  private newStats(): Tensor { return Tensor.empty([(this.depth + 1) * this.seeds.length * this.columns * 2]); }

  private async readStats(stats: Tensor): Promise<PassStats> {
    const data = await stats.readF32();
    stats.dispose();
    return { data, depth: this.depth, seeds: this.seeds.length, columns: this.columns };
  }

  private check(x: Tensor): void {
    if (this.disposed) throw new CritError('deep MLP batch was disposed');
    const want = [this.seeds.length, this.width, this.columns];
    if (x.shape.join() !== want.join()) throw new CritError(`deep MLP: column buffer [${x.shape.join(', ')}] should be [${want.join(', ')}]`);
  }

  /**
   * Forward pass of every column; stores g'(b) per layer for the tracked columns (replacing earlier ones).
   * Returns the output columns and per-level activity (and norms).
   */
  async primal(x0: Tensor): Promise<{ output: Tensor; stats: PassStats }> {
    this.check(x0);
    for (const d of this.derivs) d.dispose();
    this.derivs = [];
    const S = this.seeds.length, N = this.width;
    const stats = this.newStats();
    let x = x0, y = Tensor.empty(x0.shape);
    for (let l = 0; l < this.depth; l++) {
      const d = this.slots > 0 ? Tensor.empty([S, N, this.slots]) : this.dummy;
      if (this.slots > 0) this.derivs.push(d);
      this.gen(l, true);
      this.layer('PRIMAL', l, x, y, d, stats, l);
      if (x !== x0) { const t = x; x = y; y = t; } else { x = y; y = Tensor.empty(x0.shape); }
    }
    y.dispose();
    this.finalStats(x, stats);
    return { output: x, stats: await this.readStats(stats) };
  }

  private needDerivs(what: string): void {
    if (this.derivs.length !== this.depth) throw new CritError(`deep MLP: ${what} needs the derivatives of a primal pass with tracked columns`);
  }

  /**
   * Tangents through the whole net, renormalised per layer: returns J t0 / (product of the per-layer norms)
   * and the per-level log-norms (level 0: |t0|; level L: the returned vector's norm), whose sum over
   * levels 1..L is log |J t̂0|.
   */
  async jvp(t0: Tensor): Promise<{ output: Tensor; stats: PassStats }> {
    this.check(t0);
    this.needDerivs('jvp');
    const stats = this.newStats();
    let x = t0, y = Tensor.empty(t0.shape);
    for (let l = 0; l < this.depth; l++) {
      this.gen(l, true);
      this.layer('JVP', l, x, y, this.derivs[l], stats, l);
      if (x !== t0) { const t = x; x = y; y = t; } else { x = y; y = Tensor.empty(t0.shape); }
    }
    y.dispose();
    this.finalStats(x, stats);
    return { output: x, stats: await this.readStats(stats) };
  }

  /**
   * Cotangents back through the net: Jᵀ u up to the per-layer norms. Level L+... bookkeeping: stats level
   * l (0..L-1) holds log |v_l|, the norm of the D-scaled cotangent entering layer l from above, and level L the
   * log-norm of the returned vector; log |Jᵀ u| = sum of all levels. The input u is consumed (scaled in place).
   */
  async vjp(u: Tensor): Promise<{ output: Tensor; stats: PassStats }> {
    this.check(u);
    this.needDerivs('vjp');
    const S = this.seeds.length, N = this.width, C = this.columns;
    const stats = this.newStats();
    engine().dispatch({
      kernel: this.kernel('PREP'), label: 'deep_mlp_prep',
      buffers: [u.buffer, this.slotBuf.buffer, this.derivs[this.depth - 1].buffer],
      params: this.params(0),
      workgroups: Math.ceil((S * N * C) / 4 / 64),
    });
    let x = u, y = Tensor.empty(u.shape);
    for (let l = this.depth - 1; l >= 0; l--) {
      this.gen(l, false);
      this.layer('VJP', l, x, y, l > 0 ? this.derivs[l - 1] : this.dummy, stats, l, l > 0 ? 1 : 0);
      if (x !== u) { const t = x; x = y; y = t; } else { x = y; y = Tensor.empty(u.shape); }
    }
    y.dispose();
    this.finalStats(x, stats);
    return { output: x, stats: await this.readStats(stats) };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of [this.seedBuf, this.kappaBuf, this.slotBuf, this.scratch, this.dummy, ...this.derivs]) t.dispose();
    this.derivs = [];
  }
}
