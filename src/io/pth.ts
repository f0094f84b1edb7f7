// PyTorch checkpoints (.pth/.pt written by torch.save) read as f32 host arrays by name, with no Python: the ZIP
// format of torch >= 1.6 (data.pkl plus one entry per storage) and the legacy format before it (a sequence of
// pickles followed by the raw storages), which older torchvision weights (vgg16-397923af.pth, ...) still use.
// Only state_dicts of tensors are read (also inside {'state_dict': ...} or {'model': ...}); a pickled model
// object is refused with the advice to save its state_dict.
import { CritError } from '../util/errors.js';
import { sizeOf, fmt } from '../tensor/shape.js';
import type { HostArray } from './host.js';
import { entryToF32 } from './safetensors.js';
import { unpickleAt, isGlobal, type PyGlobal, type PickleHooks } from './pickle.js';
import { isZip, zipEntries, zipRead, type Inflate } from './zip.js';

/** torch storage classes → safetensors dtype names (entryToF32 converts them) and element sizes. */
const STORAGES: Record<string, [string, number]> = {
  FloatStorage: ['F32', 4], DoubleStorage: ['F64', 8], HalfStorage: ['F16', 2], BFloat16Storage: ['BF16', 2],
  LongStorage: ['I64', 8], IntStorage: ['I32', 4], ShortStorage: ['I16', 2], CharStorage: ['I8', 1],
  ByteStorage: ['U8', 1], BoolStorage: ['BOOL', 1],
};
/** The first pickle of a legacy file: torch.serialization's magic number. */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

interface Storage { kind: 'storage'; key: string; dtype: string; itemSize: number; numel: number }
interface TensorRef { kind: 'tensor'; storage: Storage; offset: number; shape: number[]; stride: number[] }
const isTensor = (x: unknown): x is TensorRef => typeof x === 'object' && x !== null && (x as TensorRef).kind === 'tensor';

function hooks(source: string): PickleHooks {
  return {
    persistentLoad(pid) {
      if (!Array.isArray(pid) || pid[0] !== 'storage' || !isGlobal(pid[1])) throw new CritError(`${source}: unknown persistent id ${JSON.stringify(pid)}`);
      const type = (pid[1] as PyGlobal).name;
      const info = STORAGES[type];
      if (!info) throw new CritError(`${source}: storage type torch.${type} is not supported (known: ${Object.keys(STORAGES).join(', ')})`);
      return { kind: 'storage', key: String(pid[2]), dtype: info[0], itemSize: info[1], numel: Number(pid[4]) } satisfies Storage;
    },
    call(fn, args) {
      const name = `${fn.module}.${fn.name}`;
      if (name === 'collections.OrderedDict') return new Map(Array.isArray(args[0]) ? (args[0] as [unknown, unknown][]) : []);
      if (name === 'torch._utils._rebuild_tensor_v2' || name === 'torch._utils._rebuild_tensor') {
        const [storage, offset, shape, stride] = args as [Storage, number, number[], number[]];
        return { kind: 'tensor', storage, offset, shape: [...shape], stride: [...stride] } satisfies TensorRef;
      }
      if (name === 'torch._utils._rebuild_parameter' || name === 'torch._utils._rebuild_parameter_with_state') return args[0];
      return undefined;
    },
  };
}

/** The dict of tensors inside what the file holds: the state_dict itself or a common checkpoint wrapper. */
function stateDict(root: unknown, source: string): Map<string, TensorRef> {
  const tensorsOf = (m: unknown) => (m instanceof Map && m.size > 0 && [...m.values()].every((v) => isTensor(v) || typeof v !== 'object' || v === null) && [...m.values()].some(isTensor) ? m : null);
  if (tensorsOf(root)) return new Map([...(root as Map<string, unknown>)].filter(([, v]) => isTensor(v))) as Map<string, TensorRef>;
  if (root instanceof Map) {
    // One string: a quoted 'module' alone would look like a Node built-in to the browser bundle's check.
    for (const key of 'state_dict model_state_dict model state module net'.split(' ')) {
      const inner = tensorsOf(root.get(key));
      if (inner) return new Map([...inner].filter(([, v]) => isTensor(v))) as Map<string, TensorRef>;
    }
    throw new CritError(`${source}: a checkpoint dict without a state_dict of tensors (its keys: ${[...root.keys()].join(', ')})`);
  }
  const what = typeof root === 'object' && root !== null && (root as { kind?: string }).kind === 'call' ? `a pickled Python object (${describe((root as { fn: unknown }).fn)})` : typeof root;
  throw new CritError(`${source}: holds ${what}, not a state_dict: save model.state_dict() instead (torch.save(model.state_dict(), path))`);
}
function describe(fn: unknown): string { return isGlobal(fn) ? `${fn.module}.${fn.name}` : 'unknown'; }

