// Phase transition explorer: κ, N, L and seed controls; activity through the layers, σ, Σ, λ0, Δ; λ0 versus κ
// as the visitor sweeps, with the mean-field κ_c marked. The numbers come from src/web/lib/fig1.ts, the
// same code the e2e test runs in Node to check that the page's λ0 for a seed equals Node's.
import { $, startEngine, setState, hook, fail, fmtNum, yieldToBrowser } from '../lib/page.js';
import { plot, heatmap } from '../lib/plot.js';
import { measureNet, lambdaSweep, neuronActivations, meanFieldKappa, type Fig1Net } from '../lib/fig1.js';
import type { Engine } from '../../index.browser.js';

const params = new URLSearchParams(location.search);
const banner = $('banner');
const sel = (id: string) => $<HTMLSelectElement | HTMLInputElement>(id);

/** λ0 points per (N, L, seed): the curve the visitor draws by moving κ. */
let curve = new Map<number, number>();
let curveKey = '';
let sweepCurve: { kappa: number; lambda0: number }[] = [];
/** Each change of the controls starts a new generation; older runs stop at their next chunk. */
let generation = 0;

function config(): Fig1Net {
  const width = Number(sel('N').value), depth = Number(sel('L').value);
  const kc = meanFieldKappa(width);
  return { width, depth, kappa: Number(sel('kappa').value) * kc, seed: Math.max(0, Math.floor(Number(sel('seed').value) || 0)) >>> 0 };
}

function status(text: string, frac?: number): void {
  $('status').textContent = text;
  if (frac !== undefined) $('bar').style.width = `${Math.round(100 * frac)}%`;
}

function drawLambda(net: Fig1Net): void {
  const kc = meanFieldKappa(net.width);
  const pts = [...curve].sort((a, b) => a[0] - b[0]);
  plot($<HTMLCanvasElement>('lambdaPlot'), {
    title: `λ0 versus κ (N = ${net.width}, L = ${net.depth}, seed ${net.seed})`, xlabel: 'κ', ylabel: 'λ0',
    series: [
      ...(sweepCurve.length ? [{ x: sweepCurve.map((p) => p.kappa), y: sweepCurve.map((p) => p.lambda0), color: '#2b59c3', label: 'sweep', mode: 'both' as const }] : []),
      { x: pts.map((p) => p[0]), y: pts.map((p) => p[1]), color: '#e07b00', label: 'your κ values', mode: 'points' },
    ],
    xrange: [0.25 * kc, 3 * kc], legend: 'br',
    vlines: [{ at: kc, color: '#c22', label: 'mean-field κc' }, { at: net.kappa, color: '#888', dash: [2, 3] }],
    hlines: [{ at: 0, color: '#999', dash: [1, 3] }],
  });
}

function drawActivity(net: Fig1Net, activity: Float64Array): void {
  plot($<HTMLCanvasElement>('activityPlot'), {
    title: 'mean |x| through the layers', xlabel: 'layer', ylabel: 'activity', ylog: true,
    series: [{ x: Array.from(activity, (_, l) => l), y: activity, color: '#2a9d5c' }],
  });
}

