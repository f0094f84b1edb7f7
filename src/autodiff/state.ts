// The active tapes (reverse mode) and tangent traces (forward mode). Ops consult these when they run;
// grad/vjp/jvp push and pop them. Kept apart from the op table to avoid import cycles.
import type { Tensor } from '../tensor/tensor.js';
import type { OpRule } from '../ops/op.js';

export interface TapeNode {
  rule: OpRule;
  inputs: Tensor[];
  output: Tensor;
  attrs: unknown;
}

/** Records the ops whose inputs depend on the tracked tensors, in execution (so topological) order. */
export class Tape {
  readonly nodes: TapeNode[] = [];
  readonly tracked = new Set<number>();
  track(t: Tensor): void { this.tracked.add(t.id); }
  isTracked(t: Tensor): boolean { return this.tracked.has(t.id); }
}

/** Tangents of the tensors that depend on the inputs of one jvp() call. */
export class TangentTrace {
  readonly tangents = new Map<number, Tensor>();
  get(t: Tensor): Tensor | undefined { return this.tangents.get(t.id); }
  set(t: Tensor, tangent: Tensor): void { this.tangents.set(t.id, tangent); }
}

export const state = {
  tapes: [] as Tape[],
  traces: [] as TangentTrace[],
  /** >0 inside noGrad(): nothing is recorded and no tangent is propagated. */
  paused: 0,
};

/** Runs fn without recording tapes or propagating tangents (e.g. optimizer updates, metrics). */
export function noGrad<T>(fn: () => T): T {
  state.paused++;
  try { return fn(); } finally { state.paused--; }
}

/** Runs fn with only the given outer tapes and traces active (used while evaluating derivative rules). */
export function withActive<T>(tapes: Tape[], traces: TangentTrace[], fn: () => T): T {
  const saved = { tapes: state.tapes, traces: state.traces };
  state.tapes = tapes;
  state.traces = traces;
  try { return fn(); } finally { state.tapes = saved.tapes; state.traces = saved.traces; }
}
