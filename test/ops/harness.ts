// Shared by the op and autodiff tests: seeded inputs, uploads, comparisons against f64 references, and
// finite differences computed in f64 on the CPU references (never on f32 GPU values).
import * as crit from '../../src/index.node.js';
import type { HostTensor, Tensor } from '../../src/index.node.js';

/** A test input: values already rounded to f32 (or integers), so the GPU and the reference see the same numbers. */
export interface In { shape: number[]; data: Float64Array; dtype?: 'i32' }
export interface Case { label: string; inputs: In[]; attrs?: any }

/** f32 unit roundoff 2^-24: a correctly rounded f32 operation is off by at most u times its exact result. */
export const U = 2 ** -24;
/** One f32 ulp at 1 (2^-23): the unit of the WGSL spec's accuracy tables. */
export const ULP = 2 ** -23;

/** mulberry32: a tiny seeded generator for test data (independent of the library's RNG under test). */
export class Rng {
  private s: number;
  constructor(seed: number) { this.s = seed >>> 0; }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  uniform(lo: number, hi: number): number { return lo + (hi - lo) * this.next(); }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo)); }
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** f32 values from U[lo, hi); with `gap`, values within gap of any point in `avoid` are redrawn (kinks). */
export function f32(r: Rng, shape: number[], lo = -2, hi = 2, opts: { avoid?: number[]; gap?: number; signs?: boolean } = {}): In {
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) {
    let v: number;
    do {
      v = r.uniform(lo, hi);
      if (opts.signs && r.next() < 0.5) v = -v;
    } while (opts.avoid && opts.avoid.some((p) => Math.abs(v - p) < (opts.gap ?? 0.05)));
    data[i] = Math.fround(v);
  }
  return { shape, data };
}
/** Like f32 but every 5th value replaced by one of `specials` (exact zeros, ties), for forward checks. */
export function withSpecials(x: In, specials: number[], r: Rng): In {
  const data = x.data.slice();
  for (let i = 0; i < data.length; i += 5) data[i] = specials[r.int(0, specials.length)];
  return { ...x, data };
}
/** Distinct values, spaced at least `step` apart, shuffled (unique maxima: finite differences are exact). */
export function distinct(r: Rng, shape: number[], step = 0.01): In {
  const n = sizeOf(shape);
  const data = Float64Array.from({ length: n }, (_, i) => Math.fround((i - n / 2) * step * (1 + 0.3 * r.next())));
  for (let i = n - 1; i > 0; i--) { const j = r.int(0, i + 1); [data[i], data[j]] = [data[j], data[i]]; }
  return { shape, data };
}
export function ints(r: Rng, shape: number[], lo: number, hi: number): In {
  return { shape, dtype: 'i32', data: Float64Array.from({ length: sizeOf(shape) }, () => r.int(lo, hi)) };
}
export const host = (x: In): HostTensor => ({ data: x.data, shape: [...x.shape] });
export const upload = (x: In): Tensor => (x.dtype === 'i32' ? crit.intTensor(x.data, x.shape) : crit.tensor(x.data, x.shape));
export async function download(t: Tensor): Promise<Float64Array> { return Float64Array.from(await t.read()); }

/** Forward tolerance: per element |gpu - ref| <= atol + rtol * scale, scale = |ref| or the reference on |inputs|. */
export interface Tol {
  rtol: number;
  atol?: number;
  /** 'abs': scale by the reference evaluated on |inputs| (sums: bounds every partial sum); default 'value'. */
  scale?: 'value' | 'abs';
  why: string;
}

export interface Errors { maxAbs: number; maxRel: number; worst: number; bad: number; n: number }

/** Compares elementwise; two NaNs agree, a NaN against a number does not. maxRel is error / (atol + rtol * scale) allowance. */
export function compare(got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>, rtol: number, atol = 0): Errors {
  const e: Errors = { maxAbs: 0, maxRel: 0, worst: -1, bad: 0, n: want.length };
  if (got.length !== want.length) return { ...e, bad: Math.max(1, want.length) };
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) || Number.isNaN(g)) { if (Number.isNaN(w) !== Number.isNaN(g)) { e.bad++; e.worst = i; } continue; }
    if (!Number.isFinite(w) || !Number.isFinite(g)) { if (g !== w) { e.bad++; e.worst = i; } continue; }
    const err = Math.abs(g - w);
    const allow = atol + rtol * Math.abs(scale[i]);
    const rel = allow > 0 ? err / allow : err > 0 ? Infinity : 0;
    if (err > e.maxAbs) e.maxAbs = err;
    if (rel > e.maxRel) { e.maxRel = rel; e.worst = i; }
    if (err > allow) e.bad++;
  }
  return e;
}

