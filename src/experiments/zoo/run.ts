// `crit zoo`: the criticality of many trained classifiers on the same images (the paper's Figs. 2 and 3): per model
// σ and Σ over all images, and per image Λ0 by power iteration, λ0 = log Λ0 / m. Each finished model is stored at
// once (atomically) in OUT/zoo.json, so a killed run resumes with the next model.
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { Tensor } from '../../tensor/tensor.js';
import { CritError } from '../../util/errors.js';
import { readBytes, readWeightsFile } from '../../io/files.js';
import { readNpy } from '../../io/npy.js';
import type { HostArray } from '../../io/host.js';
import { uploadAll } from '../../io/tensors.js';
import { matchParams } from '../../nn/names.js';
import { buildNetwork } from '../../models/build.js';
import { measureModel } from '../measure.js';
import { RowStore } from '../store.js';
import { archForSide, type ZooEntry } from './entries.js';

export interface ZooRow {
  key: string; model: string; arch: string; weights: string; recipe: string; family: string;
  year: number | null; accuracy: number | null;
  /** Trainable parameters p (torchvision's count, or the file's tensors without batch-norm statistics). */
  params: number;
  /** Leaf modules m: λ0 = log Λ0 / m. */
  modules: number;
  sigma: number; Sigma: number; aIn: number; aOut: number;
  /** Mean over images of λ0, and its standard deviation. */
  lambda0: number; lambda0_sd: number;
  /** exp(mean log Λ0): the geometric mean of the images' Λ0. */
  Lambda0: number;
  logLambda0: number[];
  iterations: number; converged: boolean; seconds: number;
}

export interface ZooOptions {
  entries: ZooEntry[];
  inputs: string;
  out: string;
  /** Use the first N images (default all). */
  images?: number;
  tol?: number;
  maxIterations?: number;
  batchSize?: number;
  fresh?: boolean;
  log?: (msg: string) => void;
}

/** What the images are: their number, channels and side (the report's caption; kept with the results). */
export interface ZooImages { count: number; channels: number; side: number }
export interface ZooInputs extends ZooImages { data: HostArray }

/** Images from .npy: [n, C, S, S] or flat [n, C·S·S] (square images, C = 3 assumed for flat rows). */
export function readZooInputs(path: string, images?: number): ZooInputs {
  const a = readNpy(readBytes(path, 'inputs file'), path);
  let C: number, S: number;
  if (a.shape.length === 4) {
    [, C, S] = a.shape;
    if (a.shape[2] !== a.shape[3]) throw new CritError(`${path}: images of ${a.shape[2]}x${a.shape[3]}: square images expected`);
  } else if (a.shape.length === 2) {
    C = 3;
    S = Math.round(Math.sqrt(a.shape[1] / 3));
    if (3 * S * S !== a.shape[1]) throw new CritError(`${path}: rows of ${a.shape[1]} values are not 3-channel square images (give [n, 3, S, S])`);
  } else throw new CritError(`${path}: expected images [n, 3, S, S] (or flat rows [n, 3·S·S]), got shape [${a.shape.join(', ')}]`);
  const total = a.shape[0];
  const n = Math.min(images ?? total, total);
  if (n < 1) throw new CritError(`${path}: no images`);
  const row = C * S * S;
  return { data: { shape: [n, row], data: a.data.subarray(0, n * row) }, side: S, channels: C, count: n };
}

/** Buffers of torchvision's state_dicts, not parameters: batch-norm statistics, Swin V2's coordinate tables. */
const STATISTICS = /(^|\.)(running_mean|running_var|num_batches_tracked|relative_coords_table|relative_position_index)$/;

