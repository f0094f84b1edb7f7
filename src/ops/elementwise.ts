// Elementwise ops as data: each row gives the WGSL expression, the f64 reference, and the VJP/JVP rules.
// One kernel family (shaders/elementwise.wgsl) serves them all; the expression is a define.
import elementwiseSource from '../../shaders/elementwise.wgsl';
import tanhSource from '../../shaders/tanh.wgsl';
import { Tensor } from '../tensor/tensor.js';
import { broadcastShapes, broadcastStrides, sameShape, sizeOf, fmt } from '../tensor/shape.js';
import { defineOp, type HostTensor, type OpRule, type RuleContext } from './op.js';
import { ParamWriter } from './launch.js';
import { CritError } from '../util/errors.js';

const source = tanhSource + elementwiseSource;

const A = 1.7159, B = 0.6666;
const MAX_RANK = 8;

interface MapAttrs { p0: number; p1: number }

function launch(name: string, expr: string, inputs: Tensor[], outShape: readonly number[], attrs: MapAttrs): Tensor {
  const out = Tensor.empty(outShape, 'f32', inputs[0].engine);
  const n = sizeOf(outShape);
  if (n === 0) return out;
  if (outShape.length > MAX_RANK) throw new CritError(`${name}: rank ${outShape.length} over the maximum of ${MAX_RANK}`);
  const binary = inputs.length === 2;
  const fullA = binary && sameShape(inputs[0].shape, outShape), fullB = binary && sameShape(inputs[1].shape, outShape);
  const contiguous = !binary || (fullA && fullB);
  const blockB = binary && !contiguous && fullA ? repeatedBlock(inputs[1].shape, outShape) : null;
  const blockA = binary && !contiguous && !blockB && fullB ? repeatedBlock(inputs[0].shape, outShape) : null;
  const p = new ParamWriter().u32(n).u32(outShape.length).f32(attrs.p0).f32(attrs.p1).vec4s(outShape, 2);
  if (blockA || blockB) p.vec4s(blockA ?? [], 2).vec4s(blockB ?? [], 2);
  else if (binary && !contiguous) p.vec4s(broadcastStrides(inputs[0].shape, outShape), 2).vec4s(broadcastStrides(inputs[1].shape, outShape), 2);
  else p.vec4s([], 2).vec4s([], 2);
  out.engine.dispatch({
    kernel: { name: 'elementwise', source, defines: { OP: expr, BINARY: binary, CONTIGUOUS: contiguous, BLOCK_A: !!blockA, BLOCK_B: !!blockB } },
    label: name,
    buffers: [...inputs.map((t) => t.buffer), out.buffer],
    params: p.buffer,
    indices: n,
    bytes: 4 * (n + inputs.reduce((s, t) => s + t.size, 0)),
    flops: n,
  });
  return out;
}

/**
 * [inner, mid] when a tensor of `shape`, broadcast to `out`, reads element (i / inner) % mid for output i:
 * its non-broadcast dimensions form one contiguous run of out's dimensions. Null otherwise.
 */
export function repeatedBlock(shape: readonly number[], out: readonly number[]): [number, number] | null {
  const st = broadcastStrides(shape, out);
  const kept = out.map((d, i) => st[i] !== 0 && d !== 1);
  const first = kept.indexOf(true), last = kept.lastIndexOf(true);
  if (first < 0) return [1, 1];
  for (let d = first; d <= last; d++) if (!kept[d] && out[d] !== 1) return null;
  return [sizeOf(out.slice(last + 1)), sizeOf(out.slice(first, last + 1))];
}

function refMap(inputs: HostTensor[], f: (x: number, y: number) => number): HostTensor {
  if (inputs.length === 1) return { data: inputs[0].data.map((x) => f(x, 0)), shape: [...inputs[0].shape] };
  const shape = broadcastShapes(inputs[0].shape, inputs[1].shape);
  const sa = broadcastStrides(inputs[0].shape, shape), sb = broadcastStrides(inputs[1].shape, shape);
  const n = sizeOf(shape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let rem = i, ia = 0, ib = 0;
    for (let d = shape.length - 1; d >= 0; d--) { const idx = rem % shape[d]; rem = Math.floor(rem / shape[d]); ia += idx * sa[d]; ib += idx * sb[d]; }
    data[i] = f(inputs[0].data[ia], inputs[1].data[ib]);
  }
  return { data, shape };
}