export function absInputs(xs: HostTensor[]): HostTensor[] {
  return xs.map((x) => ({ data: x.data.map(Math.abs), shape: x.shape }));
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => { let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * b[i]; return s; };
export const maxAbs = (a: ArrayLike<number>) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i])); return m; };

/** Step of central differences for an input of magnitude |x|: f64 truncation ~h^2, cancellation ~1e-16/h. */
export const fdStep = (x: number) => 1e-5 * Math.max(1, Math.abs(x));

/** Gradient of a scalar function of the inputs in `which`, by central differences (one pair of calls per element). */
export function fdGradientOf(phi: (xs: HostTensor[]) => number, xs: HostTensor[], which: number[], step = fdStep): Float64Array[] {
  return which.map((k) => {
    const g = new Float64Array(xs[k].data.length);
    for (let j = 0; j < g.length; j++) {
      const x0 = xs[k].data[j], h = step(x0);
      const at = (v: number) => { const d = xs[k].data.slice(); d[j] = v; const ys = xs.slice(); ys[k] = { data: d, shape: xs[k].shape }; return phi(ys); };
      g[j] = (at(x0 + h) - at(x0 - h)) / (2 * h);
    }
    return g;
  });
}

/** Gradient of phi(xs) = <u, f(xs)> (a VJP) by central differences of the f64 reference f. */
export function fdGradient(f: (xs: HostTensor[]) => HostTensor, xs: HostTensor[], u: ArrayLike<number>, which: number[]): Float64Array[] {
  return fdGradientOf((ys) => dot(u, f(ys).data), xs, which);
}

/** Directional derivative J v of the reference along tangents v (one per input in `which`), by central differences. */
export function fdDirectional(f: (xs: HostTensor[]) => HostTensor, xs: HostTensor[], v: Float64Array[], which: number[], h = 1e-5): Float64Array {
  const at = (s: number) => f(xs.map((x, i) => { const k = which.indexOf(i); return k < 0 ? x : { data: x.data.map((d, j) => d + s * h * v[k][j]), shape: x.shape }; })).data;
  const p = at(1), m = at(-1);
  return p.map((y, i) => (y - m[i]) / (2 * h));
}

/** Short number format for the error tables the tests print. */
export function fmtErr(v: number): string { return v === 0 ? '0' : v.toExponential(1); }

/** Runs fn in a scope and releases everything it made (async). */
export async function scoped<T>(fn: () => Promise<T>): Promise<T> { return crit.scopeAsync(fn); }

/** Collects per-family maxima for the summary printed at the end of a test file. */
export class ErrorTable {
  rows = new Map<string, { cases: number; maxAbs: number; maxRel: number; note: string }>();
  add(name: string, e: { maxAbs: number; maxRel: number }, note = ''): void {
    const r = this.rows.get(name) ?? { cases: 0, maxAbs: 0, maxRel: 0, note };
    r.cases++; r.maxAbs = Math.max(r.maxAbs, e.maxAbs); r.maxRel = Math.max(r.maxRel, e.maxRel);
    this.rows.set(name, r);
  }
  print(title: string, relLabel = 'err/allowed'): void {
    console.log(`\n${title}\n  ${'op'.padEnd(22)} cases  max|err|   ${relLabel}`);
    for (const [name, r] of [...this.rows].sort()) console.log(`  ${name.padEnd(22)} ${String(r.cases).padStart(5)}  ${fmtErr(r.maxAbs).padEnd(9)}  ${r.maxRel >= 0.01 ? r.maxRel.toFixed(3) : fmtErr(r.maxRel)}${r.note ? '  ' + r.note : ''}`);
  }
}

/** A stable seed per name, so each op's cases are fixed but different from other ops'. */
export function seedOf(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}
