// The Tensor: an n-d array of f32 (or i32/u32 indices) in a GPU buffer. Memory is released explicitly
// (dispose, or scope() for everything made inside a function); using a released tensor is an error.
import type { Engine } from '../gpu/engine.js';
import { CritError } from '../util/errors.js';
import { sizeOf, fmt, checkShape, type Shape } from './shape.js';

export type DType = 'f32' | 'i32' | 'u32';
const DTYPES: readonly string[] = ['f32', 'i32', 'u32'];
export type TypedArrayOf<D extends DType> = D extends 'f32' ? Float32Array : D extends 'i32' ? Int32Array : Uint32Array;

let current: Engine | null = null;
export function setEngine(e: Engine | null): void { current = e; }
export function engine(): Engine {
  if (!current) throw new CritError('no engine: call `await crit.init()` first');
  return current;
}

/** GPU memory shared by a tensor and its reshaped views; freed when the last one is disposed. */
export class Storage {
  refs = 1;
  constructor(readonly buffer: GPUBuffer, readonly bytes: number, readonly engine: Engine) {}
  release(): void {
    if (--this.refs === 0) this.engine.pool.release(this.buffer);
  }
}

let nextId = 1;
const scopes: Set<Tensor>[] = [];

export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  private storage_: Storage | null;

  constructor(storage: Storage, shape: Shape, dtype: DType = 'f32') {
    this.storage_ = storage;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = sizeOf(shape);
    const scope = scopes[scopes.length - 1];
    if (scope) scope.add(this);
  }

  /** A new tensor with uninitialised memory on the current engine. */
  static empty(shape: Shape, dtype: DType = 'f32', eng: Engine = engine()): Tensor {
    checkShape(shape);
    if (!DTYPES.includes(dtype)) throw new CritError(`tensor ${fmt(shape)}: dtype '${dtype}' is not one of ${DTYPES.join(', ')}`);
    const bytes = sizeOf(shape) * 4;
    const max = Math.min(eng.limits.maxStorageBufferBindingSize, eng.limits.maxBufferSize);
    if (bytes > max) {
      const which = max === eng.limits.maxStorageBufferBindingSize ? 'maxStorageBufferBindingSize' : 'maxBufferSize';
      throw new CritError(`tensor ${fmt(shape)} (${dtype}) needs ${(bytes / 2 ** 20).toFixed(1)} MiB, over the adapter's limit of ${(max / 2 ** 20).toFixed(1)} MiB per buffer (${which})`);
    }
    return new Tensor(new Storage(eng.pool.acquire(bytes), bytes, eng), shape, dtype);
  }

  /** Uploads host data. */
  static from(data: ArrayLike<number>, shape: Shape = [data.length], dtype: DType = 'f32'): Tensor {
    checkShape(shape);
    if (data.length !== sizeOf(shape)) throw new CritError(`tensor data of length ${data.length} does not fill shape ${fmt(shape)} (${sizeOf(shape)} elements)`);
    const t = Tensor.empty(shape, dtype);
    const arr = dtype === 'f32' ? Float32Array.from(data) : dtype === 'i32' ? Int32Array.from(data) : Uint32Array.from(data);
    if (arr.length > 0) t.engine.write(t.buffer, arr);
    return t;
  }

  get disposed(): boolean { return this.storage_ === null; }
  get storage(): Storage {
    if (!this.storage_) throw new CritError(`tensor #${this.id} ${fmt(this.shape)} was released (disposed) and cannot be used`);
    return this.storage_;
  }
  get buffer(): GPUBuffer { return this.storage.buffer; }
  get engine(): Engine { return this.storage.engine; }
  get rank(): number { return this.shape.length; }

  /** Same memory, new shape (no copy). */
  view(shape: Shape): Tensor {
    checkShape(shape);
    if (sizeOf(shape) !== this.size) throw new CritError(`cannot reshape ${fmt(this.shape)} (${this.size} elements) to ${fmt(shape)} (${sizeOf(shape)} elements)`);
    const s = this.storage;
    s.refs++;
    return new Tensor(s, shape, this.dtype);
  }

  dispose(): void {
    if (this.storage_) { this.storage_.release(); this.storage_ = null; }
    for (const s of scopes) s.delete(this);
  }

  /** Reads the values back to the host. */
  async read(): Promise<Float32Array | Int32Array | Uint32Array> {
    const bytes = this.size * 4;
    if (bytes === 0) return this.dtype === 'f32' ? new Float32Array(0) : this.dtype === 'i32' ? new Int32Array(0) : new Uint32Array(0);
    const buf = await this.engine.read(this.buffer, bytes);
    return this.dtype === 'f32' ? new Float32Array(buf) : this.dtype === 'i32' ? new Int32Array(buf) : new Uint32Array(buf);
  }

  async readF32(): Promise<Float32Array> {
    if (this.dtype !== 'f32') throw new CritError(`readF32 on a ${this.dtype} tensor`);
    return (await this.read()) as Float32Array;
  }

  /** The single value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new CritError(`item() needs a tensor with one element, got ${fmt(this.shape)}`);
    return (await this.read())[0];
  }

  toString(): string { return `Tensor#${this.id}(${fmt(this.shape)}, ${this.dtype})`; }
}

export type Kept = Tensor | Tensor[] | Record<string, unknown> | unknown;

function collect(value: unknown, out: Set<Tensor>, depth = 0): void {
  if (depth > 4 || value == null) return;
  if (value instanceof Tensor) out.add(value);
  else if (Array.isArray(value)) for (const v of value) collect(v, out, depth + 1);
  else if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out, depth + 1);
}

/**
 * Runs fn and releases every tensor it created, except the tensors it returns (found in arrays and plain
 * objects) and those passed to keep(). Works with async functions too.
 */
export function scope<T>(fn: () => T): T {
  const mine = new Set<Tensor>();
  scopes.push(mine);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of mine) t.dispose();
    throw e;
  }
  if (result instanceof Promise) {
    scopes.splice(scopes.lastIndexOf(mine), 1);
    throw new CritError('scope() got an async function: use scopeAsync()');
  }
  end(mine, result);
  return result;
}

export async function scopeAsync<T>(fn: () => Promise<T>): Promise<T> {
  const mine = new Set<Tensor>();
  scopes.push(mine);
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    scopes.splice(scopes.lastIndexOf(mine), 1);
    for (const t of mine) t.dispose();
    throw e;
  }
  end(mine, result);
  return result;
}

function end(mine: Set<Tensor>, result: unknown): void {
  scopes.splice(scopes.lastIndexOf(mine), 1);
  const keep = new Set<Tensor>();
  collect(result, keep);
  const parent = scopes[scopes.length - 1];
  for (const t of mine) {
    if (keep.has(t) || kept.has(t)) { parent?.add(t); kept.delete(t); }
    else t.dispose();
  }
}

const kept = new Set<Tensor>();
/** Keeps a tensor alive past the end of the enclosing scope. */
export function keep<T extends Tensor>(t: T): T { kept.add(t); return t; }
