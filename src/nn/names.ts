// Matching tensors from a weights file to a model's parameter names. crit's own names are W1, b1, W2, ...
// (weights [out, in] as in PyTorch). A PyTorch state_dict names them after modules ('0.weight',
// 'fc1.bias', 'layers.2.weight'); those are matched in order, or through an explicit name map.
import { fmt, sameShape } from '../tensor/shape.js';
import { CritError } from '../util/errors.js';

interface Shaped { shape: readonly number[] }
interface NamedModel {
  arch: string; paramNames: string[]; paramShapes: Record<string, number[]>; layers?: readonly { weight: string; bias: string | null }[];
  /** How the model's own loader renames a file's tensors (old checkpoints), if it does. */
  renameTensor?(name: string): string;
}
type LayeredModel = NamedModel & Required<Pick<NamedModel, 'layers'>>;

/** 'W1=fc1.weight,b1=fc1.bias' → {W1: 'fc1.weight', b1: 'fc1.bias'}. */
export function parseNameMap(text: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([^=\s]+)\s*=\s*(\S+)$/.exec(part);
    if (!m) throw new CritError(`name map entry '${part}' is not OURS=THEIRS (e.g. W1=fc1.weight)`);
    map[m[1]] = m[2];
  }
  return map;
}

/** The names nn.Sequential(Linear, act, Linear, act, ..., Linear) gives in its state_dict: 0.weight, 0.bias, 2.weight, ... */
export function torchSequentialNames(model: LayeredModel, prefix = ''): Record<string, string> {
  const map: Record<string, string> = {};
  model.layers.forEach((l, i) => {
    map[l.weight] = `${prefix}${2 * i}.weight`;
    if (l.bias) map[l.bias] = `${prefix}${2 * i}.bias`;
  });
  return map;
}

/** Natural order: 'layers.10.weight' after 'layers.2.weight'. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * Picks the model's parameters out of a file's tensors: through `names` (ours → theirs) when given, else
 * by crit's names when all are present, else (models of layers, such as the MLP) the '*.weight' and '*.bias'
 * tensors in natural order. A CNN's names are PyTorch's own (conv1.weight, fc1.bias), so they match as they are.
 * Shapes are checked; tensors the model does not use are listed in `unused`.
 */
export function matchParams<T extends Shaped>(model: NamedModel, tensors: Record<string, T>, names?: Record<string, string>): { params: Record<string, T>; unused: string[]; source: Record<string, string> } {
  const need = model.paramNames;
  let source: Record<string, string>;
  if (names) {
    for (const k of Object.keys(names)) if (!need.includes(k)) throw new CritError(`name map: ${k} is not a parameter of ${model.arch} (its parameters: ${need.join(', ')})`);
    source = Object.fromEntries(need.map((n) => [n, names[n] ?? n]));
  } else if (need.every((n) => n in tensors) || !model.layers) {
    // A file's names as the model's loader would rename them (e.g. DenseNet's old norm.1 → norm1), where given.
    const renamed = new Map(Object.keys(tensors).map((k) => [model.renameTensor?.(k) ?? k, k]));
    source = Object.fromEntries(need.map((n) => [n, n in tensors ? n : renamed.get(n) ?? n]));
  } else {
    const all = Object.keys(tensors);
    const weights = all.filter((k) => /(^|\.)weight$/.test(k) && tensors[k].shape.length === 2).sort(naturalCompare);
    const biases = all.filter((k) => /(^|\.)bias$/.test(k) && tensors[k].shape.length === 1).sort(naturalCompare);
    const layers = model.layers;
    const hasBias = layers.some((l) => l.bias);
    if (weights.length !== layers.length || (hasBias && biases.length !== layers.length)) {
      throw new CritError(`the weights file does not fit ${model.arch}: it needs ${need.map((n) => `${n} ${fmt(model.paramShapes[n])}`).join(', ')}; ` +
        `the file has ${all.map((k) => `${k} ${fmt(tensors[k].shape)}`).join(', ') || 'no tensors'} (map names with e.g. W1=fc1.weight,b1=fc1.bias)`);
    }
    source = {};
    layers.forEach((l, i) => {
      source[l.weight] = weights[i];
      if (l.bias) source[l.bias] = biases[i];
    });
  }
  const params: Record<string, T> = {};
  for (const n of need) {
    const theirs = source[n];
    const t = tensors[theirs];
    if (!t) throw new CritError(`the weights file has no tensor '${theirs}' for ${n} ${fmt(model.paramShapes[n])} (it has: ${Object.keys(tensors).join(', ')})`);
    const want = model.paramShapes[n];
    if (!sameShape(t.shape, want)) {
      const transposed = want.length === 2 && sameShape(t.shape, [want[1], want[0]]);
      throw new CritError(`tensor '${theirs}' for ${n} is ${fmt(t.shape)}, ${model.arch} needs ${fmt(want)}${transposed ? ' (it looks transposed: crit uses PyTorch\'s [out, in] layout)' : ''}`);
    }
    params[n] = t;
  }
  const used = new Set(Object.values(source));
  return { params, unused: Object.keys(tensors).filter((k) => !used.has(k)), source };
}
