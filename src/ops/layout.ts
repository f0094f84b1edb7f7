// Data movement: reshape (a view), broadcast, permute/transpose, slice and its adjoint pad, concat,
// row gather and its adjoint scatter-add. All but reshape run the strided-copy kernel (shaders/layout.wgsl).
import source from '../../shaders/layout.wgsl';
import fillSource from '../../shaders/fill.wgsl';
import { Tensor } from '../tensor/tensor.js';
import { sizeOf, stridesOf, broadcastStrides, broadcastShapes, sameShape, fmt, normAxis, checkShape, type Shape } from '../tensor/shape.js';
import { defineOp, type HostTensor, type OpFn } from './op.js';
import { ParamWriter } from './launch.js';
import { sum } from './reduce.js';
import { CritError } from '../util/errors.js';

const MAX_RANK = 8;

type LayoutMode = 'STRIDED' | 'GATHER' | 'SCATTER_ADD' | 'SCATTER_ROWS' | 'ONE_HOT';
/** The layout kernel (shaders/layout.wgsl) in one of its modes. */
function layoutKernel(mode: LayoutMode) {
  return { name: 'layout', source, defines: { STRIDED: mode === 'STRIDED', GATHER: mode === 'GATHER', SCATTER_ADD: mode === 'SCATTER_ADD', SCATTER_ROWS: mode === 'SCATTER_ROWS', ONE_HOT: mode === 'ONE_HOT' } };
}

/** Encodes dst[dOff + idx·dStrides] = src[sOff + idx·sStrides] over every index of shape. */
export function stridedCopy(src: Tensor, sOff: number, sStrides: readonly number[], dst: Tensor, dOff: number, dStrides: readonly number[], shape: Shape, label = 'copy'): void {
  const n = sizeOf(shape);
  if (n === 0) return;
  if (shape.length > MAX_RANK) throw new CritError(`${label}: rank ${shape.length} over the maximum of ${MAX_RANK}`);
  dst.engine.dispatch({
    kernel: layoutKernel('STRIDED'),
    label,
    buffers: [src.buffer, dst.buffer],
    params: new ParamWriter().u32(n).u32(shape.length).u32(sOff).u32(dOff).vec4s(shape, 2).vec4s(sStrides, 2).vec4s(dStrides, 2).buffer,
    indices: n,
    bytes: 8 * n,
  });
}

/**
 * dst[indices[i], ...] = src[i, ...] in place (rows of the first axis; indices an i32 tensor of distinct rows in
 * range, checked on the host by callers that have them there). One dispatch for any number of rows.
 */
export function scatterRowsInPlace(dst: Tensor, indices: Tensor, src: Tensor): void {
  const row = sizeOf(dst.shape.slice(1));
  if (indices.dtype !== 'i32') throw new CritError(`scatterRowsInPlace: indices must be i32, got ${indices.dtype}`);
  if (src.dtype !== dst.dtype || src.shape[0] !== indices.size || sizeOf(src.shape.slice(1)) !== row) {
    throw new CritError(`scatterRowsInPlace: ${indices.size} rows of ${src.dtype} ${fmt(src.shape)} into ${dst.dtype} ${fmt(dst.shape)}`);
  }
  const n = indices.size * row;
  if (n === 0) return;
  dst.engine.dispatch({
    kernel: layoutKernel('SCATTER_ROWS'), label: 'scatter_rows', buffers: [src.buffer, indices.buffer, dst.buffer],
    params: new ParamWriter().u32(n).u32(2).u32(0).u32(dst.shape[0]).vec4s([indices.size, row], 2).vec4s([], 2).vec4s([], 2).buffer,
    indices: n, bytes: 8 * n,
  });
}

