// The criticality loss of the paper: L = L_CE + α (λ_t − λ0(x))², λ0(x) = log Λ0(x) / L per input x (Λ0 the
// largest singular value of the input-output Jacobian, L the number of weight layers), averaged over the batch.
//
// Two parts, as in DESIGN.md:
//  1. The singular vectors: batched power iteration on JᵀJ, one JVP and one VJP per step on each row's own
//     Jacobian, outside autodiff. For an MLP, J = D_L W_L ... D_1 W_1 is applied by hand (one matmul and one
//     product per layer): the generic jvp/vjp would recompute the primal at each JVP and form the unused
//     weight gradients at each VJP, twice the work. Rows can be warm-started from earlier vectors.
//  2. The gradient: log |J v| with v held fixed, recorded by the enclosing tape through the engine's forward
//     mode (reverse over forward). At the top right singular vector v (with u = Jv/|Jv|), d log Λ0 = uᵀ dJ v / Λ0
//     = d log |J v|, so this is the exact gradient of log Λ0 with respect to every weight and bias.
import { Tensor, scope, scopeAsync, keep } from '../tensor/tensor.js';
import { jvp } from '../autodiff/grad.js';
import { add, addScalar, div, greaterEqual, log, maximum, mul, scale, sqrt, square } from '../ops/elementwise.js';
import { mean, sum, sumSquares } from '../ops/reduce.js';
import { matmul } from '../ops/matmul.js';
import { concat, gather, scatterRowsInPlace, slice } from '../ops/layout.js';
import { full, intTensor, zeros } from '../ops/create.js';
import { normal } from '../ops/random.js';
import { crossEntropy } from '../ops/softmax.js';
import { CritError } from '../util/errors.js';
import { linear } from '../nn/linear.js';
import { activation } from '../nn/activations.js';
import type { Params } from '../nn/mlp.js';
import type { LossFn, BatchContext } from '../nn/loss.js';
import type { HostArray } from '../io/host.js';
import { type Stage, rowNorm, unitRows, flat } from './model.js';
import { linearize, jvpDirection, vjpDirection } from './power-iteration.js';
import { type MlpLike, type MlpJacobian, isolated, mlpJacobian, exactTopSingularVectors, EXACT_MAX_OUTPUTS } from './mlp-jacobian.js';

export { type MlpLike, type MlpJacobian, isolated, mlpJacobian };

/** One stage per weight layer, h → g(h Wᵀ + b) (the last without g), as the criticality library takes them. */
export function mlpStages(model: MlpLike, params: Params): Stage[] {
  return model.layers.map((l) => {
    const W = params[l.weight], b = l.bias ? params[l.bias] : null;
    if (!W) throw new CritError(`criticality loss: parameter ${l.weight} [${l.outFeatures}, ${l.inFeatures}] is missing`);
    if (l.bias && !b) throw new CritError(`criticality loss: parameter ${l.bias} [${l.outFeatures}] is missing`);
    const g = l.activation === 'identity' ? null : activation(l.activation);
    return (h: Tensor) => (g ? g(linear(h, W, b)) : linear(h, W, b));
  });
}

/** J v per row, renormalised after each layer (no overflow at any depth): J v / |J v| and log |J v| (the sum of the per-layer log-norms). */
function applyJ(j: MlpJacobian, v: Tensor): { tangent: Tensor; logNorm: Tensor } {
  let t = v, logs: Tensor | null = null;
  j.weights.forEach((W, l) => {
    if (l > 0) { const n = rowNorm(t); logs = logs ? add(logs, flat(log(n))) : flat(log(n)); t = unitRows(t, n); }
    t = matmul(t, W, { transB: true });
    const s = j.slopes[l];
    if (s) t = mul(t, s);
  });
  const n = rowNorm(t);
  logs = logs ? add(logs, flat(log(n))) : flat(log(n));
  return { tangent: unitRows(t, n), logNorm: logs };
}

/** Jᵀ u per row, renormalised after each layer: the unit result and Σ log-norms. */
function applyJT(j: MlpJacobian, u: Tensor): { cotangent: Tensor; logNorm: Tensor } {
  let g = u, logs: Tensor | null = null;
  for (let l = j.weights.length - 1; l >= 0; l--) {
    const s = j.slopes[l];
    if (s) g = mul(g, s);
    g = matmul(g, j.weights[l]);
    const n = rowNorm(g);
    logs = logs ? add(logs, flat(log(n))) : flat(log(n));
    g = unitRows(g, n);
  }
  return { cotangent: g, logNorm: logs! };
}

