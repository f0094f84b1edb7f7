// The resumable runner and its store, the Fig. 1 analysis (crossing, linear branch, power-law fit) and a tiny
// end-to-end Fig. 1 run that is interrupted and resumed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as crit from '../../src/index.node.js';
import { RowStore } from '../../src/experiments/store.js';
import { Runner } from '../../src/experiments/runner.js';
import { zeroCrossing, seedAverage, fitPowerLaw, linearBranchKappa, linearBranchPerSeed, criticalPoint, type Fig1Row } from '../../src/experiments/fig1/analysis.js';
import { nextKappas } from '../../src/experiments/fig1/run.js';
import { runFig1, type Fig1Config } from '../../src/experiments/fig1/index.js';
import { renderSvg, toCsv } from '../../src/report/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'crit-exp-'));
const row = (N: number, kappa: number, seed: number, lambda0: number, extra: Partial<Fig1Row> = {}) => ({ key: `N${N}/k${kappa}/s${seed}`, N, kappa, seed, lambda0, aIn: 1, aOut: 1, ...extra }) as Fig1Row;

test('zero crossing in log κ, seed averages, next κ of a refinement round', () => {
  // λ0 = log(κ / 2): the crossing is exactly 2 wherever the bracket is.
  const pts = [1, 1.5, 2.5, 4].map((k) => ({ kappa: k, y: Math.log(k / 2) }));
  assert.ok(Math.abs(zeroCrossing(pts)! - 2) < 1e-12);
  assert.is(zeroCrossing([{ kappa: 1, y: -1 }, { kappa: 2, y: -0.5 }]), null);
  const rows = [row(8, 1, 0, -0.2), row(8, 1, 1, -0.4), row(8, 3, 0, 0.3), row(8, 3, 1, 0.1), row(8, 2, 0, 0.5)];
  const avg = seedAverage(rows);
  assert.equal(avg.map((a) => [a.kappa, +a.y.toFixed(6)]), [[1, -0.3], [3, 0.2]], 'κ = 2 has one seed only: left out');
  const kc = zeroCrossing(avg)!;
  assert.equal(nextKappas(rows, 0.01).map((k) => +k.toFixed(9)), [kc * 0.99, kc * 1.01].map((k) => +k.toFixed(9)), 'no decaying net: around the crossing only');
  assert.equal(nextKappas([row(8, 1, 0, -0.2), row(8, 2, 0, -0.1)], 0.01), [2.5], 'no crossing yet: extend upwards');
});

test('linear branch: κ e^{−λ0} of decaying nets, geometric mean over seeds', () => {
  const rows = [row(8, 1, 0, Math.log(1 / 2), { aOut: 1e-5 }), row(8, 1.5, 0, Math.log(1.5 / 2), { aOut: 1e-5 }), row(8, 1.5, 1, Math.log(1.5 / 8), { aOut: 1e-5 }), row(8, 3, 1, 0.1)];
  assert.ok(Math.abs(linearBranchKappa(rows)! - 4) < 1e-12);
  assert.is(linearBranchKappa([row(8, 3, 0, 0.1)]), null);
  assert.equal(linearBranchPerSeed(rows, [0, 1, 2]).map((v) => v && +v.toFixed(12)), [2, 8, null]);
});

test('critical point: κ_c from the ordered branch even where the saturated λ0 dips below 0 again', () => {
  // Seed-averaged λ0 reaches 0 at κ = 2 on the linear branch, then (saturated) is −0.01 until it crosses at 3.
  const sat = { aOut: 0.5 };
  const rows = [0, 1].flatMap((s) => [
    row(8, 1, s, Math.log(1 / 2), { aOut: 1e-6 }), row(8, 1.9, s, Math.log(1.9 / 2), { aOut: 1e-3 }),
    row(8, 2.1, s, -0.01, sat), row(8, 2.6, s, -0.01, sat), row(8, 3.4, s, 0.01, sat),
  ]);
  const c = criticalPoint(8, rows);
  assert.ok(Math.abs(c.kappaC! - 2) < 1e-12 && c.se! < 1e-12, `κ_c ${c.kappaC}`);
  assert.ok(c.lastCrossing.kappaC! > 2.6 && c.lastCrossing.kappaC! < 3.4, `last crossing ${c.lastCrossing.kappaC}`);
  assert.is(c.firstCrossing.kappaC, c.lastCrossing.kappaC, 'the grid does not resolve the first crossing yet');
  assert.is(c.perSeed.length, 2);
  // A refinement round measures around both: κ_c(1 ± step) and the last crossing (1 ± step).
  const next = nextKappas(rows, 0.01);
  assert.is(next.length, 4);
  assert.ok(Math.abs(next[0] - 1.98) < 1e-9 && Math.abs(next[1] - 2.02) < 1e-9, next.join(','));
  // Once measured, the first crossing of the seed average is the edge of the ordered phase.
  const refined = [...rows, ...[0, 1].map((s) => row(8, 2.02, s, Math.log(2.02 / 2), { aOut: 0.05 }))];
  assert.ok(Math.abs(criticalPoint(8, refined).firstCrossing.kappaC! - 2) < 1e-12);
});

test('power-law fit recovers c0 + c1 N^k', () => {
  const pts = [25, 50, 100, 200, 400, 800].map((N) => ({ N, kappaC: 0.01 + 30 * N ** -0.5 }));
  const f = fitPowerLaw(pts)!;
  assert.ok(Math.abs(f.c0 - 0.01) < 1e-6 && Math.abs(f.c1 - 30) < 1e-4 && Math.abs(f.k + 0.5) < 1e-6, JSON.stringify(f));
  assert.is(fitPowerLaw(pts.slice(0, 2)), null);
});

