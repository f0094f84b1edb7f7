// Issue 6, e2e: every demo page loads in headless Chromium without console errors and computes its first
// result; the explorer's λ0 for a seeded network equals Node's; the profiler's table lists the kernels it
// ran. A screenshot of each page goes to test-artifacts/. Sizes are small: Chromium's WebGPU here is
// SwiftShader, 20-40x slower than lavapipe.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';
import { lambdaSweep } from '../../src/web/lib/fig1.js';
import { readFileSync } from 'node:fs';
import { embeddedDigitsBinary, DIGITS_PATH } from '../../src/web/digits.js';
import { startSession, chromiumAvailable, screenshotPath, CHROMIUM, type Session } from './chromium.js';
import type { Page } from 'playwright-core';

// λ0 = (sum of L per-layer log-norms)/L in f32 on two adapters (SwiftShader vs lavapipe), both iterated
// to convergence: measured differences 2e-9 to 1.2e-8 (docs/web.md). 1e-5 still catches a different
// network, start vector or iteration count, which move λ0 by 1e-3 or more.
const LAMBDA_TOL = 1e-5;

let session: Session;
interface Hook { state: string; error?: string; results: Record<string, any> }

async function open(path: string, done: string, timeoutMs: number): Promise<{ page: Page; errors: string[]; hook: Hook }> {
  const { page, errors } = await session.page();
  await page.goto(`${session.url}${path}`);
  // Wait for the page's own condition, or for it to give up (error / no WebGPU) so the test says why.
  await page.waitForFunction((cond) => {
    const h = (window as unknown as { __crit?: Hook }).__crit;
    return !!h && (h.state === 'error' || h.state === 'no-webgpu' || (h.state === 'ready' && (new Function('h', `return ${cond}`) as (h: Hook) => boolean)(h)));
  }, done, { timeout: timeoutMs });
  const hook = await page.evaluate(() => (window as unknown as { __crit: Hook }).__crit);
  return { page, errors, hook };
}

function ok(name: string, r: { errors: string[]; hook: Hook }): void {
  assert.ok(r.hook.state === 'ready', `${name}: page state ${r.hook.state}${r.hook.error ? `: ${r.hook.error}` : ''}`);
  assert.equal(r.errors, [], `${name}: console errors`);
}

test.before(async () => {
  assert.ok(chromiumAvailable(), `Chromium not found at ${CHROMIUM}`);
  await crit.init();
  session = await startSession({ [DIGITS_PATH]: { load: embeddedDigitsBinary } });
});
test.after(async () => { await session?.close(); crit.shutdown(); });

test('index page finds WebGPU', async () => {
  const r = await open('/', 'true', 30_000);
  ok('index', r);
  assert.match(await r.page.textContent('#banner') ?? '', /WebGPU device/);
  await r.page.screenshot({ path: screenshotPath('index.png'), fullPage: true });
});

test('explorer: λ0 of a seeded network equals Node\'s', async () => {
  const r = await open('/web/explorer.html?N=32&L=40&k=1.1&seed=7', 'h.results.Delta !== undefined', 90_000);
  ok('explorer', r);
  const res = r.hook.results;
  assert.equal([res.width, res.depth, res.seed], [32, 40, 7]);
  assert.ok(res.converged, 'power iteration did not converge in the page');
  const [node] = await lambdaSweep({ width: 32, depth: 40, seed: 7 }, [res.kappa]);
  console.log(`explorer λ0: browser ${res.lambda0} (${res.iterations} it), node ${node.lambda0} (${node.iterations} it), |Δ| ${Math.abs(res.lambda0 - node.lambda0).toExponential(2)}; σ ${res.sigma}, Δ ${res.Delta} dB`);
  assert.ok(Math.abs(res.lambda0 - node.lambda0) <= LAMBDA_TOL, `λ0 browser ${res.lambda0} vs node ${node.lambda0}`);
  assert.ok(Number.isFinite(res.sigma) && Number.isFinite(res.Delta));
  await r.page.screenshot({ path: screenshotPath('explorer.png'), fullPage: true });
});

test('profiler: the table lists the kernels it ran', async () => {
  const r = await open('/web/profiler.html?size=tiny&repeats=1', 'h.results.rows !== undefined', 90_000);
  ok('profiler', r);
  const listed = await r.page.$$eval('#kernels tbody tr', (trs) => trs.map((t) => (t as HTMLElement).dataset.kernel));
  assert.equal(listed.slice().sort(), [...r.hook.results.kernels].sort(), 'table rows differ from the kernels timed');
  for (const k of ['peak_fma', 'peak_copy', 'matmul_register', 'add', 'mul', 'exp', 'scaled_tanh', 'reduce_sum', 'reduce_max', 'softmax']) {
    assert.ok(listed.includes(k), `kernel ${k} missing from the table: ${listed.join(', ')}`);
  }
  assert.ok(r.hook.results.peakGflops > 0 && r.hook.results.peakGbps > 0, 'no measured peak');
  const items = await r.page.$$eval('#items tbody tr', (trs) => trs.length);
  assert.equal(items, r.hook.results.rows.length);
  await r.page.screenshot({ path: screenshotPath('profiler.png'), fullPage: true });
});

test('monitor: trains an epoch with CritL and reports λ0 and accuracy', async () => {
  const r = await open('/web/monitor.html?autorun=1&arch=784-24-10&train=192&test=96&epochs=1&batch=32&loss=critl&alpha=1&lr=0.05', 'h.results.epochs?.length >= 2', 90_000);
  ok('monitor', r);
  const epochs = r.hook.results.epochs as { epoch: number; acc: number; lambda0: number; loss: number; lLambda: number }[];
  assert.equal(epochs.map((e) => e.epoch), [0, 1]);
  for (const e of epochs) assert.ok(Number.isFinite(e.acc) && Number.isFinite(e.lambda0), `epoch ${e.epoch}: ${JSON.stringify(e)}`);
  assert.ok(Number.isFinite(epochs[1].loss) && Number.isFinite(epochs[1].lLambda), 'no training loss or L_λ for epoch 1');
  assert.equal(await r.page.$$eval('#digits canvas', (c) => c.length), 16);
  await r.page.screenshot({ path: screenshotPath('monitor.png'), fullPage: true });
});

test('the embedding example of docs/web.md runs and its λ0 equals Node\'s', async () => {
  // The page is the snippet in the docs, byte for byte.
  const page = readFileSync('src/web/pages/embed.html', 'utf8');
  assert.ok(readFileSync('docs/web.md', 'utf8').includes(page.trim()), 'docs/web.md does not contain src/web/pages/embed.html');
  const { page: p, errors } = await session.page();
  await p.goto(`${session.url}/web/embed.html`);
  await p.waitForFunction(() => !/computing/.test(document.getElementById('out')!.textContent!), undefined, { timeout: 90_000 });
  const text = (await p.textContent('#out'))!;
  assert.equal(errors, [], 'console errors');
  const m = /λ0 = (-?\d+\.\d+)/.exec(text);
  assert.ok(m, `no λ0 on the page: ${text}`);
  const [node] = await lambdaSweep({ width: 100, depth: 100, seed: 1 }, [crit.meanFieldKappa(100)]);
  console.log(`embed: ${text}; node λ0 ${node.lambda0}`);
  assert.ok(Math.abs(Number(m![1]) - node.lambda0) <= LAMBDA_TOL + 5e-7, `λ0 page ${m![1]} vs node ${node.lambda0}`);
  await p.screenshot({ path: screenshotPath('embed.png') });
});

test.run();
