// Node only (exported from index.node.ts): the file-path versions of the readers and writers.
import { readFileSync, writeFileSync, renameSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Tensor } from '../tensor/tensor.js';
import { CritError } from '../util/errors.js';
import type { HostArray } from './host.js';
import { inflateRawSync } from 'node:zlib';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { readPth, isPth } from './pth.js';
import { readNpy, isNpy } from './npy.js';
import { readRawF32 } from './raw.js';
import { uploadAll, downloadAll } from './tensors.js';

/** File bytes, with an error that names the path. */
export function readBytes(path: string, what = 'file'): Uint8Array {
  if (!existsSync(path)) throw new CritError(`${what} ${path} does not exist`);
  if (statSync(path).isDirectory()) throw new CritError(`${what} ${path} is a directory, not a file`);
  const b = readFileSync(path);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Writes through a temporary file and a rename, so a crash never leaves a half-written file. */
export function writeFileAtomic(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  // Hidden, unique per process and call: a crash leaves at most a stray dot-file, never a half-written `path`.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.tmp`);
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

export function readSafetensorsFile(path: string): ReturnType<typeof readSafetensors> {
  return readSafetensors(readBytes(path, 'safetensors file'), path);
}

/**
 * Weights by name from a safetensors file or a PyTorch checkpoint (torch.save's ZIP or legacy format, a
 * state_dict or a dict holding one), told apart by their first bytes.
 */
export function readWeightsFile(path: string): { tensors: Record<string, HostArray>; dtypes: Record<string, string>; format: string } {
  const bytes = readBytes(path, 'weights file');
  if (isPth(bytes)) {
    const f = readPth(bytes, path, (raw) => { const b = inflateRawSync(raw); return new Uint8Array(b.buffer, b.byteOffset, b.byteLength); });
    return { tensors: f.tensors, dtypes: f.dtypes, format: `pytorch-${f.format}` };
  }
  const f = readSafetensors(bytes, path);
  return { tensors: f.tensors, dtypes: f.dtypes, format: 'safetensors' };
}

/** Loads a safetensors file as f32 tensors by name. */
export function loadSafetensorsFile(path: string): Record<string, Tensor> {
  return uploadAll(readSafetensorsFile(path).tensors);
}

/** Saves f32 tensors (or host arrays) as a safetensors file, atomically. */
export async function saveSafetensorsFile(path: string, tensors: Record<string, Tensor | HostArray>, metadata?: Record<string, string>): Promise<void> {
  const host: Record<string, HostArray> = {};
  const gpu: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(tensors)) if ('data' in v && v.data instanceof Float32Array) host[k] = v as HostArray; else gpu[k] = v as Tensor;
  const fromGpu = await downloadAll(gpu);
  const ordered: Record<string, HostArray> = {};
  for (const k of Object.keys(tensors)) ordered[k] = host[k] ?? fromGpu[k];
  writeFileAtomic(path, writeSafetensors(ordered, metadata));
}

/**
 * Model inputs from a file: `.npy` (any numeric dtype, any shape whose trailing axes hold rowSize values)
 * or raw little-endian f32 (anything else). Returns [rows, rowSize].
 */
export function readInputsFile(path: string, rowSize: number): HostArray {
  const bytes = readBytes(path, 'inputs file');
  if (extname(path).toLowerCase() === '.npy' || isNpy(bytes)) {
    const a = readNpy(bytes, path);
    // [n, 28, 28], [n, 784] or a single [784] input: the trailing axes must multiply to rowSize.
    let tail = 1, k = a.shape.length;
    while (k > 0 && tail < rowSize) tail *= a.shape[--k];
    if (tail !== rowSize) throw new CritError(`${path}: array of shape [${a.shape.join(', ')}]: its trailing axes do not hold ${rowSize} inputs per row`);
    return { shape: [a.data.length / rowSize, rowSize], data: a.data };
  }
  return readRawF32(bytes, rowSize, path);
}