async function compute(eng: Engine): Promise<void> {
  const gen = ++generation;
  const net = config();
  const kc = meanFieldKappa(net.width);
  const key = `${net.width}/${net.depth}/${net.seed}`;
  if (key !== curveKey) { curve = new Map(); sweepCurve = []; curveKey = key; }
  $('kappaText').textContent = `= ${fmtNum(net.kappa, 4)}`;
  $('rKappa').textContent = fmtNum(net.kappa / kc, 3);
  $('rKc').textContent = fmtNum(kc, 4);
  const stale = () => gen !== generation;
  const t0 = performance.now();
  setState('running');
  try {
    status('forward pass, power iteration and stimulus response…', 0.05);
    let passes = 0;
    const m = await measureNet(net, () => { passes++; status(`power iteration ${passes}…`, Math.min(0.7, 0.05 + passes * 0.06)); });
    if (stale()) return;
    $('rSigma').textContent = fmtNum(m.sigma, 4);
    $('rSig2').textContent = fmtNum(m.Sigma, 4);
    $('rAct').textContent = fmtNum(m.aOut, 4);
    drawActivity(net, m.activity);
    $('rLambda').textContent = fmtNum(m.lambda0, 5);
    $('rLog').textContent = fmtNum(m.logLambda0, 5);
    $('rIter').textContent = `${m.iterations}${m.converged ? '' : ' (not converged)'}`;
    curve.set(net.kappa, m.lambda0);
    drawLambda(net);
    $('rDelta').textContent = Number.isFinite(m.Delta) ? `${fmtNum(m.Delta, 4)} dB` : '- (flat response)';
    plot($<HTMLCanvasElement>('responsePlot'), {
      title: `stimulus response, Δ = ${Number.isFinite(m.Delta) ? m.Delta.toFixed(2) : '-'} dB`, xlabel: 'stimulus s', ylabel: 'output activity', xlog: true,
      series: [{ x: m.stimulus, y: m.response, color: '#b3329a', mode: 'both' }],
      vlines: Number.isFinite(m.Delta) ? [{ at: m.s10, color: '#999', label: 's0.1' }, { at: m.s90, color: '#999', label: 's0.9' }] : [],
    });
    hook.results = {
      ...net, kappaOverKc: net.kappa / kc, sigma: m.sigma, Sigma: m.Sigma, lambda0: m.lambda0, logLambda0: m.logLambda0,
      iterations: m.iterations, converged: m.converged, Delta: m.Delta,
    };
    await yieldToBrowser();
    status('activations across layers…', 0.8);
    const heat = await neuronActivations(net, async (done) => { status(`activations across layers (${done}/${net.depth})…`, 0.8 + 0.2 * done / net.depth); await yieldToBrowser(); return !stale(); });
    if (stale()) return;
    heatmap($<HTMLCanvasElement>('heat'), heat, net.depth + 1, net.width, {
      logRange: [1e-6, 2], title: `|x| of each neuron across layers (κ = ${fmtNum(net.kappa, 4)}, ${fmtNum(net.kappa / kc, 3)} κc)`,
      xlabel: `neuron (N = ${net.width})`, ylabel: 'layer', rowLabels: ['0', String(net.depth)],
    });
    status(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${eng.adapter.kind}`, 1);
    setState('ready');
  } catch (e) {
    if (!stale()) fail(banner, e);
  }
}

async function sweep(): Promise<void> {
  const gen = ++generation;
  const net = config();
  const kc = meanFieldKappa(net.width);
  const kappas = Array.from({ length: 12 }, (_, i) => kc * (0.4 + (i * 1.6) / 11));
  setState('running');
  status(`λ0 for ${kappas.length} values of κ in one batch…`, 0.1);
  try {
    let passes = 0;
    const res = await lambdaSweep(net, kappas, () => { passes++; status(`sweep: power iteration ${passes}…`, Math.min(0.95, 0.1 + passes * 0.06)); });
    if (gen !== generation) return;
    sweepCurve = res.map((r) => ({ kappa: r.kappa, lambda0: r.lambda0 }));
    // Where the curve crosses zero: this network's κ_c, next to the mean-field value.
    const i = sweepCurve.findIndex((p, k) => k > 0 && sweepCurve[k - 1].lambda0 < 0 && p.lambda0 >= 0);
    const cross = i > 0 ? sweepCurve[i - 1].kappa + (0 - sweepCurve[i - 1].lambda0) * (sweepCurve[i].kappa - sweepCurve[i - 1].kappa) / (sweepCurve[i].lambda0 - sweepCurve[i - 1].lambda0) : NaN;
    drawLambda(net);
    status(`sweep done: λ0 crosses 0 at κ ≈ ${fmtNum(cross, 4)} (${fmtNum(cross / kc, 4)} of the mean-field κc)`, 1);
    hook.results.sweep = sweepCurve;
    hook.results.kappaCrossing = cross;
    setState('ready');
  } catch (e) {
    fail(banner, e);
  }
}

async function main(): Promise<void> {
  const eng = await startEngine(banner);
  if (!eng) return;
  // Query parameters set the controls (and let tests pick a small network): N, L, k (= κ/κc), seed.
  for (const [p, id] of [['N', 'N'], ['L', 'L'], ['k', 'kappa'], ['seed', 'seed']] as const) {
    const v = params.get(p);
    if (v === null) continue;
    const el = sel(id);
    if (el instanceof HTMLSelectElement && !Array.from(el.options).some((o) => o.value === v)) el.add(new Option(v, v));
    el.value = v;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const later = () => { clearTimeout(timer); timer = setTimeout(() => compute(eng), 250); };
  for (const id of ['N', 'L', 'seed']) sel(id).addEventListener('change', later);
  sel('kappa').addEventListener('input', () => { $('kappaText').textContent = `= ${fmtNum(config().kappa, 4)}`; later(); });
  $('sweep').addEventListener('click', () => sweep());
  $('clear').addEventListener('click', () => { curve = new Map(); sweepCurve = []; drawLambda(config()); });
  drawLambda(config());
  await compute(eng);
}

main().catch((e) => fail(banner, e));