/** Measures one entry on the images x (uploaded once for all entries; `images` says what they are). */
async function measureEntry(e: ZooEntry, images: ZooImages, x: Tensor, o: Pick<ZooOptions, 'tol' | 'maxIterations' | 'batchSize'>): Promise<ZooRow> {
  const t0 = performance.now();
  const arch = archForSide(e, images.side);
  const model = buildNetwork(arch);
  if (model.inputSize !== x.shape[1]) {
    throw new CritError(`${e.key}: ${model.arch} takes ${model.inputSize} values per input, the images have ${images.channels}x${images.side}x${images.side}`);
  }
  const file = readWeightsFile(e.weights);
  const { params: host } = matchParams(model, file.tensors);
  const params = uploadAll(host);
  try {
    const r = await measureModel(model, params, x, { method: model.kind === 'mlp' ? undefined : 'power', tol: o.tol ?? 1e-4, maxIterations: o.maxIterations ?? 100, batchSize: o.batchSize ?? 8 });
    const logs = r.inputs.map((i) => i.logLambda0);
    const lam = r.inputs.map((i) => i.lambda0);
    const sd = Math.sqrt(lam.reduce((s, v) => s + (v - r.lambda0Mean) ** 2, 0) / Math.max(1, lam.length - 1));
    const count = e.params ?? Object.entries(host).filter(([k]) => !STATISTICS.test(k)).reduce((s, [, t]) => s + t.data.length, 0);
    return {
      key: e.key, model: e.model, arch: model.arch, weights: e.weights, recipe: e.recipe, family: e.family, year: e.year, accuracy: e.accuracy,
      params: count, modules: model.depth, sigma: r.sigma, Sigma: r.Sigma, aIn: r.aIn, aOut: r.aOut,
      lambda0: r.lambda0Mean, lambda0_sd: lam.length > 1 ? sd : 0, Lambda0: Math.exp(logs.reduce((s, v) => s + v, 0) / logs.length), logLambda0: logs,
      iterations: r.iterations ?? 0, converged: r.converged ?? true, seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    for (const t of Object.values(params)) t.dispose();
  }
}

const STORE_FORMAT = 'crit-zoo/1';
type ZooMeta = { inputs: string; images: number; side: number; channels: number; tol: number; maxIterations: number };

export async function runZoo(o: ZooOptions): Promise<{ rows: ZooRow[]; failures: { key: string; error: string }[]; inputs: ZooImages }> {
  const inputs = readZooInputs(o.inputs, o.images);
  const meta: ZooMeta = { inputs: o.inputs, images: inputs.count, side: inputs.side, channels: inputs.channels, tol: o.tol ?? 1e-4, maxIterations: o.maxIterations ?? 100 };
  const store = new RowStore<ZooRow, ZooMeta>(join(o.out, 'zoo.json'), meta, STORE_FORMAT, o.fresh);
  const failures: { key: string; error: string }[] = [];
  const todo = o.entries.filter((e) => !store.has(e.key));
  o.log?.(`crit zoo: ${o.entries.length} models on ${inputs.count} images of ${inputs.channels}x${inputs.side}x${inputs.side}; ${o.entries.length - todo.length} already in ${store.path}`);
  const x = Tensor.from(inputs.data.data, inputs.data.shape);
  for (const [i, e] of todo.entries()) {
    try {
      const row = await measureEntry(e, inputs, x, o);
      store.add([row]);
      o.log?.(`  [${i + 1}/${todo.length}] ${e.key}: λ0 ${row.lambda0.toFixed(4)}, Σ ${row.Sigma.toPrecision(3)}, m ${row.modules} (${row.iterations} power steps${row.converged ? '' : ', NOT converged'}, ${row.seconds.toFixed(1)} s)`);
    } catch (err) {
      const msg = (err as Error).message;
      failures.push({ key: e.key, error: msg });
      o.log?.(`  [${i + 1}/${todo.length}] ${e.key}: skipped: ${msg}`);
    }
  }
  x.dispose();
  const keys = new Set(o.entries.map((e) => e.key));
  return { rows: store.all().filter((r) => keys.has(r.key)), failures, inputs: { count: inputs.count, channels: inputs.channels, side: inputs.side } };
}

/** The results stored in OUT/zoo.json and what the images were, for a report without measuring (or reading them). */
export function readZooResults(out: string): { rows: ZooRow[]; images: ZooImages; inputs: string } {
  const path = join(out, 'zoo.json');
  if (!existsSync(path)) throw new CritError(`${path} does not exist: nothing measured in ${out} yet`);
  const file = JSON.parse(readFileSync(path, 'utf8')) as { format: string; meta: ZooMeta; rows: ZooRow[] };
  if (file.format !== STORE_FORMAT) throw new CritError(`${path}: holds '${file.format}' results, not '${STORE_FORMAT}'`);
  return { rows: file.rows, images: { count: file.meta.images, channels: file.meta.channels ?? 3, side: file.meta.side }, inputs: file.meta.inputs };
}
