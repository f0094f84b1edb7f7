// NumPy .npy files (format versions 1-3): magic "\x93NUMPY", version, header length, a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (n, 784), } padded to 64 bytes, then the data.
// Float, integer and bool dtypes of either byte order are read into f32 (C order); we write f32.
import { sizeOf, fmt } from '../tensor/shape.js';
import { CritError } from '../util/errors.js';
import { type HostArray, f32FromLE, f32ToLE, halfToFloat } from './host.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.every((b, i) => bytes[i] === b);
}

export function readNpy(bytes: Uint8Array, source = '.npy data'): HostArray {
  if (!isNpy(bytes)) throw new CritError(`${source}: not a .npy file (the first bytes are not \\x93NUMPY)`);
  if (bytes.length < 10) throw new CritError(`${source}: truncated .npy header`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hlen: number, start: number;
  if (major === 1) { hlen = view.getUint16(8, true); start = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new CritError(`${source}: truncated .npy header`);
    hlen = view.getUint32(8, true); start = 12;
  } else throw new CritError(`${source}: .npy format version ${major}.${bytes[7]} is not supported (1.0-3.0 are)`);
  if (start + hlen > bytes.length) throw new CritError(`${source}: .npy header of ${hlen} bytes runs past the end of the file (${bytes.length} bytes): truncated`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + hlen));
  const descr = /'descr'\s*:\s*'([<>|=])?([fiub])(\d+)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shapeM = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shapeM) throw new CritError(`${source}: cannot read the .npy header ${JSON.stringify(header.trim())} (need a simple dtype such as '<f4', fortran_order and shape; structured dtypes are not supported)`);
  const shape = shapeM[1].split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) throw new CritError(`${source}: bad shape (${shapeM[1]}) in the .npy header`);
  const [, order = '<', kind, sizeStr] = descr;
  const size = Number(sizeStr);
  const little = order !== '>';
  const n = sizeOf(shape);
  const body = bytes.subarray(start + hlen);
  if (body.length < n * size) throw new CritError(`${source}: shape ${fmt(shape)} of ${kind}${size} needs ${n * size} data bytes, the file has ${body.length}: truncated`);
  if (body.length > n * size) throw new CritError(`${source}: ${body.length - n * size} bytes after the data of shape ${fmt(shape)}: corrupt file or wrong header`);
  const data = convert(body, kind, size, little, n, source);
  return { shape, data: fortran[1] === 'True' ? fromFortran(data, shape) : data };
}

function convert(body: Uint8Array, kind: string, size: number, little: boolean, n: number, source: string): Float32Array {
  if (kind === 'f' && size === 4 && little) return f32FromLE(body.subarray(0, 4 * n));
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const get = ({
    f2: (i: number) => halfToFloat(v.getUint16(2 * i, little)),
    f4: (i: number) => v.getFloat32(4 * i, little),
    f8: (i: number) => v.getFloat64(8 * i, little),
    i1: (i: number) => v.getInt8(i),
    i2: (i: number) => v.getInt16(2 * i, little),
    i4: (i: number) => v.getInt32(4 * i, little),
    i8: (i: number) => Number(v.getBigInt64(8 * i, little)),
    u1: (i: number) => v.getUint8(i),
    u2: (i: number) => v.getUint16(2 * i, little),
    u4: (i: number) => v.getUint32(4 * i, little),
    u8: (i: number) => Number(v.getBigUint64(8 * i, little)),
    b1: (i: number) => (v.getUint8(i) ? 1 : 0),
  } as Record<string, (i: number) => number>)[`${kind}${size}`];
  if (!get) throw new CritError(`${source}: dtype ${kind}${size} is not supported`);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = get(i);
  return out;
}

/** Column-major (Fortran) data to row-major. */
function fromFortran(data: Float32Array, shape: number[]): Float32Array {
  const out = new Float32Array(data.length);
  const r = shape.length;
  const idx = new Array<number>(r).fill(0);
  const fstr = new Array<number>(r);
  let acc = 1;
  for (let d = 0; d < r; d++) { fstr[d] = acc; acc *= shape[d]; }
  for (let i = 0; i < data.length; i++) {
    let src = 0;
    for (let d = 0; d < r; d++) src += idx[d] * fstr[d];
    out[i] = data[src];
    for (let d = r - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
  }
  return out;
}

/** A version 1.0 .npy file of little-endian f32 in C order. */
export function writeNpy(a: HostArray): Uint8Array {
  if (a.data.length !== sizeOf(a.shape)) throw new CritError(`writeNpy: ${a.data.length} values for shape ${fmt(a.shape)}`);
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const hb = new TextEncoder().encode(header);
  const body = f32ToLE(a.data);
  const out = new Uint8Array(10 + hb.length + body.length);
  out.set(MAGIC, 0);
  out[6] = 1; out[7] = 0;
  new DataView(out.buffer).setUint16(8, hb.length, true);
  out.set(hb, 10);
  out.set(body, 10 + hb.length);
  return out;
}