/** Fills a tensor with a value (f32) or integer bits (i32/u32). */
export function fillInPlace(t: Tensor, value: number): Tensor {
  if (t.size === 0) return t;
  const bits = new DataView(new ArrayBuffer(4));
  if (t.dtype === 'f32') bits.setFloat32(0, value, true); else bits.setInt32(0, value, true);
  t.engine.dispatch({
    kernel: { name: 'fill', source: fillSource, defines: {} },
    buffers: [t.buffer],
    params: new ParamWriter().u32(t.size).u32(bits.getUint32(0, true)).buffer,
    indices: t.size,
    bytes: 4 * t.size,
  });
  return t;
}

// ---- host references ----
function refStrided(x: HostTensor, shape: number[], sOff: number, sStrides: number[]): HostTensor {
  const n = sizeOf(shape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let rem = i, si = sOff;
    for (let d = shape.length - 1; d >= 0; d--) { const k = rem % shape[d]; rem = Math.floor(rem / shape[d]); si += k * sStrides[d]; }
    data[i] = x.data[si];
  }
  return { data, shape };
}

// ---- reshape ----
interface ShapeAttrs { shape: number[] }
export const reshapeOp = defineOp<ShapeAttrs>({
  name: 'reshape',
  forward: ([x], { shape }) => x.view(shape),
  vjp: ({ inputs: [x] }, gy) => [reshape(gy, x.shape)],
  jvp: ({ attrs }, [t]) => reshape(t!, attrs.shape),
  reference: ([x], { shape }) => ({ data: x.data.slice(), shape }),
});
/** Same data, new shape; one dimension may be -1 (inferred). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const s = [...shape];
  const k = s.indexOf(-1);
  if (k >= 0) {
    const rest = sizeOf(s.filter((_, i) => i !== k));
    if (rest === 0 || x.size % rest !== 0) throw new CritError(`cannot reshape ${fmt(x.shape)} to ${fmt(shape)}`);
    s[k] = x.size / rest;
  }
  return reshapeOp([x], { shape: s });
}

// ---- broadcastTo (adjoint: sum over the broadcast axes) ----
export const broadcastToOp = defineOp<ShapeAttrs>({
  name: 'broadcast_to',
  forward([x], { shape }) {
    const full = broadcastShapes(x.shape, shape, 'broadcastTo');
    if (!sameShape(full, shape)) throw new CritError(`broadcastTo: ${fmt(x.shape)} cannot be broadcast to ${fmt(shape)}`);
    const out = Tensor.empty(shape, x.dtype, x.engine);
    stridedCopy(x, 0, broadcastStrides(x.shape, shape), out, 0, stridesOf(shape), shape, 'broadcast_to');
    return out;
  },
  vjp: ({ inputs: [x] }, gy) => [unbroadcast(gy, x.shape)],
  jvp: ({ attrs }, [t]) => broadcastTo(t!, attrs.shape),
  reference: ([x], { shape }) => refStrided(x, shape, 0, broadcastStrides(x.shape, shape)),
});
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  return sameShape(x.shape, shape) ? x : broadcastToOp([x], { shape: [...shape] });
}

/** Sums a gradient of a broadcast shape back to `shape` (the one place broadcasting is undone). */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  if (lead < 0) throw new CritError(`unbroadcast: gradient ${fmt(g.shape)} has lower rank than ${fmt(shape)}`);
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const s = axes.length ? sum(g, axes, true) : g;
  return reshape(s, shape);
}