test('row store: atomic rewrite, reopen, refuses other settings', () => {
  const dir = tmp(), path = join(dir, 'rows.json');
  const a = new RowStore<{ key: string; v: number }>(path, { depth: 3 }, 'test-v1');
  a.add([{ key: 'x', v: 1 }, { key: 'y', v: NaN }]);
  a.add([{ key: 'x', v: 2 }]);
  assert.equal(readdirSync(dir), ['rows.json'], 'no temporary file left');
  const b = new RowStore<{ key: string; v: number }>(path, { depth: 3 }, 'test-v1');
  assert.is(b.resumed, 2);
  assert.is(b.get('x')!.v, 2);
  assert.throws(() => new RowStore(path, { depth: 4 }, 'test-v1'), /other settings \(depth: stored 3, now 4\)/);
  assert.throws(() => new RowStore(path, { depth: 3 }, 'other'), /holds 'test-v1'/);
  assert.is(new RowStore(path, { depth: 4 }, 'test-v1', true).size, 0, 'fresh starts over');
  writeFileSync(path, '{oops');
  assert.throws(() => new RowStore(path, { depth: 3 }, 'test-v1'), /not a readable results file/);
});

test('runner: skips stored jobs, stores nothing of a failed job', async () => {
  const store = new RowStore<{ key: string; v: number }>(join(tmp(), 'rows.json'), {}, 'test-v1');
  const log: string[] = [];
  const runner = new Runner(store, { log: (m) => log.push(m) });
  let calls = 0;
  const job = { label: 'j', keys: ['a', 'b'], run: async () => { calls++; return [{ key: 'a', v: 1 }, { key: 'b', v: 2 }]; } };
  assert.equal((await runner.run(job)).map((r) => r.v), [1, 2]);
  await runner.run(job);
  assert.is(calls, 1);
  assert.is(runner.skipped, 1);
  let failed = false;
  try { await runner.run({ label: 'bad', keys: ['c', 'd'], run: async () => [{ key: 'c', v: 3 }] }); } catch { failed = true; }
  assert.ok(failed && !store.has('c'), 'a job that misses rows stores none');
});

test('report helpers: SVG from a Vega-Lite spec, tidy CSV', async () => {
  const svg = await renderSvg({ data: { values: [{ x: 1, y: 1e-3 }, { x: 2, y: 1 }] }, mark: 'line', encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative', scale: { type: 'log' } } } });
  assert.ok(svg.startsWith('<svg') && svg.includes('</svg>'));
  assert.is(toCsv([{ a: 1, b: 'x,y', c: NaN }], ['a', 'b', 'c']), 'a,b,c\n1,"x,y",NaN\n');
});

test('fig1 end to end on tiny nets: report files, then an interrupted run resumes without recomputing', async () => {
  await crit.init();
  const cfg: Fig1Config = { widths: [8, 16], depth: 40, seeds: 2, grid: [0.7, 0.95, 1.3, 1.8], refine: [0.02], stimulusPerDecade: 1, tol: 1e-3, maxIterations: 30, profileSeeds: 1 };
  const out = tmp();
  const log: string[] = [];
  const s = await runFig1(cfg, { out, log: (m) => log.push(m) });
  for (const f of ['rows.json', 'rows.csv', 'fig1.json', 'index.html']) assert.ok(existsSync(join(out, f)), f);
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.ok((html.match(/<svg/g) ?? []).length >= 5, 'plots inline');
  assert.ok(readFileSync(join(out, 'rows.csv'), 'utf8').startsWith('N,depth,kappa,kappaRel,seed,round,sigma,Sigma,logLambda0,lambda0,Delta'));
  assert.is(s.critical.length, 2);
  for (const c of s.critical) assert.ok(c.kappaC !== null && c.kappaC > 0.7 * c.meanField && c.kappaC < 1.8 * c.meanField, `κ_c(${c.N}) = ${c.kappaC}`);
  const ran = log.filter((m) => m.endsWith(': running')).length;
  // Interrupt: drop the second width's refinement rows, as if the run had been killed there.
  const path = join(out, 'rows.json');
  const stored = JSON.parse(readFileSync(path, 'utf8'));
  stored.rows = stored.rows.filter((r: Fig1Row) => !(r.N === 16 && r.round === 1));
  writeFileSync(path, JSON.stringify(stored));
  const log2: string[] = [];
  const s2 = await runFig1(cfg, { out, log: (m) => log2.push(m) });
  const reran = log2.filter((m) => m.endsWith(': running'));
  assert.is(reran.length, 1, `one job re-ran (of ${ran}): ${reran.join(' | ')}`);
  assert.match(reran[0], /N=16 round 1/);
  // The re-run job starts its power iteration cold (vectors are not stored), so λ0 may differ within the
  // tolerance (1e-3 in log Λ0 over 40 layers: 2.5e-5 in λ0, so in log κ_c).
  s2.critical.forEach((c, i) => {
    assert.ok(Math.abs(c.kappaC! / s.critical[i].kappaC! - 1) < 1e-4, `κ_c(${c.N}) ${c.kappaC} vs ${s.critical[i].kappaC}`);
    assert.ok(Math.abs(c.lastCrossing.kappaC! / s.critical[i].lastCrossing.kappaC! - 1) < 1e-4, `last crossing (${c.N})`);
  });
});

test.run();