/** The start vectors (unit rows): `start`, else seeded N(0, 1) rows. */
function startVectors(x: Tensor, start: Tensor | undefined, seed: number | undefined, what: string): Tensor {
  if (start && start.shape.join() !== x.shape.join()) throw new CritError(`${what}: start [${start.shape.join(', ')}] must have the shape of x [${x.shape.join(', ')}]`);
  return unitRows(start ?? normal(x.shape, 0, 1, { seed: seed ?? 0, stream: 0x5eed }));
}

/**
 * `iterations` power-iteration steps v ← Jᵀ J v / |Jᵀ J v| per row from `start` (default: random), with no
 * readback and nothing recorded: the top right singular vectors (unit rows, shape of x) for the loss.
 */
export function topSingularVectors(model: MlpLike, params: Params, x: Tensor, o: { iterations: number; start?: Tensor; seed?: number }): Tensor {
  if (!(Number.isInteger(o.iterations) && o.iterations >= 0)) throw new CritError(`topSingularVectors: iterations must be a non-negative integer, got ${o.iterations}`);
  return isolated(() => scope(() => {
    const j = mlpJacobian(model, params, x);
    let v = startVectors(x, o.start, o.seed, 'topSingularVectors');
    for (let k = 0; k < o.iterations; k++) v = applyJT(j, applyJ(j, v).tangent).cotangent;
    return v;
  }));
}

/** Any model the criticality metrics can take apart: its stages (layers or blocks) for given parameters, and L. */
export interface StagedModel {
  readonly depth: number;
  readonly inputSize: number;
  stages(params: Params): Stage[];
}

/** An MLP described by its layers: its Jacobian has closed forms (exact Gram vectors, a hand-applied J). */
function isMlp(model: MlpLike | StagedModel): model is MlpLike {
  return Array.isArray((model as MlpLike).layers);
}

/**
 * The same power-iteration steps for any staged model (CNNs, torchvision's classifiers), through the generic
 * JVP and VJP of each stage (criticality's linearize, jvpDirection, vjpDirection), with nothing recorded.
 */
export function stagedSingularVectors(stages: readonly Stage[], x: Tensor, o: { iterations: number; start?: Tensor; seed?: number }): Tensor {
  if (!(Number.isInteger(o.iterations) && o.iterations >= 0)) throw new CritError(`stagedSingularVectors: iterations must be a non-negative integer, got ${o.iterations}`);
  return isolated(() => scope(() => {
    const lin = linearize([...stages], x);
    let v = startVectors(x, o.start, o.seed, 'stagedSingularVectors');
    for (let k = 0; k < o.iterations; k++) v = vjpDirection(lin, unitRows(jvpDirection(lin, v)));
    return v;
  }));
}

export interface MlpLambda0Options {
  /** Most JᵀJ steps (default 200). */
  maxIterations?: number;
  /** Stop when log Λ0 of every row moved by less than this in one step (default 1e-6). */
  tol?: number;
  /** Warm start (shape of x); default: N(0, 1) from `seed`. */
  start?: Tensor;
  seed?: number;
}

export interface MlpLambda0Result {
  logLambda0: Float64Array;
  lambda0: Float64Array;
  iterations: number;
  converged: boolean;
  /** Unit right singular vectors (shape of x), kept past the call: pass as `start` next time, then dispose. */
  vector: Tensor;
}

/**
 * λ0 per row of x for an MLP, by power iteration with a convergence test (one readback of B numbers per
 * step): the fast equivalent of criticality's lambda0() for monitoring during training. Asynchronous, so it is
 * called outside grad/vjp (nothing it computes is meant to be differentiated).
 */
export async function lambda0Mlp(model: MlpLike, params: Params, x: Tensor, o: MlpLambda0Options = {}): Promise<MlpLambda0Result> {
  const maxIt = o.maxIterations ?? 200, tol = o.tol ?? 1e-6;
  if (!(maxIt >= 1)) throw new CritError(`lambda0Mlp: maxIterations must be at least 1, got ${maxIt}`);
  return isolated(() => scopeAsync(async () => {
    const j = mlpJacobian(model, params, x);
    let v = startVectors(x, o.start, o.seed, 'lambda0Mlp');
    let last: Float64Array | null = null, iterations = 0, converged = false;
    while (iterations < maxIt) {
      iterations++;
      const next = scope(() => { const f = applyJ(j, v); return { logNorm: f.logNorm, v: applyJT(j, f.tangent).cotangent }; });
      const logs = Float64Array.from(await next.logNorm.readF32());
      next.logNorm.dispose();
      v.dispose();
      v = next.v;
      // log |J v_k| increases monotonically to log Λ0 (up to f32 rounding).
      const done: boolean = last !== null && logs.every((e, b) => Math.abs(e - last![b]) <= tol);
      last = logs;
      if (done) { converged = true; break; }
    }
    // The value at the final vector (one more JVP), so it matches logJvpNorm(v).
    const logLambda0 = Float64Array.from(await scope(() => applyJ(j, v).logNorm).readF32());
    return { logLambda0, lambda0: logLambda0.map((e) => e / model.depth), iterations, converged, vector: keep(v) };
  }));
}

