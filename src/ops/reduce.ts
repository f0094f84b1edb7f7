// Reductions over one axis (sum, max, sum of squares) as kernels; mean, L2 norm and multi-axis
// reductions are compositions, so their derivatives come from the rules of the primitives.
import source from '../../shaders/reduce.wgsl';
import { Tensor } from '../tensor/tensor.js';
import { sizeOf, normAxis, fmt } from '../tensor/shape.js';
import { defineOp, type HostTensor, type OpFn } from './op.js';
import { ParamWriter, groups1d } from './launch.js';
import { mul, scale, greaterEqual, sqrt, div, maximum } from './elementwise.js';
import { broadcastTo, reshape } from './layout.js';
import { CritError } from '../util/errors.js';

interface ReduceAttrs { axis: number; keepDims: boolean }
const MODES = {
  sum: { INIT: '0.0', FOLD: 'acc + v', PRE: 'v', ref: (acc: number, v: number) => acc + v, init: 0, pre: (v: number) => v },
  max: { INIT: '-3.4028234663852886e38', FOLD: 'max(acc, v)', PRE: 'v', ref: Math.max, init: -Infinity, pre: (v: number) => v },
  sumsq: { INIT: '0.0', FOLD: 'acc + v', PRE: 'v * v', ref: (acc: number, v: number) => acc + v, init: 0, pre: (v: number) => v * v },
} as const;
type Mode = keyof typeof MODES;

function dims(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}
function outShape(shape: readonly number[], axis: number, keepDims: boolean): number[] {
  return keepDims ? shape.map((d, i) => (i === axis ? 1 : d)) : shape.filter((_, i) => i !== axis);
}

/** Axis length up to which one invocation folds an output serially; longer axes use workgroup trees. */
const SERIAL_MAX = 64;
/** Elements of the axis per workgroup in the tree kernel (64 per invocation); longer axes take more passes. */
const CHUNK = 4096;
/**
 * On CPU drivers (lavapipe, SwiftShader) workgroup barriers are expensive: there every pass folds blocks of
 * CPU_BLOCK elements serially, one invocation per (output, block), and the passes form a tree of fan-out
 * CPU_BLOCK (error ~ (256 + blocks) ulp instead of ~ length ulp). Measured on lavapipe: [128, 784] summed
 * over rows in 131 us against 524 us with workgroup trees; [1024, 100] 131 us against 3 ms.
 */
const CPU_BLOCK = 256;
const WG_REDUCE = 64;

function launch(mode: Mode, x: Tensor, attrs: ReduceAttrs): Tensor {
  if (x.dtype !== 'f32') throw new CritError(`${mode}: needs an f32 tensor, got ${x.dtype} ${fmt(x.shape)}`);
  const axis = normAxis(attrs.axis, x.rank, mode);
  const [outer, r, inner] = dims(x.shape, axis);
  if (r === 0 && mode === 'max') throw new CritError(`max over an empty axis of ${fmt(x.shape)}`);
  const out = Tensor.empty(outShape(x.shape, axis, attrs.keepDims), 'f32', x.engine);
  const n = outer * inner;
  if (n === 0) return out;
  // Pass k reduces chunks of CHUNK elements of the axis into partial results [outer, chunks, inner]; the
  // next pass folds those (with FOLD, not PRE: sumsq squares only once) until one value per output is left.
  let src = x, len = r, first = true;
  const cpu = x.engine.isCpuAdapter;
  const chunk = cpu ? CPU_BLOCK : CHUNK;
  for (;;) {
    const chunks = len > chunk ? Math.ceil(len / chunk) : 1;
    const dst = chunks === 1 ? out : Tensor.empty([outer, chunks, inner], 'f32', x.engine);
    encode(mode, first, src, dst, outer, len, inner, chunks, !cpu && len > SERIAL_MAX, chunk);
    if (!first) src.dispose();
    if (chunks === 1) return out;
    src = dst; len = chunks; first = false;
  }
}

function encode(mode: Mode, first: boolean, src: Tensor, dst: Tensor, outer: number, r: number, inner: number, chunks: number, tree: boolean, chunk: number): void {
  const m = MODES[mode];
  const n = outer * inner * chunks;
  src.engine.dispatch({
    kernel: { name: 'reduce', source, defines: { TREE: tree, WG: WG_REDUCE, INIT: m.INIT, FOLD: m.FOLD, PRE: first ? m.PRE : 'v' } },
    label: `reduce_${mode}`,
    buffers: [src.buffer, dst.buffer],
    params: new ParamWriter().u32(outer).u32(r).u32(inner).f32(1).u32(Math.min(r, chunk)).u32(chunks).buffer,
    workgroups: tree ? n : groups1d(n, WG_REDUCE),
    bytes: 4 * (outer * r * inner + n),
    flops: outer * r * inner,
  });
}

