// From columns of data and a parsed formula to the model's numbers: response y, fixed-effect matrix X
// (row-major, intercept first as R), the grouping factor, and the z-scoring applied.
import { parseFormula, type ParsedFormula } from './formula.js';
import { mean, sampleVariance } from '../numeric.js';

/** Column-oriented data: each column an array of numbers or strings of the same length. */
export type DataColumns = Record<string, ReadonlyArray<number | string | null | undefined>>;

/** A problem with the data, naming the column and (where there is one) the 0-based data row. */
export class DataError extends Error {
  override name = 'DataError';
  constructor(message: string, readonly column?: string, readonly row?: number) {
    super(message);
  }
}

export interface ModelFrame {
  formula: ParsedFormula;
  n: number;
  p: number;
  coefNames: string[];
  /** n×p, row-major. */
  X: Float64Array;
  y: Float64Array;
  /** Level index of each row. */
  group: Int32Array;
  levels: string[];
  groupSizes: number[];
  /** Columns that were z-scored, with the centre and sd (n-1) used. */
  scaling: Record<string, { center: number; scale: number }>;
}

export interface ModelFrameOptions {
  /** z-score the fixed predictors: true for all, or a list of column names (R's scale(), sd with n-1). */
  scale?: boolean | string[];
}

/** Reads a column as finite numbers; throws DataError naming the row and column of the first bad cell. */
export function numericColumn(data: DataColumns, name: string): Float64Array {
  const col = data[name];
  if (!col) throw new DataError(`no column '${name}' in the data (columns: ${Object.keys(data).join(', ')})`, name);
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    let x: number;
    if (typeof v === 'number') x = v;
    else if (v === null || v === undefined || String(v).trim() === '' || /^(NA|NaN|nan|null)$/.test(String(v).trim())) {
      throw new DataError(`column '${name}', row ${i + 1}: missing value${v === null || v === undefined ? '' : ` '${v}'`}`, name, i);
    } else {
      x = Number(String(v).trim());
      if (Number.isNaN(x)) throw new DataError(`column '${name}', row ${i + 1}: '${v}' is not a number`, name, i);
    }
    if (!Number.isFinite(x)) throw new DataError(`column '${name}', row ${i + 1}: ${x} is not a finite number`, name, i);
    out[i] = x;
  }
  return out;
}

/** Reads a grouping column as level labels (numbers become their decimal text). */
export function factorColumn(data: DataColumns, name: string): { index: Int32Array; levels: string[] } {
  const col = data[name];
  if (!col) throw new DataError(`no column '${name}' in the data (columns: ${Object.keys(data).join(', ')})`, name);
  const labels = col.map((v, i) => {
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v)) || String(v).trim() === '' || String(v).trim() === 'NA') {
      throw new DataError(`column '${name}', row ${i + 1}: missing group label`, name, i);
    }
    return String(v).trim();
  });
  const uniq = [...new Set(labels)];
  const allNumeric = uniq.every((s) => s !== '' && Number.isFinite(Number(s)));
  uniq.sort(allNumeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const pos = new Map(uniq.map((s, i) => [s, i]));
  return { index: Int32Array.from(labels, (s) => pos.get(s)!), levels: uniq };
}

/** Builds the model frame of a random-intercept formula, validating the data. */
export function modelFrame(formula: string | ParsedFormula, data: DataColumns, opts: ModelFrameOptions = {}): ModelFrame {
  const f = typeof formula === 'string' ? parseFormula(formula) : formula;
  const names = Object.keys(data);
  const lengths = new Set(names.map((k) => data[k].length));
  if (lengths.size > 1) throw new DataError(`columns have different lengths (${[...lengths].join(', ')})`);
  for (const c of [f.response, f.group, ...f.fixed.map((t) => t.column)]) {
    if (!(c in data)) throw new DataError(`no column '${c}' in the data (columns: ${names.join(', ')})`, c);
  }
  const y = numericColumn(data, f.response);
  const n = y.length;
  const { index: group, levels } = factorColumn(data, f.group);
  const scaleList = opts.scale === true ? f.fixed.map((t) => t.column) : opts.scale === false || opts.scale === undefined ? [] : opts.scale;
  for (const s of scaleList) if (!f.fixed.some((t) => t.column === s)) throw new DataError(`cannot scale '${s}': it is not a fixed-effect predictor of the formula`, s);
  const coefNames = [...(f.intercept ? ['(Intercept)'] : []), ...f.fixed.map((t) => t.name)];
  const p = coefNames.length;
  const cols: Float64Array[] = [];
  if (f.intercept) cols.push(new Float64Array(n).fill(1));
  const scaling: ModelFrame['scaling'] = {};
  for (const t of f.fixed) {
    let x = numericColumn(data, t.column);
    if (t.scaled || scaleList.includes(t.column)) {
      const center = mean(x);
      const scale = Math.sqrt(sampleVariance(x));
      if (!(scale > 0)) throw new DataError(`cannot z-score column '${t.column}': it is constant`, t.column);
      x = x.map((v) => (v - center) / scale);
      scaling[t.scaled ? t.name : t.column] = { center, scale };
    }
    cols.push(x);
  }
  if (levels.length < 2) throw new DataError(`grouping column '${f.group}' has only one level ('${levels[0] ?? ''}'): a random intercept needs at least 2 groups`, f.group);
  if (levels.length >= n) throw new DataError(`grouping column '${f.group}' has ${levels.length} levels for ${n} rows: the number of groups must be smaller than the number of rows`, f.group);
  if (p === 0) throw new DataError('the model has no fixed effects: keep the intercept or add a predictor');
  if (n <= p) throw new DataError(`${n} rows are too few for ${p} fixed-effect parameters (need more rows than parameters)`);
  // collinearity: modified Gram-Schmidt on the columns
  const Q: Float64Array[] = [];
  cols.forEach((c, j) => {
    const v = Float64Array.from(c);
    const norm0 = norm2(v);
    for (const qv of Q) {
      let d = 0;
      for (let i = 0; i < n; i++) d += qv[i] * v[i];
      for (let i = 0; i < n; i++) v[i] -= d * qv[i];
    }
    const norm = norm2(v);
    if (!(norm > 1e-7 * norm0) || norm0 === 0) {
      throw new DataError(`fixed-effect model matrix is rank deficient: column '${coefNames[j]}' is ${norm0 === 0 ? 'all zero' : 'constant or a linear combination of the others'}`, coefNames[j]);
    }
    Q.push(v.map((x) => x / norm));
  });
  const X = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) X[i * p + j] = cols[j][i];
  const groupSizes = new Array<number>(levels.length).fill(0);
  for (let i = 0; i < n; i++) groupSizes[group[i]]++;
  return { formula: f, n, p, coefNames, X, y, group, levels, groupSizes, scaling };
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}