/**
 * Below this norm a tangent row counts as zero in the loss (f32's smallest normal number is 1.2e-38, so its square
 * is representable): an input whose Jacobian is zero (a zeroed output layer, as continual learning's new heads;
 * every ReLU path switched off) has λ0 = −∞ and no gradient, and is left out of the penalty instead of turning
 * every gradient into NaN (0 · ∞ through the norm's square root and the log).
 */
export const LOSS_NORM_FLOOR = 1e-18;

/**
 * log |J v| per row (v held fixed, any norm) and the model's output, in one pass through the stages: each
 * stage's jvp gives its output and tangent, recorded by any active tape, so a vjp of logNorm reaches every
 * parameter the stages close over. Renormalised between stages like criticality's logJvpNorm (same value).
 * `alive` [B] is 1 for rows whose tangent stays above LOSS_NORM_FLOOR through every stage, else 0 (their logNorm
 * is floored, with zero derivative).
 */
export function logJvpNormWithOutput(stages: readonly Stage[], x: Tensor, v: Tensor): { output: Tensor; logNorm: Tensor; alive: Tensor } {
  let cur = x, t = v;
  let logs: Tensor | null = null, alive: Tensor | null = null;
  const floorSq = LOSS_NORM_FLOOR * LOSS_NORM_FLOOR, floor = full([1], floorSq);
  const norm = (u: Tensor) => {
    const s = sumSquares(u, u.shape.map((_, i) => i).slice(1), true);
    const ok = flat(greaterEqual(s, floor));
    alive = alive ? mul(alive, ok) : ok;
    return sqrt(maximum(s, floorSq));
  };
  stages.forEach((f, l) => {
    const n = norm(t);
    if (l > 0) logs = logs ? add(logs, flat(log(n))) : flat(log(n));
    const r = jvp(f, [cur], [unitRows(t, n)]);
    cur = r.output; t = r.tangent;
  });
  const last = flat(log(norm(t)));
  return { output: cur, logNorm: logs ? add(logs, last) : last, alive: alive! };
}

/**
 * L_λ = mean over rows of (λ_t − λ0)² from λ0 per row [B] (differentiable); with `alive` [B] (0/1), rows marked 0
 * add nothing (they still count in the mean's denominator, so a batch's L_λ is comparable between batches).
 */
export function lambdaPenalty(lambda0: Tensor, lambdaTarget: number, alive?: Tensor): Tensor {
  const sq = square(addScalar(lambda0, -lambdaTarget));
  return mean(alive ? mul(sq, alive) : sq);
}

/** ∂L_λ/∂e of DESIGN.md: mean |L_λ(e) − L_λ(e − 1)| over a trace of L_λ per epoch (null with fewer than 2). */
export function meanAbsChange(trace: readonly number[]): number | null {
  if (trace.length < 2) return null;
  let s = 0;
  for (let i = 1; i < trace.length; i++) s += Math.abs(trace[i] - trace[i - 1]);
  return s / (trace.length - 1);
}

/** Per-sample singular vectors kept on the GPU between epochs (rows of one dataset), for warm starts. */
export class SingularVectorCache {
  readonly vectors: Tensor;
  private readonly seen: Uint8Array;

  constructor(readonly rows: number, readonly features: number) {
    this.vectors = zeros([rows, features]);
    this.seen = new Uint8Array(rows);
  }

  /** True when every index has a stored vector. */
  has(indices: ArrayLike<number>): boolean {
    for (let i = 0; i < indices.length; i++) if (!this.seen[this.check(indices[i])]) return false;
    return true;
  }

