// A training run's state in one safetensors file, so a killed long run resumes at its last finished epoch
// instead of starting over: the parameters (their own names), the optimizer's state (`optim.<param>.<slot>`)
// and any extra tensors (e.g. a power-iteration vector cache), with the step count and a JSON `meta` of the
// caller's (settings, per-epoch records) in the file's metadata. Written atomically: a kill during the write
// leaves the previous checkpoint.
import { existsSync, rmSync } from 'node:fs';
import type { Tensor } from '../tensor/tensor.js';
import type { Params } from '../nn/mlp.js';
import type { Optimizer } from '../nn/optim.js';
import type { HostArray } from '../io/host.js';
import { readSafetensorsFile, saveSafetensorsFile } from '../io/files.js';
import { fmt, sameShape } from '../tensor/shape.js';
import { CritError } from '../util/errors.js';

export const CHECKPOINT_FORMAT = 'crit-training-checkpoint-v1';
const OPTIM = 'optim.';
const EXTRA = 'extra.';

export interface TrainingState {
  params: Params;
  optimizer: Optimizer;
}

export interface Checkpoint<M> {
  path: string;
  steps: number;
  meta: M;
  params: Record<string, HostArray>;
  optimizer: Record<string, HostArray>;
  extra: Record<string, HostArray>;
}

export async function writeCheckpoint<M>(path: string, s: TrainingState, meta: M, extra: Record<string, Tensor | HostArray> = {}): Promise<void> {
  const tensors: Record<string, Tensor | HostArray> = { ...s.params };
  for (const [k, t] of Object.entries(s.optimizer.stateTensors())) tensors[OPTIM + k] = t;
  for (const [k, t] of Object.entries(extra)) tensors[EXTRA + k] = t;
  await saveSafetensorsFile(path, tensors, { format: CHECKPOINT_FORMAT, steps: String(s.optimizer.steps), meta: JSON.stringify(meta) });
}

/** The checkpoint at path, or null when there is none. A file that is not a checkpoint is an error that names it. */
export function readCheckpoint<M>(path: string): Checkpoint<M> | null {
  if (!existsSync(path)) return null;
  const f = readSafetensorsFile(path);
  if (f.metadata.format !== CHECKPOINT_FORMAT) throw new CritError(`${path}: not a crit training checkpoint (metadata format '${f.metadata.format ?? ''}', expected '${CHECKPOINT_FORMAT}'); delete it or use --fresh`);
  const steps = Number(f.metadata.steps);
  let meta: M;
  try { meta = JSON.parse(f.metadata.meta ?? ''); } catch { throw new CritError(`${path}: the checkpoint's metadata field 'meta' is not JSON`); }
  if (!Number.isInteger(steps) || steps < 0) throw new CritError(`${path}: the checkpoint's step count '${f.metadata.steps}' is not an integer >= 0`);
  const c: Checkpoint<M> = { path, steps, meta, params: {}, optimizer: {}, extra: {} };
  for (const [k, t] of Object.entries(f.tensors)) {
    if (k.startsWith(OPTIM)) c.optimizer[k.slice(OPTIM.length)] = t;
    else if (k.startsWith(EXTRA)) c.extra[k.slice(EXTRA.length)] = t;
    else c.params[k] = t;
  }
  return c;
}

/** Writes a checkpoint's parameters and optimizer state into a run's own tensors (which keep their identity). */
export function restoreTraining<M>(c: Checkpoint<M>, s: TrainingState): void {
  const names = Object.keys(s.params);
  const missing = names.filter((n) => !c.params[n]), extra = Object.keys(c.params).filter((n) => !s.params[n]);
  if (missing.length || extra.length) throw new CritError(`${c.path}: the checkpoint's parameters (${Object.keys(c.params).join(', ')}) are not the model's (${names.join(', ')})`);
  for (const n of names) {
    const p = s.params[n], h = c.params[n];
    if (!sameShape(p.shape, h.shape)) throw new CritError(`${c.path}: parameter ${n} is ${fmt(h.shape)} in the checkpoint, ${fmt(p.shape)} in the model`);
  }
  s.optimizer.restoreState(c.optimizer, c.steps);
  for (const n of names) if (s.params[n].size > 0) s.params[n].engine.write(s.params[n].buffer, c.params[n].data, 0, true);
}

export function removeCheckpoint(path: string): void {
  rmSync(path, { force: true });
}
