// Helpers shared by the stats tests: fixture loading (test/fixtures/stats, copied from the reference set) and
// tolerance checks that also record the largest deviation seen per group.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';

const here = fileURLToPath(new URL('.', import.meta.url));
// bundles live in dist*/test/stats/ (any build folder, see build.mjs --out); sources in test/stats/
const root = /\/dist[^/]*\/test\//.test(here) ? here.replace(/\/dist[^/]*\/test\/.*$/, '') : here.replace(/\/test\/stats\/?$/, '');
export const FIXTURES = `${root}/test/fixtures/stats`;

/** Reads a fixture as text. */
export function fixtureText(name: string): string {
  return readFileSync(`${FIXTURES}/${name}`, 'utf8');
}

/** Reads a JSON fixture; the strings "NaN", "Infinity", "-Infinity" become numbers. */
export function fixtureJson<T = any>(name: string): T {
  return JSON.parse(fixtureText(name), (_k, v) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v));
}

/** Largest deviation per named group, printed at the end of a test file. */
export const maxDev = new Map<string, { rel: number; abs: number; where: string }>();

function record(group: string, rel: number, abs: number, where: string) {
  const m = maxDev.get(group) ?? { rel: 0, abs: 0, where: '' };
  if (rel > m.rel) { m.rel = rel; m.where = where; }
  if (abs > m.abs) m.abs = abs;
  maxDev.set(group, m);
}

/** |a - b| <= tol·|b| (relative), or |a - b| <= absTol; NaN matches NaN, ±inf match exactly. */
export function close(group: string, where: string, got: number, want: number, rel: number, abs = 0): void {
  if (Number.isNaN(want) || !Number.isFinite(want)) {
    assert.ok(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)), `${where}: got ${got}, want ${want}`);
    return;
  }
  const d = Math.abs(got - want);
  const r = want === 0 ? (d === 0 ? 0 : Infinity) : d / Math.abs(want);
  // recorded relative to |want|, or to the scale abs/rel of the absolute floor when that is larger (entries
  // near zero of a vector or matrix are judged on the scale of the whole)
  const scale = Math.max(Math.abs(want), rel > 0 ? abs / rel : 0);
  record(group, scale > 0 ? d / scale : d === 0 ? 0 : Infinity, d, where);
  assert.ok(d <= rel * Math.abs(want) || d <= abs, `${where}: got ${got}, want ${want} (abs ${d.toExponential(2)}, rel ${r.toExponential(2)}, tol rel ${rel} abs ${abs})`);
}

/** Absolute closeness. */
export function closeAbs(group: string, where: string, got: number, want: number, abs: number): void {
  const d = Math.abs(got - want);
  record(group, 0, d, where);
  assert.ok(d <= abs, `${where}: got ${got}, want ${want} (abs ${d.toExponential(2)} > ${abs})`);
}

export function printMaxDev(title: string): void {
  const rows = [...maxDev.entries()].map(([g, m]) => `  ${g.padEnd(44)} max rel ${m.rel.toExponential(2)}  max abs ${m.abs.toExponential(2)}  (${m.where})`);
  console.log(`${title}\n${rows.join('\n')}`);
}