  /** The stored vectors of these rows, [n, features] (a new tensor). */
  get(indices: ArrayLike<number>): Tensor {
    for (let i = 0; i < indices.length; i++) this.check(indices[i]);
    // One gather and one scatter per batch (a strided copy per row was a dispatch per row).
    return scope(() => gather(this.vectors, intTensor(indices)));
  }

  /** Stores v [n, features] as the vectors of these rows (distinct rows). */
  set(indices: ArrayLike<number>, v: Tensor): void {
    if (v.shape.length !== 2 || v.shape[0] !== indices.length || v.shape[1] !== this.features) throw new CritError(`SingularVectorCache: vectors [${v.shape.join(', ')}] for ${indices.length} rows of ${this.features}`);
    const rows = new Set<number>();
    for (let i = 0; i < indices.length; i++) {
      if (rows.has(this.check(indices[i]))) throw new CritError(`SingularVectorCache: row ${indices[i]} given twice in one set()`);
      rows.add(indices[i]);
    }
    scope(() => scatterRowsInPlace(this.vectors, intTensor(indices), v));
    for (let i = 0; i < indices.length; i++) this.seen[indices[i]] = 1;
  }

  /** For checkpoints, as the optimizers' stateTensors(): the vectors (the cache's own tensor) and the seen flags (0/1). */
  stateTensors(): { vectors: Tensor; seen: HostArray } {
    return { vectors: this.vectors, seen: { shape: [this.rows], data: Float32Array.from(this.seen) } };
  }

  /** Puts saved state (the names of stateTensors()) back; `source` names where it came from in errors. */
  restoreState(state: Record<string, HostArray | undefined>, source = 'saved state'): void {
    const { vectors, seen } = state;
    if (!vectors || !seen) throw new CritError(`${source}: no power-iteration vector cache (vectors, seen)`);
    if (vectors.data.length !== this.rows * this.features || seen.data.length !== this.rows) {
      throw new CritError(`${source}: a vector cache of ${vectors.data.length} values and ${seen.data.length} flags for ${this.rows} rows of ${this.features}`);
    }
    this.vectors.engine.write(this.vectors.buffer, vectors.data, 0, true);
    for (let i = 0; i < this.rows; i++) this.seen[i] = seen.data[i] ? 1 : 0;
  }

  private check(i: number): number {
    if (!(Number.isInteger(i) && i >= 0 && i < this.rows)) throw new CritError(`SingularVectorCache: row ${i} is outside [0, ${this.rows})`);
    return i;
  }

  dispose(): void { this.vectors.dispose(); }
}

export interface CriticalityLossOptions {
  /** α: weight of the criticality term. */
  alpha: number;
  /** λ_t: the target of λ0. */
  lambdaTarget: number;
  /**
   * How the top singular vectors are found: 'exact' from the Gram matrix J Jᵀ (m backward rows per input; the
   * default for up to 32 outputs, e.g. the MNIST MLP), or 'power': power iteration, warm-started from `cache`.
   */
  vectors?: 'exact' | 'power';
  /** Power iteration: steps for rows without a stored vector (default 8). */
  coldIterations?: number;
  /** Steps for rows warm-started from their stored vector (default 2). */
  warmIterations?: number;
  /** Per-sample vectors for warm starts, indexed by the batch's dataset indices. */
  cache?: SingularVectorCache;
  /** Seed of the random start vectors (default 0); epoch and step are mixed in so batches differ. */
  seed?: number;
  /**
   * Rows of each batch that carry the penalty (default: all). The first K rows of a shuffled batch are a random
   * sample of the data, so mean (λ_t − λ0)² over them is an unbiased estimate of the batch's, at ~K/B of the
   * power iteration's cost; the cross-entropy still uses every row.
   */
  penaltyRows?: number;
}

/**
 * CritL as a LossFn for nn's training loop: mean cross-entropy + α · mean_b (λ_t − λ0(x_b))². Metrics per batch:
 * L_lambda (the mean squared distance, without α), lambda0 (batch mean) and ce. For an MLP the singular vectors
 * come from its Jacobian in closed form (exact or power); any other model with stages (a CNN, a torchvision
 * classifier) uses power iteration through the generic JVP/VJP of its stages.
 */
