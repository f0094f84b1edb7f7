// The top-k Lyapunov spectrum of a Fig. 1 network (one seed and κ), through the generic library: the fused
// kernels of deep-mlp.ts carry one tangent per network, block power iteration needs k of them with a QR between
// layers. The weights are the kernels' own (deepMlpWeightsHost, bit-identical), uploaded once per layer, so
// memory grows as L·N²: refused above a budget with the sizes named.
import { Tensor, scope } from '../tensor/tensor.js';
import { tensor } from '../ops/create.js';
import { matmul } from '../ops/matmul.js';
import { scaledTanh } from '../ops/elementwise.js';
import { CritError } from '../util/errors.js';
import { deepMlpInputHost, deepMlpWeightsHost } from '../models/deep-mlp.js';
import { lyapunovSpectrum } from './spectrum.js';
import type { Stage } from './model.js';

export interface DeepMlpSpectrumOptions {
  width: number;
  depth: number;
  kappa: number;
  seed: number;
  /** Number of exponents (1..N). */
  k: number;
  /** Stop when a half step changes every log σ_j by less than this (default 1e-6). */
  tol?: number;
  maxIterations?: number;
  /** Largest weight upload in bytes (default 1 GiB). */
  maxBytes?: number;
}

export interface DeepMlpSpectrum {
  /** log σ_j of J(x0), descending, and λ_j = log σ_j / L. */
  logSingularValues: number[];
  exponents: number[];
  iterations: number;
  converged: boolean;
}

export async function deepMlpSpectrum(o: DeepMlpSpectrumOptions): Promise<DeepMlpSpectrum> {
  const { width: N, depth: L, kappa, seed, k } = o;
  if (!(Number.isInteger(N) && N > 0 && Number.isInteger(L) && L > 0)) throw new CritError(`deepMlpSpectrum: width and depth must be positive integers, got ${N} and ${L}`);
  if (!(Number.isInteger(k) && k >= 1 && k <= N)) throw new CritError(`deepMlpSpectrum: k must be an integer in [1, ${N}] (the width), got ${k}`);
  const bytes = L * N * N * 4, budget = o.maxBytes ?? 2 ** 30;
  if (bytes > budget) throw new CritError(`deepMlpSpectrum: the spectrum keeps every layer's weights (${L} x ${N} x ${N} f32 = ${(bytes / 2 ** 20).toFixed(0)} MiB), above the budget of ${(budget / 2 ** 20).toFixed(0)} MiB; use a smaller width or depth`);
  const weights: Tensor[] = [];
  try {
    for (let l = 0; l < L; l++) weights.push(scope(() => tensor(deepMlpWeightsHost(seed, l, N).map((u) => u * kappa), [N, N])));
    const stages: Stage[] = weights.map((W) => (h: Tensor) => scaledTanh(matmul(h, W, { transB: true })));
    const x0 = tensor(deepMlpInputHost(seed, N), [1, N]);
    try {
      const r = await lyapunovSpectrum(stages, x0, k, { tol: o.tol, maxIterations: o.maxIterations, seed: seed + 1, depth: L });
      return { logSingularValues: Array.from(r.logSingularValues[0]), exponents: Array.from(r.exponents[0]), iterations: r.iterations, converged: r.converged };
    } finally { x0.dispose(); }
  } finally {
    for (const W of weights) W.dispose();
  }
}