// ---- permute / transpose ----
interface PermAttrs { perm: number[] }
export const permuteOp = defineOp<PermAttrs>({
  name: 'permute',
  forward([x], { perm }) {
    const shape = perm.map((p) => x.shape[p]);
    const st = stridesOf(x.shape);
    const out = Tensor.empty(shape, x.dtype, x.engine);
    stridedCopy(x, 0, perm.map((p) => st[p]), out, 0, stridesOf(shape), shape, 'permute');
    return out;
  },
  vjp: ({ attrs }, gy) => [permute(gy, inversePerm(attrs.perm))],
  jvp: ({ attrs }, [t]) => permute(t!, attrs.perm),
  reference: ([x], { perm }) => { const st = stridesOf(x.shape); return refStrided(x, perm.map((p) => x.shape[p]), 0, perm.map((p) => st[p])); },
});
function inversePerm(perm: number[]): number[] { const inv = new Array<number>(perm.length); perm.forEach((p, i) => { inv[p] = i; }); return inv; }
export function permute(x: Tensor, perm: number[]): Tensor {
  const p = perm.map((a) => normAxis(a, x.rank, 'permute'));
  if (p.length !== x.rank || new Set(p).size !== p.length) throw new CritError(`permute: ${JSON.stringify(perm)} is not a permutation of the ${x.rank} axes of ${fmt(x.shape)}`);
  return permuteOp([x], { perm: p });
}
/** Swaps two axes (default: the last two). */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const perm = x.shape.map((_, i) => i);
  const i = normAxis(a, x.rank, 'transpose'), j = normAxis(b, x.rank, 'transpose');
  [perm[i], perm[j]] = [perm[j], perm[i]];
  return permute(x, perm);
}

// ---- slice (step 1) and its adjoint pad ----
interface SliceAttrs { begin: number[]; size: number[] }
interface PadAttrs { begin: number[]; shape: number[] }
export const sliceOp: OpFn<SliceAttrs> = defineOp<SliceAttrs>({
  name: 'slice',
  forward([x], { begin, size }) {
    const st = stridesOf(x.shape);
    const out = Tensor.empty(size, x.dtype, x.engine);
    stridedCopy(x, begin.reduce((s, b, d) => s + b * st[d], 0), st, out, 0, stridesOf(size), size, 'slice');
    return out;
  },
  vjp: ({ inputs: [x], attrs }, gy) => [padOp([gy], { begin: attrs.begin, shape: [...x.shape] })],
  jvp: ({ attrs }, [t]) => sliceOp([t!], attrs),
  reference: ([x], { begin, size }) => { const st = stridesOf(x.shape); return refStrided(x, size, begin.reduce((s, b, d) => s + b * st[d], 0), st); },
});
/** Zeros of `shape` with x written at offset `begin`. */
export const padOp: OpFn<PadAttrs> = defineOp<PadAttrs>({
  name: 'pad',
  forward([x], { begin, shape }) {
    const out = fillInPlace(Tensor.empty(shape, x.dtype, x.engine), 0);
    const st = stridesOf(shape);
    stridedCopy(x, 0, stridesOf(x.shape), out, begin.reduce((s, b, d) => s + b * st[d], 0), st, x.shape, 'pad');
    return out;
  },
  vjp: ({ inputs: [x], attrs }, gy) => [sliceOp([gy], { begin: attrs.begin, size: [...x.shape] })],
  jvp: ({ attrs }, [t]) => padOp([t!], attrs),
  reference: ([x], { begin, shape }) => {
    const data = new Float64Array(sizeOf(shape));
    const st = stridesOf(shape), n = sizeOf(x.shape);
    for (let i = 0; i < n; i++) {
      let rem = i, di = 0;
      for (let d = x.shape.length - 1; d >= 0; d--) { const k = rem % x.shape[d]; rem = Math.floor(rem / x.shape[d]); di += (k + begin[d]) * st[d]; }
      data[di] = x.data[i];
    }
    return { data, shape };
  },
});
/** x[begin[0]:end[0], ...]; missing entries take the whole axis; negative indices count from the end. */
export function slice(x: Tensor, begin: number[], end?: number[]): Tensor {
  const b: number[] = [], size: number[] = [];
  for (let d = 0; d < x.rank; d++) {
    const n = x.shape[d];
    let lo = begin[d] ?? 0, hi = end?.[d] ?? n;
    if (lo < 0) lo += n;
    if (hi < 0) hi += n;
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 0 || hi > n || lo > hi) throw new CritError(`slice: range ${begin[d] ?? 0}:${end?.[d] ?? n} out of bounds for axis ${d} of ${fmt(x.shape)}`);
    b.push(lo); size.push(hi - lo);
  }
  return sliceOp([x], { begin: b, size });
}

