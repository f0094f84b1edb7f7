// Shapes, strides and broadcasting (NumPy rules).
import { CritError } from '../util/errors.js';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

export function fmt(shape: Shape): string { return `[${shape.join(', ')}]`; }

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function checkShape(shape: Shape, what = 'shape'): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new CritError(`${what} ${fmt(shape)}: dimensions must be non-negative integers`);
  }
}

/** The broadcast shape of two shapes, or an error naming both. */
export function broadcastShapes(a: Shape, b: Shape, op = 'broadcast'): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1, db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new CritError(`${op}: shapes ${fmt(a)} and ${fmt(b)} do not broadcast (dim ${i}: ${da} vs ${db})`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides to read a tensor of `shape` as if it had the (broadcast) shape `to`: 0 on broadcast dims. */
export function broadcastStrides(shape: Shape, to: Shape): number[] {
  const st = stridesOf(shape);
  const off = to.length - shape.length;
  return to.map((d, i) => (i < off || shape[i - off] === 1 ? 0 : st[i - off]));
}

/** Normalises an axis (negative counts from the end). */
export function normAxis(axis: number, rank: number, op = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new CritError(`${op}: axis ${axis} out of range for rank ${rank}`);
  return a;
}
