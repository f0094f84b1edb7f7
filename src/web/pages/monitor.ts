// Criticality training monitor: trains the MNIST MLP in the page with CEL or CritL, plotting λ0 and test
// accuracy per epoch as they come; pause/resume between epochs. Training is the library's trainModel
// (src/nn/), one epoch per call so the page can pause, plot and yield in between.
import { $, startEngine, setState, hook, fail, fmtNum, yieldToBrowser } from '../lib/page.js';
import { plot } from '../lib/plot.js';
import { fetchDigits } from '../lib/digits.js';
import { lambda0Mlp, criticalityLoss } from '../../criticality/loss.js';
import { buildModel, SGD, trainModel, exponentialDecay, disposeParams, type EpochMetrics, type Params } from '../../nn/index.js';
import { Tensor, scope } from '../../tensor/tensor.js';
import { noGrad } from '../../autodiff/state.js';
import type { Dataset } from '../../data/dataset.js';
import type { Engine } from '../../index.browser.js';

const params = new URLSearchParams(location.search);
const banner = $('banner');
const input = (id: string) => $<HTMLInputElement | HTMLSelectElement>(id);
/** Test inputs whose mean λ0 is plotted (the same ones every epoch). */
const LAMBDA_PROBES = 64;

interface Row { epoch: number; acc: number; lambda0: number; loss: number; lLambda: number }
let rows: Row[] = [];
let running = false, paused = false;
let resume: (() => void) | null = null;
let stopRequested = false;

function status(text: string, frac?: number): void {
  $('status').textContent = text;
  if (frac !== undefined) $('bar').style.width = `${Math.round(100 * frac)}%`;
}

function draw(critl: boolean, lambdaT: number): void {
  const e = rows.map((r) => r.epoch);
  plot($<HTMLCanvasElement>('lambdaPlot'), {
    title: 'mean λ0 of test inputs', xlabel: 'epoch', ylabel: 'λ0', series: [{ x: e, y: rows.map((r) => r.lambda0), color: '#2b59c3', mode: 'both' }],
    hlines: critl ? [{ at: lambdaT, color: '#c22', label: `λt = ${lambdaT}${lambdaT === 0 ? ' (critical)' : ''}` }, ...(lambdaT !== 0 ? [{ at: 0, color: '#999', dash: [1, 3], label: 'critical' }] : [])]
      : [{ at: 0, color: '#999', dash: [1, 3], label: 'critical (λ0 = 0)' }],
  });
  plot($<HTMLCanvasElement>('accPlot'), { title: 'test accuracy', xlabel: 'epoch', ylabel: 'accuracy', series: [{ x: e, y: rows.map((r) => r.acc), color: '#2a9d5c', mode: 'both' }] });
  const tr = rows.filter((r) => r.epoch > 0);
  plot($<HTMLCanvasElement>('lossPlot'), {
    title: 'training loss per epoch', xlabel: 'epoch', ylabel: 'loss', legend: 'tr',
    series: [
      { x: tr.map((r) => r.epoch), y: tr.map((r) => r.loss), color: '#e07b00', mode: 'both', label: 'train loss' },
      ...(critl ? [{ x: tr.map((r) => r.epoch), y: tr.map((r) => r.lLambda), color: '#b3329a', mode: 'both' as const, label: 'L_λ' }] : []),
    ],
  });
}

/** Draws the first test digits with the model's predictions (green: right, red: wrong). */
async function showDigits(model: ReturnType<typeof buildModel>, p: Params, test: Dataset): Promise<void> {
  const n = Math.min(16, test.length);
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const b = test.batch(idx);
  const logits = scope(() => noGrad(() => model.forward(p, Tensor.from(b.x, [n, test.features]))));
  const l = await logits.readF32();
  logits.dispose();
  const box = $('digits');
  box.innerHTML = '';
  const [h, w] = test.sampleShape;
  for (let i = 0; i < n; i++) {
    const row = l.subarray(i * 10, i * 10 + 10);
    const pred = row.indexOf(Math.max(...row));
    const c = document.createElement('canvas');
    c.width = w; c.height = h;
    c.style.cssText = `width:56px;height:56px;image-rendering:pixelated;border:2px solid ${pred === b.y[i] ? '#2a9d5c' : '#c22'}`;
    const img = c.getContext('2d')!.createImageData(w, h);
    for (let k = 0; k < w * h; k++) { const v = Math.round((1 - (b.x[k + i * w * h] + 1) / 2) * 255); img.data.set([v, v, v, 255], 4 * k); }
    c.getContext('2d')!.putImageData(img, 0, 0);
    const fig = document.createElement('div');
    fig.style.cssText = 'text-align:center;font-size:12px';
    fig.append(c, document.createElement('br'), `${pred}`);
    fig.title = `label ${b.y[i]}, predicted ${pred}`;
    box.append(fig);
  }
}

