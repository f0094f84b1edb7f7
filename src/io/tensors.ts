// Between host arrays (as files hold them) and GPU tensors, by name.
import { Tensor } from '../tensor/tensor.js';
import { CritError } from '../util/errors.js';
import type { HostArray } from './host.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';

/** Uploads named host arrays as f32 tensors. */
export function uploadAll(arrays: Record<string, HostArray>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, a] of Object.entries(arrays)) out[name] = Tensor.from(a.data, a.shape, 'f32');
  return out;
}

/** Reads named f32 tensors back to the host (one readback per tensor). */
export async function downloadAll(tensors: Record<string, Tensor>): Promise<Record<string, HostArray>> {
  const out: Record<string, HostArray> = {};
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype !== 'f32') throw new CritError(`tensor '${name}' is ${t.dtype}; only f32 tensors are saved`);
    out[name] = { shape: [...t.shape], data: await t.readF32() };
  }
  return out;
}

/** Safetensors bytes → f32 tensors by name (f64/f16/bf16/integer entries are converted). */
export function loadSafetensors(bytes: Uint8Array, source?: string): Record<string, Tensor> {
  return uploadAll(readSafetensors(bytes, source).tensors);
}

/** f32 tensors by name → safetensors bytes (PyTorch reads them with safetensors.torch.load_file). */
export async function saveSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Promise<Uint8Array> {
  return writeSafetensors(await downloadAll(tensors), metadata);
}