type Ctx = RuleContext<MapAttrs>;
interface MapDef {
  name: string;
  /** WGSL expression in x (first input), y (second input), p0, p1. */
  wgsl: string;
  ref: (x: number, y: number, p0: number, p1: number) => number;
  vjp?: (c: Ctx, gy: Tensor) => (Tensor | null)[];
  jvp?: (c: Ctx, t: (Tensor | null)[]) => Tensor | null;
}

function defineMap(def: MapDef, arity: 1 | 2): (inputs: Tensor[], attrs: MapAttrs) => Tensor {
  const rule: OpRule<MapAttrs> = {
    name: def.name,
    forward(inputs, attrs) {
      for (const t of inputs) if (t.dtype !== 'f32') throw new CritError(`${def.name}: needs f32 tensors, got ${t.dtype} ${fmt(t.shape)}`);
      if (inputs.length !== arity) throw new CritError(`${def.name}: takes ${arity} tensor(s)`);
      const shape = arity === 2 ? broadcastShapes(inputs[0].shape, inputs[1].shape, def.name) : inputs[0].shape;
      return launch(def.name, def.wgsl, inputs, shape, attrs);
    },
    vjp: def.vjp,
    jvp: def.jvp,
    reference: (inputs, attrs) => refMap(inputs, (x, y) => def.ref(x, y, attrs.p0, attrs.p1)),
  };
  return defineOp(rule);
}

const none: MapAttrs = { p0: 0, p1: 0 };
function finite(op: string, v: number): number {
  if (!Number.isFinite(v)) throw new CritError(`${op}: scalar must be finite, got ${v}`);
  return v;
}

// ---- the table: unary ----
const tanhRef = (x: number) => Math.tanh(x);
const sechSq = (x: number) => 1 - Math.tanh(x) ** 2;
const erf = (x: number) => { // f64 erf (W. J. Cody's rational approximations would be overkill here: 1e-15 series/continued fraction)
  const t = Math.abs(x);
  if (t < 3) { let s = 0, term = t; for (let k = 0; k < 200; k++) { s += term / (2 * k + 1); term *= -t * t / (k + 1); if (Math.abs(term) < 1e-17) break; } return Math.sign(x) * 2 / Math.sqrt(Math.PI) * s; }
  // asymptotic continued fraction for erfc
  let f = 0; for (let k = 60; k >= 1; k--) f = k / 2 / (t + f);
  return Math.sign(x) * (1 - Math.exp(-t * t) / Math.sqrt(Math.PI) / (t + f));
};

