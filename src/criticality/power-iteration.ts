// Λ0, the largest singular value of the input-output Jacobian J(x), by power iteration on JᵀJ: one JVP and
// one VJP per step, batched over inputs (row b of the batch has its own J and its own vector). Between
// stages the tangent is renormalised per row and the log-norms are summed, so log Λ0 is exact where Λ0
// itself would overflow f32. λ0 = log(Λ0) / L.
//
// The half-step estimates log|J v_k| <= log|Jᵀ u_k| <= log|J v_{k+1}| (u_k = J v_k / |J v_k|) increase
// monotonically to log Λ0; the iteration stops when the last half step gained less than `tol`. In f32 the
// estimates carry rounding noise (~1e-5..1e-4 in log Λ0 for a product of 2,000 small matrices): a half step
// that loses is at that noise floor, and counts as converged too.
import { Tensor, scope, scopeAsync, keep } from '../tensor/tensor.js';
import { vjp, jvp } from '../autodiff/grad.js';
import { add, log } from '../ops/elementwise.js';
import { zeros } from '../ops/create.js';
import { concat, reshape } from '../ops/layout.js';
import { normal } from '../ops/random.js';
import { CritError } from '../util/errors.js';
import { type ModelFn, type Stage, stagesOf, checkBatch, rowNorm, unitRows, flat } from './model.js';

export interface PowerIterationOptions {
  /** Most JᵀJ steps (default 100). */
  maxIterations?: number;
  /** Stop when a half step raises log Λ0 by less than this, for every row (default 1e-6: Λ0 to ~1e-6 relative). */
  tol?: number;
  /** Start vectors, shape of x (warm start); default: N(0, 1) from `seed`. */
  start?: Tensor;
  seed?: number;
  /** L in λ0 = log(Λ0) / L (default: the number of stages). */
  depth?: number;
}

export interface Lambda0Result {
  /** log Λ0 per row of x. */
  logLambda0: Float64Array;
  /** log(Λ0) / L per row. */
  lambda0: Float64Array;
  /** JVP passes made (each step is one JVP and one VJP; the last may stop after its JVP). */
  iterations: number;
  converged: boolean;
  /** Gain of the last half step per row (an estimate of the remaining error when converged). */
  lastIncrement: Float64Array;
  /** The right singular vectors (unit rows, shape of x): pass as `start` to warm-start a nearby problem. */
  vector: Tensor;
}

/** The primal trajectory and the VJP of every stage at x (tapes kept for the backward passes). */
export interface Linearization {
  inputs: Tensor[];
  output: Tensor;
  backward: ((g: Tensor) => Tensor)[];
  /** Each stage's J t from its recorded ops (no primal recomputed). */
  forward: ((t: Tensor) => Tensor)[];
  stages: Stage[];
}

export function linearize(model: ModelFn, x: Tensor): Linearization {
  const stages = stagesOf(model);
  const inputs = [x];
  const backward: ((g: Tensor) => Tensor)[] = [], forward: ((t: Tensor) => Tensor)[] = [];
  let cur = x;
  for (const f of stages) {
    const r = vjp(f, cur);
    backward.push((g) => r.backward(g)[0]);
    forward.push((t) => r.forward([t]));
    inputs.push(r.output);
    cur = r.output;
  }
  return { inputs: inputs.slice(0, -1), output: cur, backward, forward, stages };
}

/**
 * J v through the stages, renormalised between stages: the last tangent and the per-stage log-norms
 * [stages, B] (the norm of each stage's output, for unit input rows): log |J v̂| is their column sum.
 * The logs are summed on the host in f64: an f32 running sum of hundreds of terms near -300 loses 1e-4.
 */
export function jvpPass(lin: Linearization, v: Tensor): { tangent: Tensor; logNorms: Tensor } {
  const logs: Tensor[] = [];
  const tangent = forwardSteps(lin, v, logs);
  return { tangent, logNorms: concat(logs, 0) };
}

/** Jᵀ u (u of unit rows) through the stages in reverse, renormalised: the unit result and the log-norms [stages, B]. */
export function vjpPass(lin: Linearization, u: Tensor): { cotangent: Tensor; logNorms: Tensor } {
  const logs: Tensor[] = [];
  const cotangent = backwardSteps(lin, u, logs);
  return { cotangent, logNorms: concat(logs, 0) };
}

/** The direction of J v alone (rows of some positive scale): jvpPass without the log-norms, for power iteration's vectors. */
export function jvpDirection(lin: Linearization, v: Tensor): Tensor {
  return forwardSteps(lin, v, null);
}