/** A tensor's values from its storage bytes, following its strides (views and transposes included). */
function materialize(name: string, t: TensorRef, storageBytes: Uint8Array, source: string): HostArray {
  const { dtype, itemSize } = t.storage;
  const n = sizeOf(t.shape);
  const rank = t.shape.length;
  let contiguous = true;
  for (let d = rank - 1, s = 1; d >= 0; s *= t.shape[d], d--) if (t.shape[d] !== 1 && t.stride[d] !== s) contiguous = false;
  let last = t.offset;
  for (let d = 0; d < rank; d++) last += (t.shape[d] - 1) * t.stride[d];
  if (n > 0 && (last + 1) * itemSize > storageBytes.length) throw new CritError(`${source}: tensor '${name}' ${fmt(t.shape)} reaches past its storage (${storageBytes.length / itemSize} elements): truncated file`);
  let bytes: Uint8Array;
  if (contiguous) bytes = storageBytes.subarray(t.offset * itemSize, (t.offset + n) * itemSize);
  else {
    bytes = new Uint8Array(n * itemSize);
    const idx = new Array(rank).fill(0);
    for (let i = 0; i < n; i++) {
      let e = t.offset;
      for (let d = 0; d < rank; d++) e += idx[d] * t.stride[d];
      bytes.set(storageBytes.subarray(e * itemSize, (e + 1) * itemSize), i * itemSize);
      for (let d = rank - 1; d >= 0 && ++idx[d] === t.shape[d]; d--) idx[d] = 0;
    }
  }
  return { shape: t.shape, data: entryToF32({ dtype, shape: t.shape, bytes }) };
}

export interface PthFile { tensors: Record<string, HostArray>; dtypes: Record<string, string>; format: 'zip' | 'legacy' }

export function isPth(bytes: Uint8Array): boolean {
  return isZip(bytes) || (bytes[0] === 0x80 && bytes[1] <= 5 && bytes[2] === 0x8a);
}

/** Reads a torch.save file; `inflate` decompresses deflated ZIP entries (torch writes them stored). */
export function readPth(bytes: Uint8Array, source: string, inflate?: Inflate): PthFile {
  const h = hooks(source);
  let refs: Map<string, TensorRef>;
  let storageBytes: (s: Storage) => Uint8Array;
  let format: PthFile['format'];
  if (isZip(bytes)) {
    format = 'zip';
    const entries = zipEntries(bytes, source);
    const pkl = [...entries.keys()].find((k) => k === 'data.pkl' || k.endsWith('/data.pkl'));
    if (!pkl) throw new CritError(`${source}: a ZIP archive without data.pkl: not a torch.save file`);
    const prefix = pkl.slice(0, -'data.pkl'.length);
    const order = entries.get(`${prefix}byteorder`);
    if (order && new TextDecoder().decode(zipRead(bytes, order, source, inflate)).trim() !== 'little') throw new CritError(`${source}: big-endian checkpoints are not supported`);
    refs = stateDict(unpickleAt(zipRead(bytes, entries.get(pkl)!, source, inflate), 0, source, h).value, source);
    storageBytes = (s) => {
      const e = entries.get(`${prefix}data/${s.key}`);
      if (!e) throw new CritError(`${source}: storage ${s.key} (entry ${prefix}data/${s.key}) is missing`);
      return zipRead(bytes, e, source, inflate);
    };
  } else {
    format = 'legacy';
    const magic = unpickleAt(bytes, 0, source);
    // The reader turns integers into JS numbers; the magic number's 77 bits round the same way on both sides.
    if (magic.value !== Number(LEGACY_MAGIC)) throw new CritError(`${source}: not a PyTorch checkpoint (no ZIP archive and no legacy magic number)`);
    const version = unpickleAt(bytes, magic.end, source);
    if (version.value !== 1001) throw new CritError(`${source}: legacy checkpoint protocol ${String(version.value)} is not supported (1001 is)`);
    const sysInfo = unpickleAt(bytes, version.end, source);
    const main = unpickleAt(bytes, sysInfo.end, source, h);
    refs = stateDict(main.value, source);
    const keys = unpickleAt(bytes, main.end, source);
    if (!Array.isArray(keys.value)) throw new CritError(`${source}: corrupt legacy checkpoint (no storage key list)`);
    // After the key list: for each storage in that order, its element count (int64) and its raw bytes.
    const sizes = new Map<string, number>();
    for (const r of refs.values()) sizes.set(r.storage.key, r.storage.itemSize);
    const located = new Map<string, Uint8Array>();
    let p = keys.end;
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const k of keys.value as string[]) {
      if (p + 8 > bytes.length) throw new CritError(`${source}: storage ${k} is missing: truncated file`);
      const numel = Number(v.getBigInt64(p, true));
      const item = sizes.get(String(k)) ?? 4;
      const len = numel * item;
      if (p + 8 + len > bytes.length) throw new CritError(`${source}: storage ${k} (${numel} elements) runs past the end: truncated file`);
      located.set(String(k), bytes.subarray(p + 8, p + 8 + len));
      p += 8 + len;
    }
    storageBytes = (s) => {
      const b = located.get(s.key);
      if (!b) throw new CritError(`${source}: storage ${s.key} is missing`);
      return b;
    };
  }
  const tensors: Record<string, HostArray> = {};
  const dtypes: Record<string, string> = {};
  for (const [name, t] of refs) {
    tensors[name] = materialize(name, t, storageBytes(t.storage), source);
    dtypes[name] = t.storage.dtype;
  }
  return { tensors, dtypes, format };
}