export function criticalityLoss(model: MlpLike | StagedModel, o: CriticalityLossOptions): LossFn {
  if (!Number.isFinite(o.alpha) || o.alpha < 0) throw new CritError(`criticality loss: alpha must be a finite number >= 0, got ${o.alpha}`);
  if (!Number.isFinite(o.lambdaTarget)) throw new CritError(`criticality loss: lambda_t must be finite, got ${o.lambdaTarget}`);
  const cold = o.coldIterations ?? 8, warm = o.warmIterations ?? 2;
  if (o.vectors !== undefined && o.vectors !== 'exact' && o.vectors !== 'power') throw new CritError(`criticality loss: vectors must be 'exact' or 'power', got '${o.vectors}'`);
  const mlp = isMlp(model) ? model : null;
  if (!mlp && o.vectors === 'exact') throw new CritError("criticality loss: 'exact' vectors need an MLP (its Jacobian rows in closed form); use 'power' for this model");
  const exact = !!mlp && (o.vectors ?? (mlp.layers[mlp.layers.length - 1].outFeatures <= EXACT_MAX_OUTPUTS ? 'exact' : 'power')) === 'exact';
  if (o.penaltyRows !== undefined && !(Number.isInteger(o.penaltyRows) && o.penaltyRows >= 1)) throw new CritError(`criticality loss: penaltyRows must be an integer >= 1, got ${o.penaltyRows}`);
  const stagesOf = (params: Params) => ('stages' in model && typeof model.stages === 'function' ? model.stages(params) : mlpStages(mlp!, params));
  return (params, x, y, batch) => {
    const seed = ((o.seed ?? 0) + 1_000_003 * (batch?.epoch ?? 0) + (batch?.step ?? 0)) >>> 0;
    const B = x.shape[0], K = Math.min(o.penaltyRows ?? B, B);
    const stages = stagesOf(params);
    // The penalty's rows: the whole batch, or its first K rows (then the logits come from a plain forward pass).
    const xp = K < B ? slice(x, [0], [K]) : x;
    const bp = K < B && batch ? { ...batch, indices: batch.indices.subarray(0, K) } : batch;
    const v = mlp && exact ? exactTopSingularVectors(mlp, params, xp, { seed }) : powerVectors(params, xp, bp, seed);
    const { output, logNorm, alive } = logJvpNormWithOutput(stages, xp, v);
    const logits = K < B ? stages.reduce((h, f) => f(h), x) : output;
    const lambda0 = scale(logNorm, 1 / model.depth);
    const penalty = lambdaPenalty(lambda0, o.lambdaTarget, alive);
    const ce = crossEntropy(logits, y);
    // λ0's mean over the penalty's rows that have one; `dead`: the fraction of those rows with a zero Jacobian.
    const live = sum(alive);
    const lambda0Mean = div(sum(mul(lambda0, alive)), maximum(live, 1));
    const dead = addScalar(scale(live, -1 / K), 1);
    return { loss: add(ce, scale(penalty, o.alpha)), metrics: { L_lambda: penalty, lambda0: lambda0Mean, ce, dead } };
  };

  function powerVectors(params: Params, x: Tensor, batch: BatchContext | undefined, seed: number): Tensor {
    const B = x.shape[0];
    const idx = o.cache ? batch?.indices : undefined;
    if (o.cache && !idx) throw new CritError('criticality loss: a vector cache needs the batch indices (the training loop passes them)');
    if (idx && idx.length !== B) throw new CritError(`criticality loss: ${idx.length} batch indices for a batch of ${B}`);
    const run = (rows: Tensor, iterations: number, start?: Tensor) => {
      const so = { iterations, start, seed };
      return mlp ? topSingularVectors(mlp, params, rows, so) : stagedSingularVectors(stagesOf(params), rows, so);
    };
    const seen = idx ? Array.from(idx, (i) => o.cache!.has([i])) : [];
    const warmRows = seen.filter(Boolean).length;
    let v: Tensor;
    if (!idx || warmRows === 0) v = run(x, cold);
    else if (warmRows === B) v = run(x, warm, o.cache!.get(idx));
    else {
      // Some rows have a stored vector and some not (a batch sample, or a cache filling up): warm steps for the
      // first, cold ones for the rest, as two batched iterations, then back into the batch's row order.
      v = isolated(() => scope(() => {
        const w = seen.flatMap((s, b) => (s ? [b] : [])), c = seen.flatMap((s, b) => (s ? [] : [b]));
        const order = [...w, ...c], back = new Int32Array(B);
        order.forEach((b, k) => { back[b] = k; });
        const vw = run(gather(x, intTensor(w)), warm, o.cache!.get(w.map((b) => idx[b])));
        const vc = run(gather(x, intTensor(c)), cold);
        return gather(concat([vw, vc], 0), intTensor(back));
      }));
    }
    if (idx) o.cache!.set(idx, v);
    return v;
  }
}
