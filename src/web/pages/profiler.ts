// Kernel profiler page: runs the kernel suite (src/web/kernel-suite.ts, the same as `crit profile kernels`)
// on the visitor's device and shows per-item and per-kernel tables and a roofline against the measured peak.
import { $, startEngine, setState, hook, fail, fmtNum, escapeHtml, yieldToBrowser } from '../lib/page.js';
import { plot, type Series } from '../lib/plot.js';
import { runKernelSuite, type SuiteResult, type SuiteSize, type SuiteRow } from '../kernel-suite.js';
import { summarize, toTraceEvents } from '../../gpu/profile-report.js';
import type { Engine } from '../../index.browser.js';

const params = new URLSearchParams(location.search);
const banner = $('banner');
const GROUP_COLORS: Record<SuiteRow['group'], string> = { peak: '#888', matmul: '#2b59c3', elementwise: '#e07b00', reduction: '#2a9d5c', autodiff: '#b3329a' };
let last: SuiteResult | null = null;

function roofline(res: SuiteResult): void {
  const ai = [1 / 64, 1024];
  const curveX: number[] = [], curveY: number[] = [];
  for (let e = Math.log2(ai[0]); e <= Math.log2(ai[1]); e += 0.125) { const x = 2 ** e; curveX.push(x); curveY.push(Math.min(res.peakGflops, x * res.peakGbps)); }
  const series: Series[] = [{ x: curveX, y: curveY, color: '#222', label: 'roofline (measured)' }];
  for (const g of Object.keys(GROUP_COLORS) as SuiteRow['group'][]) {
    const rows = res.rows.filter((r) => r.group === g && r.intensity && r.gflops);
    if (rows.length) series.push({ x: rows.map((r) => r.intensity!), y: rows.map((r) => r.gflops!), color: GROUP_COLORS[g], mode: 'points', label: g });
  }
  const ys = [...curveY, ...res.rows.map((r) => r.gflops ?? NaN)].filter((v) => v > 0);
  plot($<HTMLCanvasElement>('roofline'), {
    series, xlog: true, ylog: true, xrange: [ai[0], ai[1]], yrange: [Math.min(...ys) / 2, Math.max(...ys) * 2],
    xlabel: 'arithmetic intensity (declared flop / declared byte)', ylabel: 'GFLOP/s', title: `roofline: ${res.adapter} (${res.adapterKind})`,
    vlines: [{ at: res.peakGflops / res.peakGbps, color: '#999', label: 'ridge' }],
  });
}

function render(res: SuiteResult): void {
  const bound = (r: SuiteRow) => (r.intensity ? Math.min(res.peakGflops, r.intensity * res.peakGbps) : null);
  $('peakF').textContent = `${fmtNum(res.peakGflops, 3)} GFLOP/s`;
  $('peakB').textContent = `${fmtNum(res.peakGbps, 3)} GB/s`;
  $('ridge').textContent = `${fmtNum(res.peakGflops / res.peakGbps, 3)} flop/byte`;
  $('items').querySelector('tbody')!.innerHTML = res.rows.map((r) => {
    const b = bound(r);
    return `<tr><td><span style="color:${GROUP_COLORS[r.group]}">■</span> ${escapeHtml(r.name)}</td><td class="small wrap">${escapeHtml(Object.entries(r.kernels).map(([k, n]) => (n === 1 ? k : `${k} ×${n}`)).join(', '))}</td>` +
      `<td>${(r.meanNs / 1e6).toFixed(3)}</td><td>${fmtNum(r.gflops, 3)}</td><td>${fmtNum(r.gbps, 3)}</td><td>${fmtNum(r.intensity, 3)}</td><td>${b && r.gflops ? `${(100 * r.gflops / b).toFixed(0)}%` : '-'}</td></tr>`;
  }).join('');
  const s = summarize(res.events);
  $('kernels').querySelector('tbody')!.innerHTML = s.rows.map((r) => `<tr data-kernel="${escapeHtml(r.label)}"><td>${escapeHtml(r.label)}</td><td>${r.calls}</td><td>${(r.totalNs / 1e6).toFixed(3)}</td><td>${(r.meanNs / 1e3).toFixed(1)}</td><td>${(100 * r.share).toFixed(1)}%</td><td>${fmtNum(r.gflops, 3)}</td><td>${fmtNum(r.gbps, 3)}</td></tr>`).join('');
  roofline(res);
}

async function run(eng: Engine): Promise<void> {
  const size = $<HTMLSelectElement>('size').value as SuiteSize;
  const repeats = Math.max(1, Math.min(50, Number($<HTMLInputElement>('repeats').value) || 3));
  $<HTMLButtonElement>('run').disabled = true;
  setState('running');
  const t0 = performance.now();
  try {
    const res = await runKernelSuite(eng, {
      size, repeats,
      filter: params.get('filter')?.split(','),
      onItem: async (row, done, total) => {
        $('bar').style.width = `${(100 * done) / total}%`;
        $('status').textContent = `${done}/${total}: ${row.name}`;
        await yieldToBrowser();
      },
    });
    last = res;
    render(res);
    $('status').textContent = `done: ${res.rows.length} items, ${res.events.length} timed dispatches in ${((performance.now() - t0) / 1000).toFixed(1)} s`;
    hook.results = { peakGflops: res.peakGflops, peakGbps: res.peakGbps, rows: res.rows, kernels: summarize(res.events).rows.map((r) => r.label) };
    $<HTMLButtonElement>('trace').disabled = false;
    setState('ready');
  } catch (e) {
    fail(banner, e);
  } finally {
    $<HTMLButtonElement>('run').disabled = false;
  }
}

function downloadTrace(): void {
  if (!last) return;
  const trace = toTraceEvents(last.events.map((e) => ({ ...e, label: `${e.label} [${e.item}]` })), { processName: `crit kernels on ${last.adapter}`, otherData: { size: last.size } });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([JSON.stringify(trace)], { type: 'application/json' }));
  a.download = 'crit-kernels-trace.json';
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

async function main(): Promise<void> {
  const eng = await startEngine(banner);
  if (!eng) return;
  if (!eng.hasTimestamps) {
    banner.className = 'banner error';
    banner.textContent += '. This adapter cannot time kernels (no timestamp-query): the profiler needs it.';
    setState('error', 'no timestamp-query');
    return;
  }
  // A CPU emulation (SwiftShader) is 20-40x slower than a CPU driver: start with a suite that fits.
  const size = params.get('size') ?? (eng.adapter.kind === 'swiftshader' ? 'tiny' : eng.adapter.kind === 'gpu' ? 'full' : 'small');
  $<HTMLSelectElement>('size').value = size;
  if (params.get('repeats')) $<HTMLInputElement>('repeats').value = params.get('repeats')!;
  $<HTMLButtonElement>('run').disabled = false;
  $('run').addEventListener('click', () => run(eng));
  $('trace').addEventListener('click', downloadTrace);
  await yieldToBrowser();
  if (params.get('autorun') !== '0') await run(eng);
}

main().catch((e) => fail(banner, e));
