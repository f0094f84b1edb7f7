// Seeded random tensors from the counter-based generator in shaders/rng.wgsl, and its CPU twin
// (bit-identical uniforms), so a seed fixes a network in Node, in the browser and in the tests.
import rngSource from '../../shaders/rng.wgsl';
import randomSource from '../../shaders/random.wgsl';
import { Tensor } from '../tensor/tensor.js';
import { type Shape } from '../tensor/shape.js';
import { ParamWriter } from './launch.js';
import { CritError } from '../util/errors.js';

export { rngSource };

/** pcg4d on the CPU, identical to the WGSL version (u32 arithmetic through Math.imul). */
export function pcg4d(x: number, y: number, z: number, w: number): [number, number, number, number] {
  x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
  y = (Math.imul(y, 1664525) + 1013904223) >>> 0;
  z = (Math.imul(z, 1664525) + 1013904223) >>> 0;
  w = (Math.imul(w, 1664525) + 1013904223) >>> 0;
  x = (x + Math.imul(y, w)) >>> 0; y = (y + Math.imul(z, x)) >>> 0; z = (z + Math.imul(x, y)) >>> 0; w = (w + Math.imul(y, z)) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0; y = (y ^ (y >>> 16)) >>> 0; z = (z ^ (z >>> 16)) >>> 0; w = (w ^ (w >>> 16)) >>> 0;
  x = (x + Math.imul(y, w)) >>> 0; y = (y + Math.imul(z, x)) >>> 0; z = (z + Math.imul(x, y)) >>> 0; w = (w + Math.imul(y, z)) >>> 0;
  return [x, y, z, w];
}
export function rngBits(seed: number, stream: number, counter: number) { return pcg4d(counter >>> 0, stream >>> 0, seed >>> 0, 0x9e3779b9); }
export const bitsToUnit = (b: number) => (b >>> 8) * 5.9604644775390625e-8;
export const bitsToSym = (b: number) => (b >>> 8) * 1.1920928955078125e-7 - 1;

export interface RandomOptions {
  seed: number;
  /** An independent stream for the same seed (e.g. a layer index). */
  stream?: number;
  /** Counter of the first element (continue a sequence). */
  offset?: number;
}

function checkSeed(o: RandomOptions): void {
  for (const [k, v] of [['seed', o.seed], ['stream', o.stream ?? 0], ['offset', o.offset ?? 0]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new CritError(`random: ${k} must be an integer in [0, 2^32), got ${v}`);
  }
}

function fill(shape: Shape, o: RandomOptions, defines: Record<string, boolean>, p0: number, p1: number, label: string): Tensor {
  checkSeed(o);
  if (!Number.isFinite(p0) || !Number.isFinite(p1)) throw new CritError(`${label}: parameters must be finite, got ${p0}, ${p1}`);
  const out = Tensor.empty(shape);
  if (out.size === 0) return out;
  out.engine.dispatch({
    kernel: { name: 'random', source: rngSource + randomSource, defines: { NORMAL: false, SYMMETRIC: false, ...defines } },
    label,
    buffers: [out.buffer],
    params: new ParamWriter().u32(out.size).u32(o.seed).u32(o.stream ?? 0).u32(o.offset ?? 0).f32(p0).f32(p1).buffer,
    indices: out.size,
    bytes: 4 * out.size,
  });
  return out;
}

/** U[lo, hi). With lo = -hi the values are bit-identical to uniformHost(). */
export function uniform(shape: Shape, lo: number, hi: number, o: RandomOptions): Tensor {
  if (!(hi > lo)) throw new CritError(`uniform: need lo < hi, got [${lo}, ${hi})`);
  return lo === -hi ? fill(shape, o, { SYMMETRIC: true }, 0, hi, 'uniform') : fill(shape, o, {}, lo, hi, 'uniform');
}
/** N(mean, std^2) by Box-Muller; normalHost() gives the same values up to the device's log, sqrt and cos accuracy. */
export function normal(shape: Shape, mean: number, std: number, o: RandomOptions): Tensor {
  return fill(shape, o, { NORMAL: true }, mean, std, 'normal');
}

/** CPU twin of uniform(), in f32 arithmetic. */
export function uniformHost(n: number, lo: number, hi: number, o: RandomOptions): Float32Array {
  checkSeed(o);
  const out = new Float32Array(n);
  const f = Math.fround;
  for (let i = 0; i < n; i++) {
    const h = rngBits(o.seed, o.stream ?? 0, (o.offset ?? 0) + i)[0];
    out[i] = lo === -hi ? f(f(hi) * f(bitsToSym(h))) : f(f(lo) + f(f(f(hi) - f(lo)) * bitsToUnit(h)));
  }
  return out;
}
export function normalHost(n: number, mean: number, std: number, o: RandomOptions): Float64Array {
  checkSeed(o);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const h = rngBits(o.seed, o.stream ?? 0, (o.offset ?? 0) + i);
    const u1 = ((h[0] >>> 8) + 1) * 5.9604644775390625e-8;
    out[i] = mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(Math.PI * bitsToSym(h[1]));
  }
  return out;
}