async function train(eng: Engine, digits: Dataset): Promise<void> {
  running = true; paused = false; stopRequested = false;
  rows = [];
  $<HTMLButtonElement>('start').textContent = 'Stop';
  $<HTMLButtonElement>('pause').disabled = false;
  setState('running');
  const arch = `mlp:${input('arch').value}:scaled-tanh`;
  const critl = input('loss').value === 'critl';
  const alpha = Number(input('alpha').value), lambdaT = Number(input('lambdaT').value);
  const lr = Number(input('lr').value), batch = Math.max(1, Math.floor(Number(input('batch').value)));
  const epochs = Math.max(1, Math.floor(Number(input('epochs').value)));
  const seed = Math.max(0, Math.floor(Number(input('seed').value) || 0));
  const nTrain = Math.min(digits.length - 10, Math.max(10, Math.floor(Number(input('train').value))));
  const nTest = Math.min(digits.length - nTrain, Math.max(10, Math.floor(Number(input('test').value))));
  const [test, rest] = digits.split(nTest, seed);
  const trainSet = rest.slice(0, nTrain);
  const model = buildModel(arch);
  const p = model.init({ scheme: input('init').value, seed });
  const optimizer = new SGD(p, { lr });
  const loss = critl ? criticalityLoss(model, { alpha, lambdaTarget: lambdaT, seed }) : undefined;
  const probes = test.toTensors(Int32Array.from({ length: Math.min(LAMBDA_PROBES, test.length) }, (_, i) => i)).x;
  // The probes' singular vectors, carried from epoch to epoch as warm starts.
  let vectors: Tensor | undefined;
  const t0 = performance.now();
  try {
    const onEpoch = async (m: EpochMetrics) => {
      const r = await lambda0Mlp(model, p, probes, { seed, start: vectors });
      vectors?.dispose();
      vectors = r.vector;
      const meanLam = r.lambda0.reduce((s, v) => s + v, 0) / r.lambda0.length;
      rows.push({ epoch: m.epoch, acc: m.testAccuracy ?? NaN, lambda0: meanLam, loss: m.trainLoss, lLambda: m.extra.L_lambda ?? NaN });
      $('rEpoch').textContent = `${m.epoch} / ${epochs}`;
      $('rAcc').textContent = fmtNum(m.testAccuracy, 4);
      $('rLambda').textContent = fmtNum(meanLam, 4);
      $('rLoss').textContent = fmtNum(m.trainLoss, 4);
      $('rLl').textContent = critl ? fmtNum(m.extra.L_lambda, 4) : '-';
      draw(critl, lambdaT);
      await showDigits(model, p, test);
      hook.results = { arch, loss: critl ? 'CritL' : 'CEL', epochs: rows.slice() };
      status(`epoch ${m.epoch}/${epochs} (${((performance.now() - t0) / 1000).toFixed(1)} s)`, m.epoch / epochs);
      if (m.epoch >= 1) setState('ready');
      await yieldToBrowser();
    };
    for (let e = 0; e < epochs && !stopRequested; e++) {
      if (paused) {
        status(`paused after epoch ${e}`);
        await new Promise<void>((r) => { resume = r; });
        if (stopRequested) break;
      }
      status(`training epoch ${e + 1}/${epochs}…`, e / epochs);
      await trainModel({
        model, params: p, optimizer, data: trainSet, test, epochs: 1, startEpoch: e, batchSize: batch, seed,
        schedule: exponentialDecay(lr, 0.997), loss, evalAtStart: e === 0, onEpoch,
      });
    }
    status(`${stopRequested ? 'stopped' : 'done'} after ${rows.length ? rows[rows.length - 1].epoch : 0} epochs in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${eng.adapter.kind}`, 1);
    setState('ready');
  } catch (e) {
    fail(banner, e);
  } finally {
    probes.dispose();
    vectors?.dispose();
    disposeParams(p);
    running = false;
    $<HTMLButtonElement>('start').textContent = 'Start';
    $<HTMLButtonElement>('pause').disabled = true;
    $<HTMLButtonElement>('pause').textContent = 'Pause';
  }
}

async function main(): Promise<void> {
  const eng = await startEngine(banner);
  if (!eng) return;
  // On a CPU emulation the paper's network is far too slow for a demo: start small.
  if (eng.adapter.kind === 'gpu') input('arch').value = '784-1000-500-10';
  // Query parameters set the controls (tests use a small, short run).
  for (const id of ['arch', 'init', 'loss', 'alpha', 'lambdaT', 'lr', 'batch', 'train', 'test', 'epochs', 'seed']) {
    const v = params.get(id);
    if (v === null) continue;
    const el = input(id);
    if (el instanceof HTMLSelectElement && !Array.from(el.options).some((o) => o.value === v)) el.add(new Option(v, v));
    el.value = v;
  }
  status('loading the embedded digits…');
  const digits = await fetchDigits();
  status(`${digits.length} digits loaded`);
  $<HTMLButtonElement>('start').disabled = false;
  $('start').addEventListener('click', () => {
    if (running) { stopRequested = true; paused = false; resume?.(); status('stopping after this epoch…'); return; }
    train(eng, digits);
  });
  $('pause').addEventListener('click', () => {
    if (!running) return;
    if (paused) { paused = false; $('pause').textContent = 'Pause'; resume?.(); resume = null; }
    else { paused = true; $('pause').textContent = 'Resume'; status('pausing after this epoch…'); }
  });
  draw(false, 0);
  // Training starts on the visitor's click (or ?autorun=1).
  if (params.get('autorun') === '1') await train(eng, digits);
  else setState('ready');
}

main().catch((e) => fail(banner, e));
