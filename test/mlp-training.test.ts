// A 20-16-3 MLP (scaled tanh, cross-entropy, plain SGD) trained for 5 steps on the GPU matches a CPU f64
// implementation step by step; and a training loop run inside scope() does not grow the buffer pool.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../src/index.node.js';
import type { Tensor } from '../src/index.node.js';

const [NIN, NH, NOUT, BATCH, STEPS, LR] = [20, 16, 3, 8, 5, 0.5];
const A = 1.7159, B = 0.6666;

test.before(async () => { await crit.init(); });

interface Net<T> { w1: T; b1: T; w2: T; b2: T }
const names = ['w1', 'b1', 'w2', 'b2'] as const;
const shapes: Net<number[]> = { w1: [NIN, NH], b1: [NH], w2: [NH, NOUT], b2: [NOUT] };
// Weights from the seeded RNG: the GPU draws them, the CPU twin gives the same bits.
const init: Net<[number, number]> = { w1: [Math.sqrt(6 / (NIN + NH)), 1], b1: [0.1, 2], w2: [Math.sqrt(6 / (NH + NOUT)), 3], b2: [0.1, 4] };
const x = crit.uniformHost(BATCH * NIN, -1, 1, { seed: 11 });
const labels = Array.from({ length: BATCH }, (_, i) => (i * 7 + 1) % NOUT);

// ---- CPU f64 reference: forward and hand-written backward ----
function cpuStep(p: Net<Float64Array>): { loss: number; grads: Net<Float64Array> } {
  const z1 = new Float64Array(BATCH * NH), h = new Float64Array(BATCH * NH), z2 = new Float64Array(BATCH * NOUT);
  for (let b = 0; b < BATCH; b++) for (let j = 0; j < NH; j++) {
    let s = p.b1[j];
    for (let i = 0; i < NIN; i++) s += x[b * NIN + i] * p.w1[i * NH + j];
    z1[b * NH + j] = s; h[b * NH + j] = A * Math.tanh(B * s);
  }
  for (let b = 0; b < BATCH; b++) for (let k = 0; k < NOUT; k++) {
    let s = p.b2[k];
    for (let j = 0; j < NH; j++) s += h[b * NH + j] * p.w2[j * NOUT + k];
    z2[b * NOUT + k] = s;
  }
  let loss = 0;
  const dz2 = new Float64Array(BATCH * NOUT);
  for (let b = 0; b < BATCH; b++) {
    const row = z2.subarray(b * NOUT, (b + 1) * NOUT);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    loss += (lse - row[labels[b]]) / BATCH;
    for (let k = 0; k < NOUT; k++) dz2[b * NOUT + k] = (Math.exp(row[k] - lse) - (k === labels[b] ? 1 : 0)) / BATCH;
  }
  const g: Net<Float64Array> = { w1: new Float64Array(NIN * NH), b1: new Float64Array(NH), w2: new Float64Array(NH * NOUT), b2: new Float64Array(NOUT) };
  const dz1 = new Float64Array(BATCH * NH);
  for (let b = 0; b < BATCH; b++) {
    for (let k = 0; k < NOUT; k++) { g.b2[k] += dz2[b * NOUT + k]; for (let j = 0; j < NH; j++) g.w2[j * NOUT + k] += h[b * NH + j] * dz2[b * NOUT + k]; }
    for (let j = 0; j < NH; j++) {
      let dh = 0;
      for (let k = 0; k < NOUT; k++) dh += dz2[b * NOUT + k] * p.w2[j * NOUT + k];
      const t = Math.tanh(B * z1[b * NH + j]);
      dz1[b * NH + j] = dh * A * B * (1 - t * t);
    }
    for (let j = 0; j < NH; j++) { g.b1[j] += dz1[b * NH + j]; for (let i = 0; i < NIN; i++) g.w1[i * NH + j] += x[b * NIN + i] * dz1[b * NH + j]; }
  }
  return { loss, grads: g };
}

// ---- GPU: the library's ops and reverse mode ----
function gpuLoss(xt: Tensor, yt: Tensor) {
  return (w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) => {
    const hid = crit.scaledTanh(crit.add(crit.matmul(xt, w1), b1));
    return crit.crossEntropy(crit.add(crit.matmul(hid, w2), b2), yt);
  };
}
function sgd(params: Tensor[], grads: Tensor[], lr: number): Tensor[] {
  return crit.noGrad(() => params.map((p, i) => crit.sub(p, crit.scale(grads[i], lr))));
}

