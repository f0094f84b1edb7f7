// The top-k Lyapunov spectrum: the k largest singular values of J(x) by block power iteration on JᵀJ
// (orthogonal iteration). k tangents per input travel together as k copies of the row; between stages the
// block is re-orthonormalised by a thin QR on the host (k is small), and the diagonal of R accumulates the
// log-growth of each direction: at convergence log σ_j = Σ_stages log R_jj, without overflow at any depth.
import { Tensor, scope, scopeAsync } from '../tensor/tensor.js';
import { tensor } from '../ops/create.js';
import { reshape, broadcastTo } from '../ops/layout.js';
import { uniformHost } from '../ops/random.js';
import { CritError } from '../util/errors.js';
import { type ModelFn, checkBatch } from './model.js';
import { linearize } from './power-iteration.js';
import { thinQR } from './host-linalg.js';

export interface SpectrumOptions {
  maxIterations?: number;
  /** Stop when a half step changes every log σ_j by less than this (default 1e-6). */
  tol?: number;
  seed?: number;
  /** L in λ_j = log(σ_j) / L (default: the number of stages). */
  depth?: number;
}

export interface SpectrumResult {
  /** [B][k] log σ_j, descending. */
  logSingularValues: Float64Array[];
  /** [B][k] λ_j = log σ_j / L. */
  exponents: Float64Array[];
  iterations: number;
  converged: boolean;
}

/** Orthonormalises each row-block of k vectors (rows b·k..b·k+k-1 of t, n values each); returns Q and log R_jj. */
async function orthonormalise(t: Tensor, B: number, k: number): Promise<{ q: Tensor; logR: Float64Array[] }> {
  const n = t.size / (B * k);
  const data = await t.readF32();
  const out = new Float32Array(t.size);
  const logR: Float64Array[] = [];
  for (let b = 0; b < B; b++) {
    // column j of the n x k matrix = row b·k + j of t
    const m = new Float64Array(n * k);
    for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) m[i * k + j] = data[(b * k + j) * n + i];
    const { q, r } = thinQR(m, n, k);
    logR.push(Float64Array.from({ length: k }, (_, j) => Math.log(r[j * k + j])));
    for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) out[(b * k + j) * n + i] = q[i * k + j];
  }
  return { q: tensor(out, t.shape), logR };
}

/** The k largest singular values (as logs) of J(x) for every row of x. */
export async function lyapunovSpectrum(model: ModelFn, x: Tensor, k: number, opts: SpectrumOptions = {}): Promise<SpectrumResult> {
  const B = checkBatch(x, 'lyapunovSpectrum');
  const n0 = x.size / B;
  if (!Number.isInteger(k) || k < 1 || k > n0) throw new CritError(`lyapunovSpectrum: k must be an integer in [1, ${n0}] (the input size), got ${k}`);
  const maxIt = opts.maxIterations ?? 100, tol = opts.tol ?? 1e-6;
  return scopeAsync(async () => {
    // k copies of every row: row b·k + j carries direction j of input b.
    const rest = x.shape.slice(1);
    const xr = reshape(broadcastTo(reshape(x, [B, 1, n0]), [B, k, n0]), [B * k, ...rest]);
    const lin = linearize(model, xr);
    const L = lin.stages.length, depth = opts.depth ?? L;
    const start = uniformHost(B * k * n0, -1, 1, { seed: opts.seed ?? 0 });
    let v = (await orthonormalise(tensor(start, xr.shape), B, k)).q;
    let last: Float64Array[] | null = null;
    let iterations = 0, converged = false;
    const sumLogs = (acc: Float64Array[] | null, add: Float64Array[]) => (acc ? acc.map((a, b) => a.map((e, j) => e + add[b][j])) : add);
    const step = (next: Float64Array[]) => {
      const done = last !== null && next.every((row, b) => row.every((e, j) => Math.abs(e - last![b][j]) <= tol));
      last = next;
      return done;
    };
    while (iterations < maxIt) {
      iterations++;
      // Forward: Q_l R_l = J_l Q_{l-1}.
      let logs: Float64Array[] | null = null;
      for (let l = 0; l < L; l++) {
        const t = scope(() => lin.forward[l](v));
        const o = await orthonormalise(t, B, k);
        t.dispose(); v.dispose();
        v = o.q; logs = sumLogs(logs, o.logR);
      }
      if (step(logs!)) { converged = true; break; }
      // Backward: P_{l-1} S_l = J_lᵀ P_l; P_0 is the next start block.
      logs = null;
      for (let l = L - 1; l >= 0; l--) {
        const g = scope(() => lin.backward[l](v));
        const o = await orthonormalise(g, B, k);
        g.dispose(); v.dispose();
        v = o.q; logs = sumLogs(logs, o.logR);
      }
      if (step(logs!)) { converged = true; break; }
    }
    v.dispose();
    const logSingularValues = last!;
    return { logSingularValues, exponents: logSingularValues.map((row) => row.map((e) => e / depth)), iterations, converged };
  });
}
