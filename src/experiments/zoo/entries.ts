// What `crit zoo` measures: entries of (architecture, weights file, accuracy, family, year, recipe), found by
// torchvision's checkpoint file names in a folder or listed in a manifest for any model crit can build.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { CritError } from '../../util/errors.js';
import { parseCsv } from '../../stats/csv.js';
import { TORCHVISION_MODELS } from './table.js';

export interface ZooEntry {
  /** Unique key: <model>.<weights name> for torchvision, the manifest's name otherwise. */
  key: string;
  /** The model's name (torchvision's, or the manifest's); recipes of one model share it. */
  model: string;
  /** crit's architecture spec; the image size is set from the inputs when it is not fixed. */
  arch: string;
  weights: string;
  /** The training recipe: torchvision's weights name (IMAGENET1K_V1, _V2, ...) or the manifest's. */
  recipe: string;
  family: string;
  year: number | null;
  accuracy: number | null;
  /** The evaluation crop the weights were published with (torchvision), or null. */
  crop: number | null;
  /** Parameters as torchvision counts them (null: count the file's tensors). */
  params: number | null;
}

/**
 * torchvision weights present in `dir`, by torch.hub's file name (resnet18-f37072fd.pth, as in
 * ~/.cache/torch/hub/checkpoints) or as <model>.<WEIGHTS>.pth / .safetensors.
 */
export function torchvisionEntries(dir: string, only?: string[]): ZooEntry[] {
  if (!existsSync(dir)) throw new CritError(`--weights-dir ${dir} does not exist`);
  const files = new Set(readdirSync(dir));
  const out: ZooEntry[] = [];
  for (const m of TORCHVISION_MODELS) {
    if (only && !only.includes(m.model)) continue;
    for (const w of m.weights) {
      const name = [w.file, `${m.model}.${w.name}.pth`, `${m.model}.${w.name}.safetensors`].find((f) => files.has(f));
      if (!name || w.acc1 === null) continue;
      out.push({ key: `${m.model}.${w.name}`, model: m.model, arch: m.model, weights: join(dir, name), recipe: w.name, family: m.family, year: m.year, accuracy: w.acc1, crop: w.crop, params: w.params });
    }
  }
  if (only) for (const o of only) if (!TORCHVISION_MODELS.some((m) => m.model === o)) throw new CritError(`--models: '${o}' is not a torchvision classifier (crit zoo --list shows them)`);
  return out;
}

const MANIFEST_COLUMNS = ['name', 'arch', 'weights', 'accuracy', 'family', 'year', 'recipe'];

/**
 * A manifest of models: a JSON array of {name, arch, weights, accuracy?, family?, year?, recipe?} or a CSV with
 * those columns. Weights paths are relative to the manifest's folder.
 */
export function manifestEntries(path: string): ZooEntry[] {
  if (!existsSync(path)) throw new CritError(`--manifest ${path} does not exist`);
  const text = readFileSync(path, 'utf8');
  let rows: Record<string, unknown>[];
  if (extname(path).toLowerCase() === '.json') {
    try { rows = JSON.parse(text); } catch (e) { throw new CritError(`${path}: not valid JSON (${(e as Error).message})`); }
    if (!Array.isArray(rows)) throw new CritError(`${path}: expected a JSON array of {name, arch, weights, accuracy, family, year, recipe}`);
  } else {
    let t;
    try { t = parseCsv(text); } catch (e) { throw new CritError(`${path}: ${(e as Error).message}`); }
    const missing = ['name', 'arch', 'weights'].filter((c) => !t.header.includes(c));
    if (missing.length) throw new CritError(`${path}: CSV without column(s) ${missing.join(', ')} (columns: ${MANIFEST_COLUMNS.join(', ')})`);
    rows = t.rows.map((r) => Object.fromEntries(t.header.map((c, i) => [c, r[i]])));
  }
  const base = dirname(resolve(path));
  const seen = new Set<string>();
  return rows.map((r, i) => {
    const where = `${path}: entry ${i + 1}`;
    for (const k of ['name', 'arch', 'weights']) if (typeof r[k] !== 'string' || !(r[k] as string).trim()) throw new CritError(`${where}: '${k}' is missing`);
    const name = String(r.name);
    if (seen.has(name)) throw new CritError(`${where}: name '${name}' appears twice`);
    seen.add(name);
    const num = (k: string): number | null => {
      const v = r[k];
      if (v === undefined || v === null || v === '') return null;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new CritError(`${where}: '${k}' is '${String(v)}', not a number`);
      return n;
    };
    return {
      key: name, model: String(r.model ?? name), arch: String(r.arch), weights: resolve(base, String(r.weights)), recipe: String(r.recipe ?? ''),
      family: String(r.family ?? r.arch).split(':')[0], year: num('year'), accuracy: num('accuracy'), crop: null, params: null,
    };
  });
}

/**
 * The architecture spec for images of side `side`: torchvision names get the size option their family takes
 * (always: default sizes differ by family, e.g. Swin V2's 256 and Inception v3's 299); manifest specs stay as given.
 */
export function archForSide(e: ZooEntry, side: number): string {
  if (e.arch !== e.model) return e.arch;
  return e.family === 'Vision Transformer' ? `${e.arch}:image=${side}` : `${e.arch}:input=3x${side}x${side}`;
}