// ---- concat ----
interface ConcatAttrs { axis: number }
export const concatOp: OpFn<ConcatAttrs> = defineOp<ConcatAttrs>({
  name: 'concat',
  forward(xs, { axis }) {
    const shape = [...xs[0].shape];
    shape[axis] = xs.reduce((s, t) => s + t.shape[axis], 0);
    const out = Tensor.empty(shape, xs[0].dtype, xs[0].engine);
    const st = stridesOf(shape);
    let at = 0;
    for (const t of xs) { stridedCopy(t, 0, stridesOf(t.shape), out, at * st[axis], st, t.shape, 'concat'); at += t.shape[axis]; }
    return out;
  },
  vjp: ({ inputs, attrs }, gy) => {
    let at = 0;
    return inputs.map((t) => { const b = t.shape.map(() => 0); b[attrs.axis] = at; at += t.shape[attrs.axis]; return sliceOp([gy], { begin: b, size: [...t.shape] }); });
  },
  jvp: ({ inputs, attrs }, ts) => concatOp(inputs.map((t, i) => ts[i] ?? fillInPlace(Tensor.empty(t.shape, 'f32', t.engine), 0)), attrs),
  reference: (xs, { axis }) => {
    const shape = [...xs[0].shape]; shape[axis] = xs.reduce((s, t) => s + t.shape[axis], 0);
    const outer = sizeOf(shape.slice(0, axis)), inner = sizeOf(shape.slice(axis + 1));
    const data = new Float64Array(sizeOf(shape));
    let o = 0;
    for (let i = 0; i < outer; i++) for (const t of xs) { const len = t.shape[axis] * inner; data.set(t.data.subarray(i * len, (i + 1) * len), o); o += len; }
    return { data, shape };
  },
});
export function concat(xs: Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new CritError('concat: no tensors');
  const a = normAxis(axis, xs[0].rank, 'concat');
  for (const t of xs) {
    if (t.rank !== xs[0].rank || t.shape.some((d, i) => i !== a && d !== xs[0].shape[i]) || t.dtype !== xs[0].dtype) {
      throw new CritError(`concat on axis ${a}: shapes ${xs.map((x) => fmt(x.shape)).join(', ')} differ outside the axis`);
    }
  }
  return xs.length === 1 ? reshape(xs[0], xs[0].shape) : concatOp(xs, { axis: a });
}

