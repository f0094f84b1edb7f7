// What the phase-transition explorer computes for a Fig. 1 network (width N, depth L, coupling κ, seed): a
// thin layer over the criticality library's batched measurement (src/criticality/deep-mlp.ts: activity,
// σ, Σ, λ0 by power iteration on JᵀJ, Δ), plus the activation of every neuron across the layers for the
// heatmap. No DOM here: the e2e test runs the same calls in Node to compare the page's λ0 with Node's.
import { measureDeepMlp, type DeepMlpRun } from '../../criticality/deep-mlp.js';
import { stimulusGrid } from '../../criticality/dynamic-range.js';
import { deepMlpInputHost, meanFieldKappa, WEIGHT_HALF_WIDTH } from '../../models/deep-mlp.js';
import { uniform } from '../../ops/random.js';
import { tensor } from '../../ops/create.js';
import { matmul } from '../../ops/matmul.js';
import { scale, scaledTanh, abs } from '../../ops/elementwise.js';
import { concat } from '../../ops/layout.js';
import { Tensor, scope } from '../../tensor/tensor.js';

export { meanFieldKappa, type DeepMlpRun };

export interface Fig1Net { width: number; depth: number; kappa: number; seed: number }

/** Every metric of one network, with the library's defaults (the same numbers `crit fig1` reports). */
export async function measureNet(net: Fig1Net, onProgress?: (message: string) => void): Promise<DeepMlpRun & { stimulus: number[] }> {
  const [run] = await measureDeepMlp({ width: net.width, depth: net.depth, seeds: [net.seed], kappas: [net.kappa], onProgress });
  return { ...run, stimulus: stimulusGrid() };
}

/** λ0 (and σ, activity) for many κ of one (N, L, seed) in one batch, without Δ. */
export async function lambdaSweep(net: Omit<Fig1Net, 'kappa'>, kappas: number[], onProgress?: (message: string) => void): Promise<DeepMlpRun[]> {
  return measureDeepMlp({ width: net.width, depth: net.depth, seeds: [net.seed], kappas, stimulus: null, onProgress });
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

