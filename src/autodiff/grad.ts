// Reverse mode (vjp, grad, valueAndGrad) over a tape, and forward mode (jvp) over tangent traces.
// The tape lists ops in execution order, so walking it backwards is a topological order; broadcasting
// is undone in one place (unbroadcast), and cotangents of a tensor used many times are summed.
import { Tensor } from '../tensor/tensor.js';
import { Tape, TangentTrace, state, withActive } from './state.js';
import { add } from '../ops/elementwise.js';
import { unbroadcast } from '../ops/layout.js';
import { full } from '../ops/create.js';
import { sameShape, fmt } from '../tensor/shape.js';
import { CritError } from '../util/errors.js';

function asList(x: Tensor | Tensor[]): Tensor[] { return Array.isArray(x) ? x : [x]; }

/**
 * Runs f on primals and returns its output and a function that maps an output cotangent to the
 * cotangents of the primals. Other tapes (outer vjp calls) keep recording, so vjp can be nested.
 */
export function vjp<T extends Tensor | Tensor[]>(f: (...xs: Tensor[]) => Tensor, primals: T): {
  output: Tensor;
  backward: (cotangent: Tensor) => Tensor[];
  /** J t for tangents of the primals, from the recorded ops (their JVP rules on the stored values): jvp() without running f again. */
  forward: (tangents: Tensor[]) => Tensor;
} {
  const xs = asList(primals);
  const tape = new Tape();
  for (const x of xs) {
    if (x.dtype !== 'f32') throw new CritError(`vjp: cannot differentiate with respect to a ${x.dtype} tensor`);
    tape.track(x);
  }
  state.tapes = [...state.tapes, tape];
  let output: Tensor;
  try { output = f(...xs); } finally { state.tapes = state.tapes.filter((t) => t !== tape); }
  const backward = (cotangent: Tensor): Tensor[] => {
    if (!sameShape(cotangent.shape, output.shape)) throw new CritError(`vjp: cotangent ${fmt(cotangent.shape)} does not match output ${fmt(output.shape)}`);
    return backprop(tape, output, cotangent, xs);
  };
  const forward = (tangents: Tensor[]): Tensor => {
    if (tangents.length !== xs.length) throw new CritError(`vjp forward: ${xs.length} primals but ${tangents.length} tangents`);
    tangents.forEach((t, i) => { if (!sameShape(t.shape, xs[i].shape)) throw new CritError(`vjp forward: tangent ${i} ${fmt(t.shape)} does not match primal ${fmt(xs[i].shape)}`); });
    return replayTangents(tape, output, xs, tangents);
  };
  return { output, backward, forward };
}

/**
 * Forward mode over a recorded tape: each node's JVP rule applied to the stored inputs and output in recording
 * order, which is what jvp() computes while the primal runs (the same rules on the same values), minus the
 * primal. Power iteration applies one linearization many times (linearize + jvpPass).
 */
function replayTangents(tape: Tape, output: Tensor, xs: Tensor[], tangents: Tensor[]): Tensor {
  const tan = new Map<number, Tensor>();
  xs.forEach((x, i) => tan.set(x.id, tangents[i]));
  for (const node of tape.nodes) {
    const nondiff = node.rule.nondiff ?? [];
    const tins = node.inputs.map((t, k) => (nondiff.includes(k) ? null : tan.get(t.id) ?? null));
    if (tins.every((t) => t === null)) continue;
    if (!node.rule.jvp) throw new CritError(`op ${node.rule.name} has no JVP rule and cannot be used in forward mode`);
    for (const t of node.inputs) if (t.disposed) throw new CritError(`tangent through ${node.rule.name}: input tensor #${t.id} ${fmt(t.shape)} was released`);
    const t = node.rule.jvp({ inputs: node.inputs, output: node.output, attrs: node.attrs }, tins);
    if (t) tan.set(node.output.id, t);
  }
  return tan.get(output.id) ?? full(output.shape, 0);
}

function backprop(tape: Tape, output: Tensor, cotangent: Tensor, xs: Tensor[]): Tensor[] {
  const grads = new Map<number, Tensor>();
  const accumulate = (t: Tensor, g: Tensor) => {
    const prev = grads.get(t.id);
    grads.set(t.id, prev ? add(prev, g) : g);
  };
  // The derivative rules run with the outer tapes active (higher-order) but not this one.
  const outer = state.tapes.filter((t) => t !== tape);
  withActive(outer, state.traces, () => {
    if (tape.isTracked(output)) accumulate(output, cotangent);
    for (let i = tape.nodes.length - 1; i >= 0; i--) {
      const node = tape.nodes[i];
      const gy = grads.get(node.output.id);
      if (!gy) continue;
      for (const t of node.inputs) if (t.disposed) throw new CritError(`backward through ${node.rule.name}: input tensor #${t.id} ${fmt(t.shape)} was released before the gradient was taken`);
      const needs = node.inputs.map((x, k) => tape.isTracked(x) && !(node.rule.nondiff ?? []).includes(k));
      const gins = node.rule.vjp!({ inputs: node.inputs, output: node.output, attrs: node.attrs, needs }, gy);
      node.inputs.forEach((x, k) => {
        const g = gins[k];
        if (!g || !tape.isTracked(x) || (node.rule.nondiff ?? []).includes(k)) return;
        accumulate(x, unbroadcast(g, x.shape));
      });
    }
  });
  return xs.map((x) => grads.get(x.id) ?? full(x.shape, 0));
}

/** Gradients of a scalar-valued f with respect to each input, and the value. */
export function valueAndGrad(f: (...xs: Tensor[]) => Tensor, primals: Tensor[]): { value: Tensor; grads: Tensor[] } {
  const { output, backward } = vjp(f, primals);
  if (output.size !== 1) throw new CritError(`grad: f must return one value, got ${fmt(output.shape)}; use vjp for other outputs`);
  const seed = full(output.shape, 1);
  return { value: output, grads: backward(seed) };
}

export function grad(f: (...xs: Tensor[]) => Tensor, primals: Tensor[]): Tensor[] {
  return valueAndGrad(f, primals).grads;
}

/**
 * Forward mode: the output of f and its directional derivative along tangents (one per primal, same
 * shapes). The tangent ops are ordinary ops, recorded by any active tape: vjp over jvp works.
 */
export function jvp(f: (...xs: Tensor[]) => Tensor, primals: Tensor[], tangents: Tensor[]): { output: Tensor; tangent: Tensor } {
  if (primals.length !== tangents.length) throw new CritError(`jvp: ${primals.length} primals but ${tangents.length} tangents`);
  const trace = new TangentTrace();
  primals.forEach((x, i) => {
    if (!sameShape(x.shape, tangents[i].shape)) throw new CritError(`jvp: tangent ${i} ${fmt(tangents[i].shape)} does not match primal ${fmt(x.shape)}`);
    trace.set(x, tangents[i]);
  });
  state.traces = [...state.traces, trace];
  let output: Tensor;
  try { output = f(...primals); } finally { state.traces = state.traces.filter((t) => t !== trace); }
  const tangent = trace.get(output) ?? full(output.shape, 0);
  return { output, tangent };
}