// ---- gather rows / scatter-add rows ----
export const gatherOp: OpFn<Record<string, never>> = defineOp<Record<string, never>>({
  name: 'gather',
  nondiff: [1],
  forward([x, idx]) {
    if (idx.dtype !== 'i32') throw new CritError(`gather: indices must be i32, got ${idx.dtype} ${fmt(idx.shape)}`);
    const row = sizeOf(x.shape.slice(1));
    const out = Tensor.empty([idx.size, ...x.shape.slice(1)], x.dtype, x.engine);
    if (out.size === 0) return out;
    x.engine.dispatch({
      kernel: layoutKernel('GATHER'),
      label: 'gather', buffers: [x.buffer, idx.buffer, out.buffer],
      params: new ParamWriter().u32(out.size).u32(2).u32(x.shape[0]).u32(0).vec4s([idx.size, row], 2).vec4s([], 2).vec4s([], 2).buffer,
      indices: out.size, bytes: 8 * out.size,
    });
    return out;
  },
  vjp: ({ inputs: [x, idx] }, gy) => [scatterAddOp([gy, idx], { rows: x.shape[0] }), null],
  jvp: ({ inputs: [, idx] }, [t]) => gatherOp([t!, idx], {}),
  reference: ([x, idx]) => {
    const row = sizeOf(x.shape.slice(1));
    const data = new Float64Array(idx.data.length * row);
    idx.data.forEach((j, i) => data.set(j >= 0 && j < x.shape[0] ? x.data.subarray(j * row, (j + 1) * row) : new Float64Array(row).fill(NaN), i * row));
    return { data, shape: [idx.data.length, ...x.shape.slice(1)] };
  },
});
export const scatterAddOp: OpFn<{ rows: number }> = defineOp<{ rows: number }>({
  name: 'scatter_add',
  nondiff: [1],
  forward([g, idx], { rows }) {
    if (g.dtype !== 'f32') throw new CritError(`scatterAdd: values must be f32, got ${g.dtype} ${fmt(g.shape)}`);
    if (idx.dtype !== 'i32') throw new CritError(`scatterAdd: indices must be i32, got ${idx.dtype} ${fmt(idx.shape)}`);
    if (g.rank < 1 || idx.size !== g.shape[0]) throw new CritError(`scatterAdd: ${idx.size} indices for values ${fmt(g.shape)} (one per row)`);
    const row = sizeOf(g.shape.slice(1));
    const out = Tensor.empty([rows, ...g.shape.slice(1)], 'f32', g.engine);
    if (out.size === 0) return out;
    g.engine.dispatch({
      kernel: layoutKernel('SCATTER_ADD'),
      label: 'scatter_add', buffers: [g.buffer, idx.buffer, out.buffer],
      params: new ParamWriter().u32(out.size).u32(3).u32(0).u32(0).vec4s([rows, row, idx.size], 2).vec4s([], 2).vec4s([], 2).buffer,
      indices: out.size, bytes: 4 * (out.size + g.size),
    });
    return out;
  },
  vjp: ({ inputs: [, idx] }, gy) => [gatherOp([gy, idx], {}), null],
  jvp: ({ inputs: [, idx], attrs }, [t]) => scatterAddOp([t!, idx], attrs),
  reference: ([g, idx], { rows }) => {
    const row = sizeOf(g.shape.slice(1));
    const data = new Float64Array(rows * row);
    idx.data.forEach((j, i) => { if (j >= 0 && j < rows) for (let c = 0; c < row; c++) data[j * row + c] += g.data[i * row + c]; });
    return { data, shape: [rows, ...g.shape.slice(1)] };
  },
});
/** Rows of x (first axis) at integer indices (an i32 tensor); an index out of range gives NaN rows. */
export function gather(x: Tensor, indices: Tensor): Tensor {
  if (x.rank < 1) throw new CritError('gather: x must have at least one axis');
  return gatherOp([x, indices], {});
}

/** A copy (new memory). */
export function copy(x: Tensor): Tensor {
  checkShape(x.shape);
  return permuteOp([x], { perm: x.shape.map((_, i) => i) });
}

/** [n, classes] with 1 at each i32 label, 0 elsewhere (a label out of range gives a zero row). Not differentiable. */
export const oneHotOp = defineOp<{ classes: number }>({
  name: 'one_hot',
  nondiff: [0],
  forward([labels], { classes }) {
    if (labels.dtype !== 'i32') throw new CritError(`oneHot: labels must be i32, got ${labels.dtype}`);
    if (!Number.isInteger(classes) || classes < 1) throw new CritError(`oneHot: classes must be a positive integer, got ${classes}`);
    const out = Tensor.empty([labels.size, classes], 'f32', labels.engine);
    if (out.size === 0) return out;
    labels.engine.dispatch({
      kernel: layoutKernel('ONE_HOT'),
      label: 'one_hot', buffers: [labels.buffer, labels.buffer, out.buffer],
      params: new ParamWriter().u32(out.size).u32(2).u32(0).u32(0).vec4s([labels.size, classes], 2).vec4s([], 2).vec4s([], 2).buffer,
      indices: out.size, bytes: 4 * out.size,
    });
    return out;
  },
  vjp: () => [null],
  jvp: () => null,
  reference: ([l], { classes }) => {
    const data = new Float64Array(l.data.length * classes);
    l.data.forEach((v, r) => { if (v >= 0 && v < classes) data[r * classes + v] = 1; });
    return { data, shape: [l.data.length, classes] };
  },
});
export const oneHot = (labels: Tensor, classes: number) => oneHotOp([labels], { classes });
