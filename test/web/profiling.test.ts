// The profiler: per-kernel table from timestamp queries, the Chrome trace-event export, withProfiling
// around real work (and a command that destroys the device), and the `crit profile` / `crit serve` CLIs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as crit from '../../src/index.node.js';
import { summarize, formatTable, toTraceEvents } from '../../src/gpu/profile-report.js';
import { withProfiling, ProfileSession } from '../../src/cli/profiling.js';
import type { ProfileEvent } from '../../src/gpu/profiler.js';

const cli = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node', 'cli.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'crit-prof-'));

test('summarize: calls, totals, shares and rates from declared work', () => {
  const ev: ProfileEvent[] = [
    { label: 'mm', startNs: 1000, endNs: 3000, flops: 4000, bytes: 100, submit: 0 },
    { label: 'mm', startNs: 3000, endNs: 5000, flops: 4000, bytes: 100, submit: 0 },
    { label: 'ew', startNs: 6000, endNs: 7000, bytes: 5000, submit: 1 },
    { label: 'none', startNs: 7000, endNs: 8000, submit: 1 },
  ];
  const s = summarize(ev);
  assert.equal(s.rows.map((r) => r.label), ['mm', 'ew', 'none']);
  const [mm, ew, none] = s.rows;
  assert.equal([mm.calls, mm.totalNs, mm.meanNs, mm.share], [2, 4000, 2000, 4000 / 6000]);
  assert.equal(mm.gflops, 2); // 8000 flop in 4000 ns
  assert.equal(mm.gbps, 0.05);
  assert.equal([ew.gflops, ew.gbps], [null, 5]);
  assert.equal([none.gflops, none.gbps], [null, null]);
  assert.equal([s.kernelNs, s.spanNs, s.dispatches], [6000, 7000, 4]);
  const table = formatTable(s, { wallMs: 0.012 });
  assert.match(table, /^kernel\s+calls\s+total ms\s+mean us\s+share\s+GFLOP\/s\s+GB\/s/);
  assert.match(table, /mm\s+2\s+0\.004\s+2\.0\s+66\.7%\s+2\.00\s+0\.050/);
  assert.match(table, /4 dispatches, 0\.006 ms of kernel time in 0 ms wall \(GPU busy 50%\)/);
});

test('trace events: valid Chrome trace JSON, one complete event per dispatch', () => {
  const ev: ProfileEvent[] = [{ label: 'a', startNs: 5e9, endNs: 5e9 + 1500, flops: 3000, submit: 0 }, { label: 'b', startNs: 5e9 + 2000, endNs: 5e9 + 2500, submit: 1 }];
  const t = JSON.parse(JSON.stringify(toTraceEvents(ev, { processName: 'p', otherData: { k: 1 } }))) as { traceEvents: any[]; displayTimeUnit: string; otherData: any };
  const x = t.traceEvents.filter((e) => e.ph === 'X');
  assert.equal(x.map((e) => [e.name, e.ts, e.dur, e.pid, e.tid]), [['a', 0, 1.5, 1, 1], ['b', 2, 0.5, 1, 1]]);
  assert.equal(x[0].args, { submit: 0, flops: 3000, gflops: 2 });
  assert.equal(t.traceEvents.filter((e) => e.ph === 'M').map((e) => e.name), ['process_name', 'thread_name']);
  assert.equal([t.displayTimeUnit, t.otherData.k, t.otherData.generator], ['ms', 1, 'crit']);
});