export const neg1 = defineMap({ name: 'neg', wgsl: '-x', ref: (x) => -x, vjp: (_c, gy) => [neg(gy)], jvp: (_c, [t]) => neg(t!) }, 1);
export const exp1 = defineMap({ name: 'exp', wgsl: 'exp(x)', ref: Math.exp, vjp: (c, gy) => [mul(gy, c.output)], jvp: (c, [t]) => mul(t!, c.output) }, 1);
export const log1 = defineMap({ name: 'log', wgsl: 'log(x)', ref: Math.log, vjp: (c, gy) => [div(gy, c.inputs[0])], jvp: (c, [t]) => div(t!, c.inputs[0]) }, 1);
export const abs1 = defineMap({ name: 'abs', wgsl: 'abs(x)', ref: Math.abs, vjp: (c, gy) => [mul(gy, sign(c.inputs[0]))], jvp: (c, [t]) => mul(t!, sign(c.inputs[0])) }, 1);
export const sign1 = defineMap({ name: 'sign', wgsl: 'sign(x)', ref: Math.sign, vjp: () => [null], jvp: () => null }, 1);
export const square1 = defineMap({ name: 'square', wgsl: 'x * x', ref: (x) => x * x, vjp: (c, gy) => [mul(gy, scale(c.inputs[0], 2))], jvp: (c, [t]) => mul(t!, scale(c.inputs[0], 2)) }, 1);
export const sqrt1 = defineMap({ name: 'sqrt', wgsl: 'sqrt(x)', ref: Math.sqrt, vjp: (c, gy) => [div(scale(gy, 0.5), c.output)], jvp: (c, [t]) => div(scale(t!, 0.5), c.output) }, 1);
export const reciprocal1 = defineMap({ name: 'reciprocal', wgsl: '1.0 / x', ref: (x) => 1 / x, vjp: (c, gy) => [neg(mul(gy, square(c.output)))], jvp: (c, [t]) => neg(mul(t!, square(c.output))) }, 1);
export const step1 = defineMap({ name: 'step', wgsl: 'select(0.0, 1.0, x > 0.0)', ref: (x) => (x > 0 ? 1 : 0), vjp: () => [null], jvp: () => null }, 1);
export const relu1 = defineMap({ name: 'relu', wgsl: 'max(x, 0.0)', ref: (x) => Math.max(x, 0), vjp: (c, gy) => [reluGradMul(gy, c.inputs[0])], jvp: (c, [t]) => reluGradMul(t!, c.inputs[0]) }, 1);
export const sigmoid1 = defineMap({
  name: 'sigmoid', wgsl: '1.0 / (1.0 + exp(-x))', ref: (x) => 1 / (1 + Math.exp(-x)),
  vjp: (c, gy) => [sigmoidGradMul(gy, c.output)], jvp: (c, [t]) => sigmoidGradMul(t!, c.output),
}, 1);
export const tanh1 = defineMap({
  name: 'tanh', wgsl: 'safe_tanh(x)', ref: tanhRef,
  vjp: (c, gy) => [tanhGradMul(gy, c.output)], jvp: (c, [t]) => tanhGradMul(t!, c.output),
}, 1);
const geluRef = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));
const geluGradRef = (x: number) => 0.5 * (1 + erf(x / Math.SQRT2)) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
/** gelu''(x) = φ(x) (2 - x²), composed of differentiable ops so that every higher order works. */
function geluGrad2(x: Tensor): Tensor {
  const x2 = square(x);
  return mul(scale(exp(scale(x2, -0.5)), 1 / Math.sqrt(2 * Math.PI)), addScalar(neg(x2), 2));
}
export const geluGrad1 = defineMap({
  name: 'gelu_grad', wgsl: '0.5 * (1.0 + erf_approx(x * 0.70710678118654752)) + x * exp(-0.5 * x * x) * 0.39894228040143268', ref: geluGradRef,
  vjp: (c, gy) => [mul(gy, geluGrad2(c.inputs[0]))], jvp: (c, [t]) => mul(t!, geluGrad2(c.inputs[0])),
}, 1);
export const gelu1 = defineMap({
  name: 'gelu', wgsl: '0.5 * x * (1.0 + erf_approx(x * 0.70710678118654752))', ref: geluRef,
  vjp: (c, gy) => [geluGradMul(gy, c.inputs[0])], jvp: (c, [t]) => geluGradMul(t!, c.inputs[0]),
}, 1);
// g(x) = 1.7159 tanh(0.6666 x) (LeCun's scaled tanh) and its first two derivatives: the second is what the
// gradient of the criticality loss needs (reverse mode through the tangent g'(b) * (W v)).
/** g'''(x) = -2 A B³ (1 - t²)(1 - 3t²) with t = tanh(B x), composed of differentiable ops (every order works). */
function scaledTanhGrad3(x: Tensor): Tensor {
  const t2 = square(tanh(scale(x, B)));
  return mul(scale(addScalar(neg(t2), 1), -2 * A * B ** 3), addScalar(scale(t2, -3), 1));
}
export const scaledTanhGrad2_1 = defineMap({
  name: 'scaled_tanh_grad2', wgsl: '-2.0 * A * B * B * safe_tanh(B * x) * (1.0 - safe_tanh(B * x) * safe_tanh(B * x))',
  ref: (x) => -2 * A * B * B * Math.tanh(B * x) * sechSq(B * x),
  vjp: (c, gy) => [mul(gy, scaledTanhGrad3(c.inputs[0]))], jvp: (c, [t]) => mul(t!, scaledTanhGrad3(c.inputs[0])),
}, 1);
export const scaledTanhGrad1 = defineMap({
  name: 'scaled_tanh_grad', wgsl: 'A * B * (1.0 - safe_tanh(B * x) * safe_tanh(B * x))', ref: (x) => A * B * sechSq(B * x),
  vjp: (c, gy) => [mul(gy, scaledTanhGrad2(c.inputs[0]))], jvp: (c, [t]) => mul(t!, scaledTanhGrad2(c.inputs[0])),
}, 1);
export const scaledTanh1 = defineMap({
  name: 'scaled_tanh', wgsl: 'A * safe_tanh(B * x)', ref: (x) => A * Math.tanh(B * x),
  vjp: (c, gy) => [scaledTanhGradMul(gy, c.inputs[0])], jvp: (c, [t]) => scaledTanhGradMul(t!, c.inputs[0]),
}, 1);
export const scale1 = defineMap({ name: 'scale', wgsl: 'x * p0', ref: (x, _y, p0) => x * p0, vjp: (c, gy) => [scale(gy, c.attrs.p0)], jvp: (c, [t]) => scale(t!, c.attrs.p0) }, 1);
export const addScalar1 = defineMap({ name: 'add_scalar', wgsl: 'x + p0', ref: (x, _y, p0) => x + p0, vjp: (_c, gy) => [gy], jvp: (_c, [t]) => t }, 1);
export const powScalar1 = defineMap({
  name: 'pow_scalar', wgsl: 'pow_scalar(x, p0)',
  ref: (x, _y, p0) => x ** p0,
  vjp: (c, gy) => [mul(gy, scale(powScalar(c.inputs[0], c.attrs.p0 - 1), c.attrs.p0))], jvp: (c, [t]) => mul(t!, scale(powScalar(c.inputs[0], c.attrs.p0 - 1), c.attrs.p0)),
}, 1);

