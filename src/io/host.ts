// Host-side arrays as read from files (safetensors, .npy, raw f32) before they become tensors.
import { sizeOf, fmt } from '../tensor/shape.js';
import { CritError } from '../util/errors.js';

/** An f32 array with a shape, row-major (C order). */
export interface HostArray {
  shape: number[];
  data: Float32Array;
}

export function hostArray(data: Float32Array, shape: number[], what = 'array'): HostArray {
  if (data.length !== sizeOf(shape)) throw new CritError(`${what}: ${data.length} values do not fill shape ${fmt(shape)} (${sizeOf(shape)})`);
  return { data, shape };
}

/** True on little-endian hosts (all current ones); the readers fall back to DataView otherwise. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** IEEE 754 half (binary16) bits to a number (exact). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** bfloat16 bits to a number (the upper half of an f32). */
export function bf16ToFloat(h: number): number {
  const v = new DataView(new ArrayBuffer(4));
  v.setUint32(0, (h & 0xffff) << 16);
  return v.getFloat32(0);
}

/** Copies little-endian f32 bytes into a fresh (aligned) Float32Array. */
export function f32FromLE(bytes: Uint8Array): Float32Array {
  const n = bytes.length >> 2;
  if (LITTLE_ENDIAN) return new Float32Array(bytes.slice(0, n * 4).buffer);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
  return out;
}

/** Little-endian bytes of an f32 array. */
export function f32ToLE(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Uint8Array(data.length * 4);
  const v = new DataView(out.buffer);
  data.forEach((x, i) => v.setFloat32(4 * i, x, true));
  return out;
}