test('withProfiling times every dispatch of real work and writes the trace', async () => {
  const eng = await crit.init();
  if (!eng.hasTimestamps) { console.log('adapter without timestamp-query: skipped'); return; }
  const out = join(tmp, 'run.json');
  const before = eng.dispatchCount;
  const logged: string[] = [];
  const err = console.error;
  console.error = (...a: unknown[]) => { logged.push(a.join(' ')); };
  try {
    await withProfiling(eng, { profile: true, 'profile-out': out }, async () => {
      const a = crit.uniform([70, 90], -1, 1, { seed: 1 }), b = crit.uniform([90, 50], -1, 1, { seed: 2 });
      for (let i = 0; i < 3; i++) crit.add(crit.matmul(a, b), crit.ones([70, 50]));
      await crit.sum(a).item();
    });
  } finally { console.error = err; }
  const dispatches = eng.dispatchCount - before;
  const text = logged.join('\n');
  assert.match(text, /matmul_register\s+3\s/);
  assert.match(text, /add\s+3\s/);
  assert.match(text, new RegExp(`${dispatches} dispatches`));
  const trace = JSON.parse(readFileSync(out, 'utf8')) as { traceEvents: { ph: string; name: string; ts: number; dur: number }[] };
  const x = trace.traceEvents.filter((e) => e.ph === 'X');
  assert.equal(x.length, dispatches, 'one trace event per dispatch');
  for (let i = 1; i < x.length; i++) assert.ok(x[i].ts >= x[i - 1].ts, 'events out of order');
  assert.ok(x.every((e) => e.dur >= 0 && Number.isFinite(e.ts)));
  assert.equal(eng.profiler, null, 'profiler left attached');
});

test('a command that destroys the device is still profiled', async () => {
  const eng = crit.engine();
  if (!eng.hasTimestamps) return;
  const s = new ProfileSession(eng, { profile: true });
  crit.matmul(crit.ones([8, 8]), crit.ones([8, 8]));
  eng.destroy(); // deferred until finish()
  const r = await s.finish();
  assert.equal(r.events, 3); // two fills and the matmul
  assert.match(r.table, /matmul_register\s+1\s/);
  crit.shutdown();
});

test('crit profile kernels --json', () => {
  const out = execFileSync(process.execPath, [cli, 'profile', 'kernels', '--size', 'tiny', '--repeats', '1', '--filter', 'matmul 64', '--filter', 'add', '--json'], { encoding: 'utf8', env: { ...process.env, NODEVICE_SELECT: '1' } });
  const r = JSON.parse(out) as { rows: { name: string; kernels: Record<string, number>; gflops: number | null; rooflineGflops: number | null }[]; peakGflops: number };
  assert.equal(r.rows.map((x) => x.name), ['matmul 64x64 · 64x64', 'add (16K)']);
  assert.equal(r.rows[0].kernels, { matmul_register: 1 });
  assert.ok(r.rows[0].gflops! > 0 && r.rows[0].gflops! <= r.peakGflops);
});

test('crit profile <command> runs it and writes a trace even when it destroys the device', () => {
  const file = join(tmp, 'info.json');
  execFileSync(process.execPath, [cli, 'profile', '--profile-out', file, 'info', '--json'], { encoding: 'utf8', env: { ...process.env, NODEVICE_SELECT: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  assert.ok(existsSync(file));
  const t = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(t.otherData.command, 'crit info --json');
  let msg = '';
  try { execFileSync(process.execPath, [cli, 'profile', 'nosuch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); } catch (e) { msg = String((e as { stderr: string }).stderr); }
  assert.match(msg, /unknown command 'nosuch'/);
});

test('crit serve: pages, library, digits; nothing outside the build folder', async () => {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((ok, fail) => {
      let buf = '';
      child.stdout.on('data', (d) => { buf += d; const m = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(buf); if (m) ok(m[1]); });
      child.on('exit', (c) => fail(new Error(`crit serve exited ${c}`)));
      setTimeout(() => fail(new Error('crit serve did not start')), 10_000);
    });
    const get = (p: string) => fetch(url + p, { redirect: 'manual' });
    assert.equal((await get('/')).headers.get('location'), '/web/index.html');
    for (const p of ['/web/index.html', '/web/explorer.html', '/web/monitor.html', '/web/profiler.html', '/web/explorer.js', '/web/style.css']) {
      assert.equal((await get(p)).status, 200, p);
    }
    assert.match((await get('/web/explorer.js')).headers.get('content-type') ?? '', /javascript/);
    const digits = new Uint8Array(await (await get('/data/mnist-digits.bin')).arrayBuffer());
    assert.equal(String.fromCharCode(...digits.subarray(0, 4)), 'CRD1');
    assert.equal(new DataView(digits.buffer).getUint32(4, true), 10000);
    assert.equal((await get('/web/nothing.html')).status, 404);
    assert.ok([403, 404].includes((await get('/%2e%2e/package.json')).status), 'path traversal');
  } finally {
    child.kill('SIGTERM');
  }
});

test.run();