test('MLP 20-16-3: 5 SGD steps match a CPU f64 implementation step by step', async () => {
  const gpu = names.map((n) => crit.uniform(shapes[n], -init[n][0], init[n][0], { seed: 1, stream: init[n][1] }));
  const cpu = Object.fromEntries(names.map((n) => [n, Float64Array.from(crit.uniformHost(shapes[n].reduce((a, b) => a * b), -init[n][0], init[n][0], { seed: 1, stream: init[n][1] }))])) as unknown as Net<Float64Array>;
  // The same starting weights, bit for bit.
  for (const [i, n] of names.entries()) assert.equal([...(await gpu[i].readF32())], [...Float32Array.from(cpu[n])], `${n} initial bits`);
  const xt = crit.tensor(x, [BATCH, NIN]), yt = crit.intTensor(labels);
  let params = gpu;
  const worst = { loss: 0, weights: 0 };
  for (let step = 0; step < STEPS; step++) {
    const { loss, next } = crit.scope(() => {
      const { value, grads } = crit.valueAndGrad(gpuLoss(xt, yt), params);
      return { loss: value, next: sgd(params, grads, LR) };
    });
    const ref = cpuStep(cpu);
    const l = await loss.item();
    // Loss: f32 forward (sums of <= 20 terms and tanh: ~2e-6 relative) from weights that differ from the f64 ones by
    // the f32 rounding of each update (~1e-7); 1e-5 relative leaves a margin, a wrong gradient moves it by ~1e-2.
    const lossErr = Math.abs(l - ref.loss) / ref.loss;
    worst.loss = Math.max(worst.loss, lossErr);
    assert.ok(lossErr < 1e-5, `step ${step}: loss ${l} vs CPU ${ref.loss}`);
    for (const n of names) { const g = ref.grads[n]; for (let i = 0; i < g.length; i++) cpu[n][i] -= LR * g[i]; }
    for (const p of params) p.dispose();
    loss.dispose();
    params = next;
    // Weights: f32 gradients are within ~1e-6 of their largest entry (<= 0.3; sums of <= 20 terms and g', see
    // test/autodiff), so 5 steps of lr 0.5 add <= 5 x 0.5 x 3e-7 ~ 8e-7, plus the f32 rounding of the weights
    // (<= 4e-8 per step): 3e-6 bounds it, while one wrong gradient entry moves a weight by ~lr x 0.1.
    for (const [i, n] of names.entries()) {
      const w = await params[i].readF32();
      let err = 0;
      for (let k = 0; k < w.length; k++) err = Math.max(err, Math.abs(w[k] - cpu[n][k]));
      worst.weights = Math.max(worst.weights, err);
      assert.ok(err < 3e-6, `step ${step}: ${n} off by ${err}`);
    }
  }
  console.log(`MLP 5 steps: worst relative loss error ${worst.loss.toExponential(2)}, worst weight error ${worst.weights.toExponential(2)}`);
  for (const p of params) p.dispose();
  xt.dispose(); yt.dispose();
});

test('a training loop inside scope() keeps the pool flat (no tensor leaks, buffers reused)', async () => {
  const pool = crit.engine().pool;
  const xt = crit.uniform([32, NIN], -1, 1, { seed: 5 }), yt = crit.intTensor(Array.from({ length: 32 }, (_, i) => i % NOUT));
  let params = names.map((n) => crit.uniform(shapes[n], -init[n][0], init[n][0], { seed: 2, stream: init[n][1] }));
  const before = pool.liveBytes;
  const live: number[] = [], allocated: number[] = [];
  for (let step = 0; step < 60; step++) {
    const { loss, next } = crit.scope(() => {
      const { value, grads } = crit.valueAndGrad(gpuLoss(xt, yt), params);
      return { loss: value, next: sgd(params, grads, 0.1) };
    });
    await loss.item();
    loss.dispose();
    for (const p of params) p.dispose();
    params = next;
    live.push(pool.liveBytes); allocated.push(pool.allocatedBytes);
  }
  assert.is(live[59], before, `live bytes grew from ${before} to ${live[59]}`);
  assert.ok(live.every((v) => v === before), 'live bytes changed during the loop');
  assert.is(allocated[59], allocated[2], `the pool kept allocating: ${allocated[2]} -> ${allocated[59]} bytes`);
  // Reverse over forward (a JVP inside the loss, as in the criticality loss) is released by scope() as well.
  for (let step = 0; step < 20; step++) {
    const next = crit.scope(() => {
      const f = (w1: Tensor) => crit.scaledTanh(crit.matmul(xt, w1));
      const { grads } = crit.valueAndGrad((w1: Tensor) => crit.sum(crit.square(crit.jvp(f, [w1], [crit.ones(w1.shape)]).tangent)), [params[0]]);
      return sgd([params[0]], grads, 1e-3)[0];
    });
    await next.read();
    params[0].dispose();
    params[0] = next;
    assert.is(pool.liveBytes, before, `reverse-over-forward step ${step}: live bytes ${pool.liveBytes} vs ${before}`);
  }
  for (const p of params) p.dispose();
  xt.dispose(); yt.dispose();
});

test.run();