function reference(mode: Mode) {
  return ([x]: HostTensor[], attrs: ReduceAttrs): HostTensor => {
    const axis = normAxis(attrs.axis, x.shape.length);
    const [outer, r, inner] = dims(x.shape, axis);
    const m = MODES[mode];
    const data = new Float64Array(outer * inner);
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) {
      let acc: number = m.init;
      for (let k = 0; k < r; k++) acc = m.ref(acc, m.pre(x.data[(o * r + k) * inner + i]));
      data[o * inner + i] = acc;
    }
    return { data, shape: outShape(x.shape, axis, attrs.keepDims) };
  };
}

/** gy (reduced shape) back to the input's shape, broadcasting over the reduced axis. */
function expandBack(gy: Tensor, x: Tensor, attrs: ReduceAttrs): Tensor {
  const axis = normAxis(attrs.axis, x.rank);
  const kept = attrs.keepDims ? gy : reshape(gy, outShape(x.shape, axis, true));
  return broadcastTo(kept, x.shape);
}

export const sumOp: OpFn<ReduceAttrs> = defineOp<ReduceAttrs>({
  name: 'sum',
  forward: ([x], a) => launch('sum', x, a),
  vjp: ({ inputs: [x], attrs }, gy) => [expandBack(gy, x, attrs)],
  jvp: ({ attrs }, [t]) => sumOp([t!], attrs),
  reference: reference('sum'),
});
export const maxOp = defineOp<ReduceAttrs>({
  name: 'max',
  forward: ([x], a) => launch('max', x, a),
  // Ties share the gradient (each maximal element gets gy), like the subgradient of an elementwise max.
  vjp: ({ inputs: [x], output, attrs }, gy) => [mul(expandBack(gy, x, attrs), greaterEqual(x, expandBack(output, x, attrs)))],
  jvp: ({ inputs: [x], output, attrs }, [t]) => sumOp([mul(t!, greaterEqual(x, expandBack(output, x, attrs)))], attrs),
  reference: reference('max'),
});
export const sumSqOp = defineOp<ReduceAttrs>({
  name: 'sumsq',
  forward: ([x], a) => launch('sumsq', x, a),
  vjp: ({ inputs: [x], attrs }, gy) => [mul(expandBack(gy, x, attrs), scale(x, 2))],
  jvp: ({ inputs: [x], attrs }, [t]) => scale(sumOp([mul(t!, x)], attrs), 2),
  reference: reference('sumsq'),
});

type Axes = number | number[] | undefined;
function axesOf(x: Tensor, axes: Axes): number[] {
  const list = axes === undefined ? x.shape.map((_, i) => i) : Array.isArray(axes) ? axes : [axes];
  return [...new Set(list.map((a) => normAxis(a, x.rank)))].sort((a, b) => b - a);
}
function overAxes(op: typeof sumOp, first: typeof sumOp, x: Tensor, axes: Axes, keepDims: boolean): Tensor {
  const list = axesOf(x, axes);
  if (list.length === 0) return reshape(x, x.shape);
  let y = x;
  list.forEach((axis, k) => { y = (k === 0 ? first : op)([y], { axis, keepDims: true }); });
  return keepDims ? y : reshape(y, x.shape.filter((_, i) => !list.includes(i)));
}

/** Sum over the given axes (all when omitted). */
export const sum = (x: Tensor, axes?: Axes, keepDims = false) => overAxes(sumOp, sumOp, x, axes, keepDims);
export const max = (x: Tensor, axes?: Axes, keepDims = false) => overAxes(maxOp, maxOp, x, axes, keepDims);
export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  const count = axesOf(x, axes).reduce((n, a) => n * x.shape[a], 1);
  if (count === 0) throw new CritError(`mean over an empty axis of ${fmt(x.shape)}`);
  return scale(sum(x, axes, keepDims), 1 / count);
}
/** Sum of squares over the given axes. */
export const sumSquares = (x: Tensor, axes?: Axes, keepDims = false) => overAxes(sumOp, sumSqOp, x, axes, keepDims);
/** Euclidean norm over the given axes. */
export const l2norm = (x: Tensor, axes?: Axes, keepDims = false) => sqrt(sumSquares(x, axes, keepDims));
/**
 * x divided by its L2 norm over axes (kept for broadcasting); with eps, by max(norm, eps) as
 * torch.nn.functional.normalize, so zero rows stay zero. The floor is applied to the sum of squares (eps²): the
 * derivative is then 0 for a zero row rather than 0 · ∞ through the square root.
 */
export const normalize = (x: Tensor, axes?: Axes, eps = 0) => {
  if (eps <= 0) return div(x, l2norm(x, axes, true));
  return div(x, sqrt(maximum(sumSquares(x, axes, true), eps * eps)));
};