// ---- the table: binary (broadcasting) ----
export const add2 = defineMap({ name: 'add', wgsl: 'x + y', ref: (x, y) => x + y, vjp: (_c, gy) => [gy, gy], jvp: (_c, [ta, tb]) => addMaybe(ta, tb) }, 2);
export const sub2 = defineMap({
  name: 'sub', wgsl: 'x - y', ref: (x, y) => x - y, vjp: (_c, gy) => [gy, neg(gy)],
  jvp: (_c, [ta, tb]) => (tb ? (ta ? sub(ta, tb) : neg(tb)) : ta),
}, 2);
export const mul2 = defineMap({
  name: 'mul', wgsl: 'x * y', ref: (x, y) => x * y,
  vjp: (c, gy) => [mul(gy, c.inputs[1]), mul(gy, c.inputs[0])],
  jvp: (c, [ta, tb]) => addMaybe(ta && mul(ta, c.inputs[1]), tb && mul(c.inputs[0], tb)),
}, 2);
export const div2 = defineMap({
  name: 'div', wgsl: 'x / y', ref: (x, y) => x / y,
  vjp: (c, gy) => [div(gy, c.inputs[1]), neg(div(mul(gy, c.output), c.inputs[1]))],
  jvp: (c, [ta, tb]) => div(tb ? (ta ? sub(ta, mul(c.output, tb)) : neg(mul(c.output, tb))) : ta!, c.inputs[1]),
}, 2);
export const greaterEqual2 = defineMap({ name: 'greater_equal', wgsl: 'select(0.0, 1.0, x >= y)', ref: (x, y) => (x >= y ? 1 : 0), vjp: () => [null, null], jvp: () => null }, 2);
export const maximum2 = defineMap({
  name: 'maximum', wgsl: 'max(x, y)', ref: (x, y) => Math.max(x, y),
  vjp: (c, gy) => { const m = greaterEqual(c.inputs[0], c.inputs[1]); return [mul(gy, m), mul(gy, addScalar(neg(m), 1))]; },
  jvp: (c, [ta, tb]) => { const m = greaterEqual(c.inputs[0], c.inputs[1]); return addMaybe(ta && mul(ta, m), tb && mul(tb, addScalar(neg(m), 1))); },
}, 2);
export const minimum2 = defineMap({
  name: 'minimum', wgsl: 'min(x, y)', ref: (x, y) => Math.min(x, y),
  vjp: (c, gy) => { const m = greaterEqual(c.inputs[1], c.inputs[0]); return [mul(gy, m), mul(gy, addScalar(neg(m), 1))]; },
  jvp: (c, [ta, tb]) => { const m = greaterEqual(c.inputs[1], c.inputs[0]); return addMaybe(ta && mul(ta, m), tb && mul(tb, addScalar(neg(m), 1))); },
}, 2);

