// A labelled dataset on the host: inputs as one f32 array [n, features] and i32 labels, with seeded
// shuffling, splits and batches. Batches are uploaded per step (a 128 x 784 batch is 400 KB), so the
// whole set never has to fit in one GPU buffer.
import { Tensor } from '../tensor/tensor.js';
import { sizeOf, fmt } from '../tensor/shape.js';
import { CritError } from '../util/errors.js';
import { permutation } from './shuffle.js';

/** Stream of the generator used by split(), apart from the per-epoch streams 0, 1, 2, ... */
const SPLIT_STREAM = 0x80000000;

export interface Batch {
  x: Float32Array;
  y: Int32Array;
  size: number;
}

export interface BatchOptions {
  /** Shuffle with this seed (stream = epoch); omit for the stored order. */
  seed?: number;
  epoch?: number;
  /** Drop a last batch smaller than batchSize (default false, like PyTorch's DataLoader). */
  dropLast?: boolean;
}

export class Dataset {
  readonly length: number;
  readonly features: number;

  constructor(
    readonly x: Float32Array,
    readonly y: Int32Array,
    readonly sampleShape: readonly number[],
    readonly classes: number,
    readonly name = 'dataset',
  ) {
    this.features = sizeOf(sampleShape);
    if (this.features === 0) throw new CritError(`${name}: sample shape ${fmt(sampleShape)} is empty`);
    if (x.length !== y.length * this.features) throw new CritError(`${name}: ${x.length} input values for ${y.length} labels of ${fmt(sampleShape)} (${y.length * this.features} expected)`);
    if (!Number.isInteger(classes) || classes < 1) throw new CritError(`${name}: classes must be a positive integer, got ${classes}`);
    for (let i = 0; i < y.length; i++) {
      if (!(y[i] >= 0 && y[i] < classes)) throw new CritError(`${name}: label ${y[i]} of sample ${i} is outside [0, ${classes})`);
    }
    this.length = y.length;
  }

  /** The samples at the given indices, in that order. */
  subset(indices: ArrayLike<number>, name = this.name): Dataset {
    const b = this.batch(indices);
    return new Dataset(b.x, b.y, this.sampleShape, this.classes, name);
  }

  slice(start: number, end = this.length): Dataset {
    const s = Math.max(0, Math.min(start, this.length)), e = Math.max(s, Math.min(end, this.length));
    return new Dataset(this.x.slice(s * this.features, e * this.features), this.y.slice(s, e), this.sampleShape, this.classes, this.name);
  }

  /** A seeded random split: `count` samples, and the rest. */
  split(count: number, seed: number): [Dataset, Dataset] {
    if (!Number.isInteger(count) || count < 0 || count > this.length) throw new CritError(`${this.name}: cannot split off ${count} of ${this.length} samples`);
    const p = permutation(this.length, seed, SPLIT_STREAM);
    return [this.subset(p.subarray(0, count), `${this.name}[split a]`), this.subset(p.subarray(count), `${this.name}[split b]`)];
  }

  /** Copies the samples at `indices` into one batch. */
  batch(indices: ArrayLike<number>): Batch {
    const f = this.features, n = indices.length;
    const x = new Float32Array(n * f), y = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const i = indices[k];
      if (!(Number.isInteger(i) && i >= 0 && i < this.length)) throw new CritError(`${this.name}: sample index ${i} is outside [0, ${this.length})`);
      x.set(this.x.subarray(i * f, (i + 1) * f), k * f);
      y[k] = this.y[i];
    }
    return { x, y, size: n };
  }

  /** Index lists of the batches of one epoch: shuffled by (seed, epoch) when a seed is given. */
  batchIndices(batchSize: number, o: BatchOptions = {}): Int32Array[] {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new CritError(`batch size must be a positive integer, got ${batchSize}`);
    const order = o.seed === undefined ? Int32Array.from({ length: this.length }, (_, i) => i) : permutation(this.length, o.seed, o.epoch ?? 0);
    const out: Int32Array[] = [];
    for (let s = 0; s < this.length; s += batchSize) {
      const b = order.subarray(s, Math.min(s + batchSize, this.length));
      if (b.length < batchSize && o.dropLast) break;
      out.push(b);
    }
    return out;
  }

  /** Inputs [n, features] (f32) and labels [n] (i32) as tensors. */
  toTensors(indices?: ArrayLike<number>): { x: Tensor; y: Tensor } {
    const b = indices ? this.batch(indices) : { x: this.x, y: this.y, size: this.length };
    return { x: Tensor.from(b.x, [b.size, this.features], 'f32'), y: Tensor.from(b.y, [b.size], 'i32') };
  }

  classCounts(): number[] {
    const c = new Array<number>(this.classes).fill(0);
    for (const l of this.y) c[l]++;
    return c;
  }

  toString(): string { return `Dataset(${this.name}: ${this.length} x ${fmt(this.sampleShape)}, ${this.classes} classes)`; }
}
