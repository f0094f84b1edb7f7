// What the phase-transition explorer computes for a Fig. 1 network (width N, depth L, coupling κ, seed):
// activity through the layers, σ and Σ, λ0 by power iteration on JᵀJ, the dynamic range Δ, and the
// activations of every neuron across layers for the heatmap. Runs in Node and in browsers (no DOM), so
// the e2e test can compare the page's λ0 with Node's for the same seed.
//
// The network and its renormalised JVP/VJP passes come from src/models/deep-mlp.ts. The power iteration
// and Δ below follow DESIGN.md's definitions; they are the explorer's minimal interface to the
// criticality library and are meant to be replaced by its functions (src/criticality/) once it exports them.
import {
  DeepMlpBatch, deepMlpInputHost, deepMlpStimulusHost, meanFieldKappa, statAt, NO_SLOT, STREAM_START, WEIGHT_HALF_WIDTH, INPUT_HALF_WIDTH,
} from '../../models/deep-mlp.js';
import { uniform, uniformHost } from '../../ops/random.js';
import { tensor } from '../../ops/create.js';
import { matmul } from '../../ops/matmul.js';
import { scale, scaledTanh, abs } from '../../ops/elementwise.js';
import { concat } from '../../ops/layout.js';
import { Tensor, scope } from '../../tensor/tensor.js';

export { meanFieldKappa };

export interface Fig1Net { width: number; depth: number; kappa: number; seed: number }

export interface Lambda0Options {
  /** Stop when λ0 changes by less than this between iterations (default 1e-6). */
  tol?: number;
  maxIter?: number;
  /** Awaited between passes (a page yields to the browser here); return false to stop early. */
  onPass?: () => Promise<boolean | void> | boolean | void;
}

export interface Lambda0Result {
  kappa: number;
  logLambda0: number;
  lambda0: number;
  iterations: number;
  converged: boolean;
}

export interface Fig1Summary {
  /** Mean |x| entering each layer, levels 0..L (level L: the output). */
  activity: Float64Array;
  /** σ = a_out / a_in and Σ = |1 − σ|. */
  sigma: number;
  Sigma: number;
}

/** Activity through the layers and σ, Σ for several κ at once (one batch, one pass). */
export async function activitySweep(net: Omit<Fig1Net, 'kappa'>, kappas: number[]): Promise<Fig1Summary[]> {
  const b = new DeepMlpBatch({ width: net.width, depth: net.depth, seeds: [net.seed], columns: { kappas, slots: kappas.map(() => NO_SLOT) } });
  try {
    const x0h = deepMlpInputHost(net.seed, net.width);
    const x0 = b.upload((_s, c) => (c < kappas.length ? x0h : undefined));
    const { output, stats } = await b.primal(x0);
    x0.dispose(); output.dispose();
    return kappas.map((_, c) => {
      const activity = Float64Array.from({ length: net.depth + 1 }, (_, l) => statAt(stats, l, 0, c, 0));
      const sigma = activity[net.depth] / activity[0];
      return { activity, sigma, Sigma: Math.abs(1 - sigma) };
    });
  } finally {
    b.dispose();
  }
}

/**
 * λ0 = log(Λ0)/L for several κ of one (N, L, seed) at once: power iteration on JᵀJ with one renormalised
 * JVP and one VJP pass per step, all κ as columns of the same batch. The start vector is the seed's
 * STREAM_START uniforms, so a seed gives the same λ0 in Node and in a browser.
 */
export async function lambda0Sweep(net: Omit<Fig1Net, 'kappa'>, kappas: number[], opts: Lambda0Options = {}): Promise<Lambda0Result[]> {
  const { width: N, depth: L, seed } = net;
  const tol = opts.tol ?? 1e-6, maxIter = opts.maxIter ?? 60;
  const C = kappas.length;
  const b = new DeepMlpBatch({ width: N, depth: L, seeds: [seed], columns: { kappas, slots: kappas.map((_, c) => c) } });
  try {
    const x0h = deepMlpInputHost(seed, N);
    const x0 = b.upload((_s, c) => (c < C ? x0h : undefined));
    const primal = await b.primal(x0);
    x0.dispose(); primal.output.dispose();
    const start = uniformHost(N, -1, 1, { seed, stream: STREAM_START });
    let v: Tensor | null = b.upload((_s, c) => (c < C ? start : undefined));
    const log = new Float64Array(C).fill(NaN), done = new Uint8Array(C), iters = new Int32Array(C);
    for (let k = 1; k <= maxIter && v && done.some((d, c) => c < C && !d); k++) {
      const f = await b.jvp(v);
      v.dispose();
      v = null;
      for (let c = 0; c < C; c++) {
        if (done[c]) continue;
        let s = 0;
        for (let l = 1; l <= L; l++) s += statAt(f.stats, l, 0, c, 1);
        // ||J v|| grows monotonically to Λ0 along the power iteration; stop when λ0 has settled.
        if (Math.abs(s - log[c]) < tol * L) done[c] = 1;
        log[c] = s;
        iters[c] = k;
      }
      if ((await opts.onPass?.()) === false || done.every((d, c) => c >= C || d)) { f.output.dispose(); break; }
      v = (await b.vjp(f.output)).output;
      f.output.dispose();
      if ((await opts.onPass?.()) === false) break;
    }
    v?.dispose();
    return kappas.map((kappa, c) => ({ kappa, logLambda0: log[c], lambda0: log[c] / L, iterations: iters[c], converged: !!done[c] }));
  } finally {
    b.dispose();
  }
}