// ---- the table: against a scalar (no constant tensor to fill and broadcast) ----
// max(x, c) and min(x, c) as maximum/minimum give ties to x; the masks are their derivative times a gradient.
export const clampMin1 = defineMap({
  name: 'clamp_min', wgsl: 'max(x, p0)', ref: (x, _y, p0) => Math.max(x, p0),
  vjp: (c, gy) => [maskGeMul(gy, c.inputs[0], c.attrs.p0)], jvp: (c, [t]) => maskGeMul(t!, c.inputs[0], c.attrs.p0),
}, 1);
export const clampMax1 = defineMap({
  name: 'clamp_max', wgsl: 'min(x, p0)', ref: (x, _y, p0) => Math.min(x, p0),
  vjp: (c, gy) => [maskLeMul(gy, c.inputs[0], c.attrs.p0)], jvp: (c, [t]) => maskLeMul(t!, c.inputs[0], c.attrs.p0),
}, 1);
export const maskGeMul2 = defineMap({
  name: 'mask_ge_mul', wgsl: 'select(0.0, x, y >= p0)', ref: (g, x, p0) => (x >= p0 ? g : 0),
  vjp: (c, gy) => [maskGeMul(gy, c.inputs[1], c.attrs.p0), null], jvp: (c, [tg]) => tg && maskGeMul(tg, c.inputs[1], c.attrs.p0),
}, 2);
export const maskLeMul2 = defineMap({
  name: 'mask_le_mul', wgsl: 'select(0.0, x, y <= p0)', ref: (g, x, p0) => (x <= p0 ? g : 0),
  vjp: (c, gy) => [maskLeMul(gy, c.inputs[1], c.attrs.p0), null], jvp: (c, [tg]) => tg && maskLeMul(tg, c.inputs[1], c.attrs.p0),
}, 2);

// ---- the table: a gradient times an activation's derivative, g · f'(x), in one kernel ----
// The activations' VJP and JVP rules: without them each rule wrote f'(x) to memory and read it back for the
// product (two to four kernels, e.g. tanh's 1 − y² as square, neg, add, mul). x is the activation's input, or
// its output where f' is a function of it (tanh, sigmoid). Both are differentiable, so every order still works.
export const reluGradMul2 = defineMap({
  name: 'relu_grad_mul', wgsl: 'select(0.0, x, y > 0.0)', ref: (g, x) => (x > 0 ? g : 0),
  vjp: (c, gy) => [reluGradMul(gy, c.inputs[1]), null], jvp: (c, [tg]) => tg && reluGradMul(tg, c.inputs[1]),
}, 2);
export const tanhGradMul2 = defineMap({
  name: 'tanh_grad_mul', wgsl: 'x * (1.0 - y * y)', ref: (g, y) => g * (1 - y * y),
  // ∂/∂y g (1 − y²) = −2 g y
  vjp: (c, gy) => [tanhGradMul(gy, c.inputs[1]), scale(mul(mul(gy, c.inputs[0]), c.inputs[1]), -2)],
  jvp: (c, [tg, ty]) => addMaybe(tg && tanhGradMul(tg, c.inputs[1]), ty && scale(mul(mul(c.inputs[0], c.inputs[1]), ty), -2)),
}, 2);
export const sigmoidGradMul2 = defineMap({
  name: 'sigmoid_grad_mul', wgsl: 'x * (y * (1.0 - y))', ref: (g, y) => g * y * (1 - y),
  // ∂/∂y g y (1 − y) = g (1 − 2y)
  vjp: (c, gy) => [sigmoidGradMul(gy, c.inputs[1]), mul(mul(gy, c.inputs[0]), addScalar(scale(c.inputs[1], -2), 1))],
  jvp: (c, [tg, ty]) => addMaybe(tg && sigmoidGradMul(tg, c.inputs[1]), ty && mul(mul(c.inputs[0], addScalar(scale(c.inputs[1], -2), 1)), ty)),
}, 2);
export const geluGradMul2 = defineMap({
  name: 'gelu_grad_mul', wgsl: 'x * (0.5 * (1.0 + erf_approx(y * 0.70710678118654752)) + y * exp(-0.5 * y * y) * 0.39894228040143268)',
  ref: (g, x) => g * geluGradRef(x),
  vjp: (c, gy) => [geluGradMul(gy, c.inputs[1]), mul(mul(gy, c.inputs[0]), geluGrad2(c.inputs[1]))],
  jvp: (c, [tg, tx]) => addMaybe(tg && geluGradMul(tg, c.inputs[1]), tx && mul(mul(c.inputs[0], geluGrad2(c.inputs[1])), tx)),
}, 2);
export const scaledTanhGradMul2 = defineMap({
  name: 'scaled_tanh_grad_mul', wgsl: 'x * (A * B * (1.0 - safe_tanh(B * y) * safe_tanh(B * y)))', ref: (g, x) => g * A * B * sechSq(B * x),
  vjp: (c, gy) => [scaledTanhGradMul(gy, c.inputs[1]), mul(mul(gy, c.inputs[0]), scaledTanhGrad2(c.inputs[1]))],
  jvp: (c, [tg, tx]) => addMaybe(tg && scaledTanhGradMul(tg, c.inputs[1]), tx && mul(mul(c.inputs[0], scaledTanhGrad2(c.inputs[1])), tx)),
}, 2);

