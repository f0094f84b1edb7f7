// The IDX format of MNIST and Fashion-MNIST: magic 0x00 0x00 <type> <rank>, rank big-endian u32
// dimensions, then the values, big-endian. Every way a file can be wrong gets its own message.
import { CritError } from '../util/errors.js';
import { sizeOf, fmt } from '../tensor/shape.js';
import { gunzip, isGzip } from './gunzip.js';

export type IdxType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';
const TYPES: Record<number, [IdxType, number]> = { 0x08: ['u8', 1], 0x09: ['i8', 1], 0x0b: ['i16', 2], 0x0c: ['i32', 4], 0x0d: ['f32', 4], 0x0e: ['f64', 8] };

export interface IdxArray {
  type: IdxType;
  dims: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** Parses an uncompressed IDX file. */
export function parseIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  if (bytes.length < 4) throw new CritError(`${source}: ${bytes.length} bytes is too short for an IDX file (4-byte magic number missing): empty or truncated`);
  const magic = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hint = isGzip(bytes) ? ' (this is gzip data: pass it to readIdx, which decompresses)' : '';
    throw new CritError(`${source}: wrong magic number 0x${magic}: not an IDX file (IDX files start with 0x0000, then a type byte and the rank)${hint}`);
  }
  const t = TYPES[bytes[2]];
  if (!t) throw new CritError(`${source}: magic number 0x${magic} names an unknown IDX value type 0x${bytes[2].toString(16).padStart(2, '0')} (known: 08 u8, 09 i8, 0b i16, 0c i32, 0d f32, 0e f64)`);
  const rank = bytes[3];
  if (rank === 0) throw new CritError(`${source}: magic number 0x${magic} gives rank 0`);
  const head = 4 + 4 * rank;
  if (bytes.length < head) throw new CritError(`${source}: the header needs ${head} bytes for ${rank} dimensions, the file has ${bytes.length}: truncated`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const [type, size] = t;
  const n = sizeOf(dims);
  const have = bytes.length - head;
  if (have < n * size) throw new CritError(`${source}: dimensions ${fmt(dims)} of ${type} need ${n * size} data bytes, the file has ${have}: truncated`);
  if (have > n * size) throw new CritError(`${source}: ${have - n * size} bytes after the ${fmt(dims)} ${type} values: corrupt file or wrong header`);
  const body = bytes.subarray(head);
  let data: IdxArray['data'];
  if (type === 'u8') data = body.slice();
  else if (type === 'i8') data = new Int8Array(body.slice().buffer);
  else {
    const get = { i16: (i: number) => view.getInt16(head + 2 * i, false), i32: (i: number) => view.getInt32(head + 4 * i, false), f32: (i: number) => view.getFloat32(head + 4 * i, false), f64: (i: number) => view.getFloat64(head + 8 * i, false) }[type];
    data = type === 'i16' ? new Int16Array(n) : type === 'i32' ? new Int32Array(n) : type === 'f32' ? new Float32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) data[i] = get(i);
  }
  return { type, dims, data };
}

/** Parses an IDX file, decompressing it first when it is gzip (recognised by its bytes, not its name). */
export async function readIdx(bytes: Uint8Array, source = 'IDX data'): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzip(bytes, source) : bytes, source);
}

/** Big-endian IDX bytes (for tests and for writing subsets). */
export function writeIdx(a: IdxArray): Uint8Array {
  const code = Number(Object.entries(TYPES).find(([, [t]]) => t === a.type)![0]);
  const size = TYPES[code][1];
  const n = sizeOf(a.dims);
  if (a.data.length !== n) throw new CritError(`writeIdx: ${a.data.length} values for dimensions ${fmt(a.dims)}`);
  const head = 4 + 4 * a.dims.length;
  const out = new Uint8Array(head + n * size);
  const v = new DataView(out.buffer);
  out[2] = code; out[3] = a.dims.length;
  a.dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < n; i++) {
    const x = a.data[i], o = head + size * i;
    if (a.type === 'u8') v.setUint8(o, x); else if (a.type === 'i8') v.setInt8(o, x);
    else if (a.type === 'i16') v.setInt16(o, x, false); else if (a.type === 'i32') v.setInt32(o, x, false);
    else if (a.type === 'f32') v.setFloat32(o, x, false); else v.setFloat64(o, x, false);
  }
  return out;
}