/** The stimulus grid of Δ: s = 10^-9 .. 10^0, four points per decade. */
export const STIMULUS_GRID = Array.from({ length: 37 }, (_, i) => 10 ** (-9 + i / 4));

/**
 * Dynamic range Δ = 10 log10(s_0.9 / s_0.1): input s·u (u ~ U[-1, 1]^N, the seed's stimulus pattern),
 * response r(s) = output activity, r_x = r_0 + x (r_max − r_0) with r_0 = r(0) = 0 (no bias: g(0) = 0),
 * s_x by log-interpolation at the first grid point where r reaches r_x. All s in one batch.
 */
export async function dynamicRange(net: Fig1Net): Promise<{ Delta: number; s: number[]; response: number[] }> {
  const s = STIMULUS_GRID;
  const b = new DeepMlpBatch({ width: net.width, depth: net.depth, seeds: [net.seed], columns: { kappas: s.map(() => net.kappa), slots: s.map(() => NO_SLOT) } });
  try {
    const u = deepMlpStimulusHost(net.seed, net.width);
    const x0 = b.upload((_s, c) => (c < s.length ? u.map((v) => v * s[c]) : undefined));
    const { output, stats } = await b.primal(x0);
    x0.dispose(); output.dispose();
    const response = s.map((_, c) => statAt(stats, net.depth, 0, c, 0));
    return { Delta: deltaFromResponse(s, response, 0), s, response };
  } finally {
    b.dispose();
  }
}

/** Δ from a response curve on a log grid (NaN when the response never spans r_0.1..r_0.9). */
export function deltaFromResponse(s: number[], r: number[], r0: number): number {
  const rmax = Math.max(...r);
  if (!(rmax > r0)) return NaN;
  const at = (x: number): number => {
    const target = r0 + x * (rmax - r0);
    for (let i = 0; i < r.length; i++) {
      if (r[i] < target) continue;
      if (i === 0) return s[0];
      const t = (target - r[i - 1]) / (r[i] - r[i - 1] || 1);
      return 10 ** (Math.log10(s[i - 1]) + t * (Math.log10(s[i]) - Math.log10(s[i - 1])));
    }
    return NaN;
  };
  return 10 * Math.log10(at(0.9) / at(0.1));
}

/**
 * |x_l| of every neuron at every level 0..L (row l = level), with the engine's ops: W_l = κ·U_l from the
 * same RNG stream as the deep-MLP kernels, x_{l+1} = g(W_l x_l). Levels are read back in chunks; onChunk
 * is awaited in between so a page stays responsive.
 */
export async function neuronActivations(net: Fig1Net, onChunk?: (levelsDone: number) => Promise<boolean | void> | boolean | void, chunk = 25): Promise<Float32Array> {
  const { width: N, depth: L, kappa, seed } = net;
  const out = new Float32Array((L + 1) * N);
  let x = tensor(deepMlpInputHost(seed, N), [N, 1]);
  out.set(await x.readF32(), 0);
  for (let l0 = 0; l0 < L; l0 += chunk) {
    const l1 = Math.min(L, l0 + chunk);
    const levels: Tensor[] = [];
    for (let l = l0; l < l1; l++) {
      const next = scope(() => scaledTanh(scale(matmul(uniform([N, N], -WEIGHT_HALF_WIDTH, WEIGHT_HALF_WIDTH, { seed, stream: l }), x), kappa)));
      if (l > l0) levels.push(x); else x.dispose();
      x = next;
    }
    levels.push(x);
    const block = scope(() => abs(concat(levels.map((t) => t.view([1, N])), 0)));
    out.set(await block.readF32(), (l0 + 1) * N);
    block.dispose();
    for (const t of levels.slice(0, -1)) t.dispose();
    if ((await onChunk?.(l1)) === false) break;
  }
  x.dispose();
  for (let i = 0; i < N; i++) out[i] = Math.abs(out[i]);
  return out;
}

export const FIG1_INPUT_HALF_WIDTH = INPUT_HALF_WIDTH;