function addMaybe(a: Tensor | null, b: Tensor | null): Tensor | null {
  return a && b ? add(a, b) : a ?? b;
}

// ---- the public API ----
type Operand = Tensor | number;
export const neg = (x: Tensor) => neg1([x], none);
export const exp = (x: Tensor) => exp1([x], none);
export const log = (x: Tensor) => log1([x], none);
export const abs = (x: Tensor) => abs1([x], none);
export const sign = (x: Tensor) => sign1([x], none);
export const square = (x: Tensor) => square1([x], none);
export const sqrt = (x: Tensor) => sqrt1([x], none);
export const reciprocal = (x: Tensor) => reciprocal1([x], none);
export const step = (x: Tensor) => step1([x], none);
export const relu = (x: Tensor) => relu1([x], none);
export const sigmoid = (x: Tensor) => sigmoid1([x], none);
export const tanh = (x: Tensor) => tanh1([x], none);
export const gelu = (x: Tensor) => gelu1([x], none);
export const geluGrad = (x: Tensor) => geluGrad1([x], none);
/** g(x) = 1.7159 tanh(0.6666 x). */
export const scaledTanh = (x: Tensor) => scaledTanh1([x], none);
/** g'(x). */
export const scaledTanhGrad = (x: Tensor) => scaledTanhGrad1([x], none);
/** g''(x). */
export const scaledTanhGrad2 = (x: Tensor) => scaledTanhGrad2_1([x], none);
/** g · relu'(x) (x the input of relu). */
export const reluGradMul = (g: Tensor, x: Tensor) => reluGradMul2([g, x], none);
/** g · (1 − y²) with y = tanh(x). */
export const tanhGradMul = (g: Tensor, y: Tensor) => tanhGradMul2([g, y], none);
/** g · y (1 − y) with y = sigmoid(x). */
export const sigmoidGradMul = (g: Tensor, y: Tensor) => sigmoidGradMul2([g, y], none);
/** g · gelu'(x). */
export const geluGradMul = (g: Tensor, x: Tensor) => geluGradMul2([g, x], none);
/** g · g'(x) for LeCun's scaled tanh g. */
export const scaledTanhGradMul = (g: Tensor, x: Tensor) => scaledTanhGradMul2([g, x], none);
export const scale = (x: Tensor, s: number) => scale1([x], { p0: finite('scale', s), p1: 0 });
export const addScalar = (x: Tensor, s: number) => addScalar1([x], { p0: finite('addScalar', s), p1: 0 });
export const powScalar = (x: Tensor, p: number) => powScalar1([x], { p0: finite('pow', p), p1: 0 });
export const greaterEqual = (a: Tensor, b: Tensor) => greaterEqual2([a, b], none);
/** Elementwise max; a number as b is a scalar floor (one kernel, no constant tensor). Ties take x's gradient. */
export const maximum = (a: Tensor, b: Tensor | number) => (typeof b === 'number' ? clampMin1([a], { p0: finite('maximum', b), p1: 0 }) : maximum2([a, b], none));
/** Elementwise min; a number as b is a scalar ceiling. Ties take x's gradient. */
export const minimum = (a: Tensor, b: Tensor | number) => (typeof b === 'number' ? clampMax1([a], { p0: finite('minimum', b), p1: 0 }) : minimum2([a, b], none));
/** g where x >= c, else 0 (the derivative of max(x, c) times g). */
export const maskGeMul = (g: Tensor, x: Tensor, c: number) => maskGeMul2([g, x], { p0: c, p1: 0 });
/** g where x <= c, else 0. */
export const maskLeMul = (g: Tensor, x: Tensor, c: number) => maskLeMul2([g, x], { p0: c, p1: 0 });

export function add(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number') return addScalar(a as Tensor, b);
  if (typeof a === 'number') return addScalar(b, a);
  return add2([a, b], none);
}
export function sub(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number') return addScalar(a as Tensor, -b);
  if (typeof a === 'number') return addScalar(neg(b), a);
  return sub2([a, b], none);
}
export function mul(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number') return scale(a as Tensor, b);
  if (typeof a === 'number') return scale(b, a);
  return mul2([a, b], none);
}
export function div(a: Operand, b: Operand): Tensor {
  if (typeof b === 'number') {
    if (finite('div', b) === 0) throw new CritError(`div: division of ${fmt((a as Tensor).shape)} by the scalar 0`);
    return scale(a as Tensor, 1 / b);
  }
  if (typeof a === 'number') return scale(reciprocal(b), a);
  return div2([a, b], none);
}
