// The safetensors format (Hugging Face; what PyTorch users save weights in): an 8-byte little-endian
// header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {...}},
// then the raw little-endian tensor bytes. We read every numeric dtype (converted to f32) and write f32.
// Validation follows the reference implementation: offsets must tile the data section exactly.
import { sizeOf, fmt } from '../tensor/shape.js';
import { CritError } from '../util/errors.js';
import { type HostArray, f32FromLE, f32ToLE, halfToFloat, bf16ToFloat } from './host.js';

const DTYPE_BYTES: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U64: 8, U32: 4, U16: 2, U8: 1, BOOL: 1,
};
/** Headers over this size are refused (the reference implementation's limit), so a corrupt length cannot allocate gigabytes. */
const MAX_HEADER = 100_000_000;

export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  /** The tensor's raw bytes (a view into the file). */
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  /** Tensors in file order (order of data offsets). */
  entries: Map<string, SafetensorsEntry>;
  metadata: Record<string, string>;
}

/** Parses and validates a safetensors file; tensor data stays as views until converted. */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsFile {
  if (bytes.length < 8) throw new CritError(`${source}: ${bytes.length} bytes is too short for a safetensors file (8-byte header length missing)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) throw new CritError(`${source}: header length ${n64} is over ${MAX_HEADER} bytes: not a safetensors file, or corrupt`);
  const n = Number(n64);
  if (8 + n > bytes.length) throw new CritError(`${source}: header of ${n} bytes runs past the end of the file (${bytes.length} bytes): truncated`);
  let header: unknown;
  const text = new TextDecoder('utf-8', { fatal: true });
  try {
    header = JSON.parse(text.decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new CritError(`${source}: the header is not valid UTF-8 JSON (${(e as Error).message}): not a safetensors file, or corrupt`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new CritError(`${source}: the header is not a JSON object`);
  const data = bytes.subarray(8 + n);
  let metadata: Record<string, string> = {};
  const raw: [string, SafetensorsEntry, number, number][] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Object.values(info).some((v) => typeof v !== 'string')) throw new CritError(`${source}: __metadata__ must map strings to strings`);
      metadata = info as Record<string, string>;
      continue;
    }
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const where = `${source}: tensor '${name}'`;
    if (typeof t !== 'object' || t === null) throw new CritError(`${where}: entry is not an object`);
    if (typeof t.dtype !== 'string' || !(t.dtype in DTYPE_BYTES)) throw new CritError(`${where}: unsupported dtype ${JSON.stringify(t.dtype)} (supported: ${Object.keys(DTYPE_BYTES).join(', ')})`);
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new CritError(`${where}: shape ${JSON.stringify(t.shape)} is not a list of non-negative integers`);
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0) || off[0] > off[1]) throw new CritError(`${where}: data_offsets ${JSON.stringify(off)} must be [begin, end] with 0 <= begin <= end`);
    const expect = sizeOf(t.shape) * DTYPE_BYTES[t.dtype];
    if (off[1] - off[0] !== expect) throw new CritError(`${where}: ${t.dtype} ${fmt(t.shape)} needs ${expect} bytes but data_offsets [${off[0]}, ${off[1]}] hold ${off[1] - off[0]}`);
    if (off[1] > data.length) throw new CritError(`${where}: data_offsets end ${off[1]} is past the ${data.length} data bytes: truncated file`);
    raw.push([name, { dtype: t.dtype, shape: t.shape as number[], bytes: data.subarray(off[0], off[1]) }, off[0], off[1]]);
  }
  // The tensors must tile the data section: no gaps, no overlaps, nothing after the last one.
  raw.sort((a, b) => a[2] - b[2] || a[3] - b[3]);
  let pos = 0;
  for (const [name, , begin, end] of raw) {
    if (begin !== pos) throw new CritError(`${source}: tensor '${name}' starts at byte ${begin} of the data section, expected ${pos} (${begin > pos ? 'a gap' : 'overlapping tensors'}): corrupt file`);
    pos = end;
  }
  if (pos !== data.length) throw new CritError(`${source}: ${data.length - pos} bytes after the last tensor: corrupt file or wrong header`);
  return { entries: new Map(raw.map(([name, e]) => [name, e])), metadata };
}

/** One entry's values as f32 (floats are converted, integers and booleans cast). */
export function entryToF32(e: SafetensorsEntry): Float32Array {
  const n = sizeOf(e.shape);
  if (e.dtype === 'F32') return f32FromLE(e.bytes);
  const v = new DataView(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength);
  const out = new Float32Array(n);
  const get: (i: number) => number = {
    F64: (i: number) => v.getFloat64(8 * i, true),
    F16: (i: number) => halfToFloat(v.getUint16(2 * i, true)),
    BF16: (i: number) => bf16ToFloat(v.getUint16(2 * i, true)),
    I64: (i: number) => Number(v.getBigInt64(8 * i, true)),
    U64: (i: number) => Number(v.getBigUint64(8 * i, true)),
    I32: (i: number) => v.getInt32(4 * i, true),
    U32: (i: number) => v.getUint32(4 * i, true),
    I16: (i: number) => v.getInt16(2 * i, true),
    U16: (i: number) => v.getUint16(2 * i, true),
    I8: (i: number) => v.getInt8(i),
    U8: (i: number) => v.getUint8(i),
    BOOL: (i: number) => (v.getUint8(i) ? 1 : 0),
  }[e.dtype]!;
  for (let i = 0; i < n; i++) out[i] = get(i);
  return out;
}

/** All tensors of a safetensors file as f32 host arrays, by name. */
export function readSafetensors(bytes: Uint8Array, source?: string): { tensors: Record<string, HostArray>; metadata: Record<string, string>; dtypes: Record<string, string> } {
  const f = parseSafetensors(bytes, source);
  const tensors: Record<string, HostArray> = {};
  const dtypes: Record<string, string> = {};
  for (const [name, e] of f.entries) {
    tensors[name] = { shape: e.shape, data: entryToF32(e) };
    dtypes[name] = e.dtype;
  }
  return { tensors, metadata: f.metadata, dtypes };
}

/** Serialises f32 arrays (in the given key order) as safetensors, readable by `safetensors.torch.load_file`. */
export function writeSafetensors(tensors: Record<string, HostArray>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) {
    for (const [k, v] of Object.entries(metadata)) if (typeof v !== 'string') throw new CritError(`safetensors metadata '${k}' must be a string, got ${typeof v}`);
    header.__metadata__ = metadata;
  }
  let pos = 0;
  const parts: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (name === '__metadata__') throw new CritError('safetensors: a tensor cannot be named __metadata__');
    if (t.data.length !== sizeOf(t.shape)) throw new CritError(`safetensors: tensor '${name}' has ${t.data.length} values for shape ${fmt(t.shape)}`);
    const b = f32ToLE(t.data);
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [pos, pos + b.length] };
    parts.push(b);
    pos += b.length;
  }
  // Pad the header with spaces to a multiple of 8 so tensor data is aligned (as the reference writer does).
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + pos);
  new DataView(out.buffer).setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  let off = 8 + hb.length;
  for (const p of parts) { out.set(p, off); off += p.length; }
  return out;
}
