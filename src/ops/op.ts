// The op table: every primitive is one OpRule with its forward dispatch, VJP rule, JVP rule and f64 CPU
// reference. The autodiff driver, the tests and the profiler walk this table; no op is special-cased elsewhere.
import { Tensor } from '../tensor/tensor.js';
import { state, withActive } from '../autodiff/state.js';
import { CritError } from '../util/errors.js';

/** f64 host tensor for references and tests. */
export interface HostTensor { data: Float64Array; shape: number[] }

export interface RuleContext<A> {
  inputs: Tensor[];
  output: Tensor;
  attrs: A;
  /** In VJP rules: which inputs need a cotangent (a rule may return null for the others and skip the work). */
  needs?: boolean[];
}

export interface OpRule<A = any> {
  name: string;
  /** Encodes the GPU work and returns the new output tensor. Inputs are validated already (not released). */
  forward(inputs: Tensor[], attrs: A): Tensor;
  /**
   * Cotangents of the inputs, given the output's cotangent gy, built from differentiable ops.
   * A result may have a broadcast input's larger shape: the driver sums it back to the input's shape.
   * null = no gradient (e.g. integer inputs).
   */
  vjp?(ctx: RuleContext<A>, gy: Tensor): (Tensor | null)[];
  /** Tangent of the output given the inputs' tangents (null where an input has none), from differentiable ops. */
  jvp?(ctx: RuleContext<A>, tangents: (Tensor | null)[]): Tensor | null;
  /** f64 CPU reference of forward, for tests. */
  reference?(inputs: HostTensor[], attrs: A): HostTensor;
  /** Indices of inputs that are not differentiable (integer indices, labels). */
  nondiff?: number[];
}

/** What defineOp returns: applies the rule (records tapes, propagates tangents). */
export type OpFn<A> = (inputs: Tensor[], attrs: A) => Tensor;

export const opTable = new Map<string, OpRule>();

/** Registers a rule and returns the function that applies it. */
export function defineOp<A>(rule: OpRule<A>): OpFn<A> {
  if (opTable.has(rule.name)) throw new Error(`op ${rule.name} defined twice`);
  opTable.set(rule.name, rule);
  return (inputs, attrs) => apply(rule, inputs, attrs);
}

export function apply<A>(rule: OpRule<A>, inputs: Tensor[], attrs: A): Tensor {
  for (const t of inputs) {
    if (!(t instanceof Tensor)) throw new CritError(`${rule.name}: expected tensors, got ${typeof t}`);
    if (t.disposed) throw new CritError(`${rule.name}: input tensor #${t.id} [${t.shape.join(', ')}] was released (disposed)`);
  }
  const output = rule.forward(inputs, attrs);
  if (state.paused > 0) return output;
  const nondiff = rule.nondiff ?? [];
  // Reverse mode: record on each tape that tracks an input.
  for (const tape of state.tapes) {
    if (inputs.some((t, i) => !nondiff.includes(i) && tape.isTracked(t))) {
      if (!rule.vjp) throw new CritError(`op ${rule.name} has no VJP rule and cannot be differentiated`);
      tape.nodes.push({ rule, inputs, output, attrs });
      tape.track(output);
    }
  }
  // Forward mode: the tangent is computed with only the outer traces active (no perturbation confusion),
  // and with the tapes active, so reverse mode can differentiate through tangents (reverse-over-forward).
  const traces = state.traces;
  for (let k = traces.length - 1; k >= 0; k--) {
    const trace = traces[k];
    const tangents = inputs.map((t, i) => (nondiff.includes(i) ? null : trace.get(t) ?? null));
    if (tangents.every((t) => t === null)) continue;
    if (!rule.jvp) throw new CritError(`op ${rule.name} has no JVP rule and cannot be used in forward mode`);
    const tangent = withActive(state.tapes, traces.slice(0, k), () => rule.jvp!({ inputs, output, attrs }, tangents));
    if (tangent) trace.set(output, tangent);
  }
  return output;
}