/** The direction of Jᵀ u alone (unit rows): vjpPass without the log-norms. */
export function vjpDirection(lin: Linearization, u: Tensor): Tensor {
  return backwardSteps(lin, u, null);
}

function forwardSteps(lin: Linearization, v: Tensor, logs: Tensor[] | null): Tensor {
  let t = v;
  lin.forward.forEach((forward, l) => {
    const n = rowNorm(t);
    if (logs && l > 0) logs.push(reshape(log(n), [1, t.shape[0]]));
    t = forward(unitRows(t, n));
  });
  if (logs) logs.push(reshape(log(rowNorm(t)), [1, t.shape[0]]));
  return t;
}

function backwardSteps(lin: Linearization, u: Tensor, logs: Tensor[] | null): Tensor {
  let g = u;
  for (let l = lin.stages.length - 1; l >= 0; l--) {
    g = lin.backward[l](g);
    const n = rowNorm(g);
    if (logs) logs.push(reshape(log(n), [1, g.shape[0]]));
    g = unitRows(g, n);
  }
  return g;
}

/** Column sums in f64 of a [stages, B] tensor of log-norms. */
async function sumLogs(t: Tensor): Promise<Float64Array> {
  const [K, B] = t.shape;
  const d = await t.readF32();
  const out = new Float64Array(B);
  for (let k = 0; k < K; k++) for (let b = 0; b < B; b++) out[b] += d[k * B + b];
  return out;
}

/** Λ0 of J(x) for every row of x by power iteration on JᵀJ. */
export async function lambda0(model: ModelFn, x: Tensor, opts: PowerIterationOptions = {}): Promise<Lambda0Result> {
  const B = checkBatch(x, 'lambda0');
  const maxIt = opts.maxIterations ?? 100, tol = opts.tol ?? 1e-6;
  if (!(maxIt >= 1)) throw new CritError(`lambda0: maxIterations must be at least 1, got ${maxIt}`);
  if (opts.start && opts.start.shape.join() !== x.shape.join()) throw new CritError(`lambda0: start [${opts.start.shape.join(', ')}] must have the shape of x [${x.shape.join(', ')}]`);
  return scopeAsync(async () => {
    const lin = linearize(model, x);
    const depth = opts.depth ?? lin.stages.length;
    let v = opts.start ?? normal(x.shape, 0, 1, { seed: opts.seed ?? 0 });
    let last: Float64Array = new Float64Array(B).fill(-Infinity);
    let inc: Float64Array = new Float64Array(B).fill(Infinity);
    let iterations = 0, converged = false;
    const step = (prev: Float64Array, next: Float64Array) => {
      // A dead row (log Λ0 = −∞ on both sides) has converged: −∞ − (−∞) would be NaN.
      inc = next.map((e, b) => (e === prev[b] ? 0 : e - prev[b]));
      last = next;
      return inc.every((d) => d <= tol);
    };
    while (iterations < maxIt) {
      iterations++;
      const f = scope(() => jvpPass(lin, v));
      if (step(last, await sumLogs(f.logNorms))) { converged = true; f.tangent.dispose(); f.logNorms.dispose(); break; }
      const b = scope(() => vjpPass(lin, unitRows(f.tangent)));
      f.tangent.dispose(); f.logNorms.dispose();
      const done = step(last, await sumLogs(b.logNorms));
      b.logNorms.dispose();
      if (v !== opts.start) v.dispose();
      v = b.cotangent;
      if (done) { converged = true; break; }
    }
    const vector = keep(v === opts.start ? unitRows(v) : v);
    return { logLambda0: last, lambda0: last.map((e) => e / depth), iterations, converged, lastIncrement: inc, vector };
  });
}

/**
 * log |J v| / |v| per row as a differentiable tensor [B] (renormalised between stages): with v the converged
 * vector of `lambda0`, this is log Λ0 whose gradient with respect to the model's parameters flows through
 * the tangent computation (reverse over forward), as the criticality loss needs.
 */
export function logJvpNorm(model: ModelFn, x: Tensor, v: Tensor): Tensor {
  checkBatch(x, 'logJvpNorm');
  const stages = stagesOf(model);
  let cur = x, t = v;
  let logs = zeros([x.shape[0]]);
  stages.forEach((f, l) => {
    const n = rowNorm(t);
    if (l > 0) logs = add(logs, flat(log(n)));
    const r = jvp(f, [cur], [unitRows(t, n)]);
    cur = r.output; t = r.tangent;
  });
  return add(logs, flat(log(rowNorm(t))));
}
