// The criticality loss α (λ_t − λ0)²: λ0 per input against f64 SVDs of explicitly built Jacobians, and its
// gradient with respect to every weight and bias (reverse over forward through the converged singular vector)
// against central finite differences of the f64 SVD's log σ_max, and of the f32 loss itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';
import { lambda0, logJvpNorm } from '../../src/criticality/power-iteration.js';
import { hostLogSigmaMax as hostLogSigmaMaxOf, type HostParams } from './host-mlp.js';
import {
  mlpStages, lambda0Mlp, topSingularVectors, logJvpNormWithOutput, lambdaPenalty, criticalityLoss, SingularVectorCache,
} from '../../src/criticality/loss.js';
import { exactLambda0, exactTopSingularVectors, topEigenvector } from '../../src/criticality/mlp-jacobian.js';

const arch = 'mlp:6-5-4-3:scaled-tanh';
const model = crit.buildModel(arch);
const L = model.depth;
const inputs = [
  [0.3, -0.8, 0.5, 0.9, -0.2, 0.1],
  [-0.6, 0.4, 0.7, -0.9, 0.8, -0.3],
  [0.05, 0.2, -0.4, 0.6, 0.35, -0.7],
];
const alpha = 2.5, lambdaT = 0.1;

function hostLogSigmaMax(p: HostParams, x: number[]): number {
  return hostLogSigmaMaxOf(model.layers, p, x);
}

/** α · mean_b (λ_t − log σ_max(J_b) / L)² in f64. */
function hostLoss(p: HostParams): number {
  return alpha * inputs.reduce((s, x) => s + (lambdaT - hostLogSigmaMax(p, x) / L) ** 2, 0) / inputs.length;
}

async function hostParams(params: crit.Params): Promise<Record<string, Float64Array>> {
  const out: Record<string, Float64Array> = {};
  for (const n of model.paramNames) out[n] = Float64Array.from(await params[n].readF32());
  return out;
}

/** Torch-style init (non-zero biases), weights scaled up so that the top singular values are well apart. */
function makeParams(): crit.Params {
  return crit.scope(() => {
    const p = model.init({ scheme: 'torch', seed: 7 });
    return Object.fromEntries(Object.entries(p).map(([k, t]) => [k, k.startsWith('W') ? crit.scale(t, 2.5) : t]));
  });
}

test('setup', async () => { await crit.init(); });

test('λ0 per input: power iteration (MLP fast path, library), Gram matrix and f64 SVD agree', async () => {
  const params = makeParams();
  const hp = await hostParams(params);
  const x = crit.tensor(inputs.flat(), [inputs.length, 6]);
  const ref = inputs.map((xi) => hostLogSigmaMax(hp, xi) / L);
  const fast = await lambda0Mlp(model, params, x, { tol: 1e-7, maxIterations: 500 });
  const lib = await lambda0(mlpStages(model, params), x, { tol: 1e-7, maxIterations: 500 });
  const gram = await exactLambda0(model, params, x, { vectors: true });
  // f32 Jacobian products of O(1) numbers: λ0 to ~1e-6; 2e-6 leaves room for the rounding of log.
  for (let b = 0; b < inputs.length; b++) {
    assert.ok(Math.abs(fast.lambda0[b] - ref[b]) < 2e-6, `fast ${fast.lambda0[b]} vs ${ref[b]}`);
    assert.ok(Math.abs(lib.lambda0[b] - ref[b]) < 2e-6, `library ${lib.lambda0[b]} vs ${ref[b]}`);
    assert.ok(Math.abs(gram.lambda0[b] - ref[b]) < 2e-6, `gram ${gram.lambda0[b]} vs ${ref[b]}`);
  }
  // The singular vectors agree up to sign: power iteration, the host Gram route, and the GPU-only exact route
  // (Gram matrix squared 12 times on the GPU, what the loss uses by default).
  const exact = exactTopSingularVectors(model, params, x, { seed: 5 });
  const [vf, vg, ve] = [await fast.vector.readF32(), await gram.vector!.readF32(), await exact.readF32()];
  for (let b = 0; b < inputs.length; b++) {
    let dot = 0, dotE = 0, norm = 0;
    for (let i = 0; i < 6; i++) { dot += vf[b * 6 + i] * vg[b * 6 + i]; dotE += ve[b * 6 + i] * vg[b * 6 + i]; norm += ve[b * 6 + i] ** 2; }
    assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-5, `|<v_power, v_gram>| = ${Math.abs(dot)}`);
    assert.ok(Math.abs(Math.abs(dotE) - 1) < 1e-5 && Math.abs(norm - 1) < 1e-5, `|<v_exact, v_gram>| = ${Math.abs(dotE)}, |v_exact|² = ${norm}`);
  }
  fast.vector.dispose(); lib.vector.dispose(); gram.vector!.dispose(); exact.dispose();
});

test('logJvpNormWithOutput = the library logJvpNorm and the model output', async () => {
  const params = makeParams();
  const x = crit.tensor(inputs.flat(), [inputs.length, 6]);
  const v = crit.normal([inputs.length, 6], 0, 1, { seed: 3 });
  const mine = logJvpNormWithOutput(mlpStages(model, params), x, v);
  const theirs = await logJvpNorm(mlpStages(model, params), x, v).readF32();
  const out = await model.forward(params, x).readF32();
  const a = await mine.logNorm.readF32();
  for (let b = 0; b < inputs.length; b++) assert.ok(Math.abs(a[b] - theirs[b]) < 1e-6);
  assert.equal(Array.from(await mine.output.readF32()), Array.from(out));
});

for (const vectors of ['power', 'exact'] as const) test(`gradient of α(λ_t − λ0)² matches finite differences of the f64 SVD for every weight and bias (${vectors} vectors)`, async () => {
  const params = makeParams();
  const hp = await hostParams(params);
  const x = crit.tensor(inputs.flat(), [inputs.length, 6]);
  const names = model.paramNames;
  const v = vectors === 'power' ? topSingularVectors(model, params, x, { iterations: 300 }) : exactTopSingularVectors(model, params, x);
  const { value, grads } = crit.valueAndGrad((...ps) => {
    const rec = Object.fromEntries(names.map((n, i) => [n, ps[i]]));
    const lam = crit.scale(logJvpNormWithOutput(mlpStages(model, rec), x, v).logNorm, 1 / L);
    return crit.scale(lambdaPenalty(lam, lambdaT), alpha);
  }, names.map((n) => params[n]));
  const loss = await value.item();
  assert.ok(Math.abs(loss - hostLoss(hp)) < 1e-5 * Math.max(1, hostLoss(hp)), `loss ${loss} vs f64 ${hostLoss(hp)}`);
  let worst = 0, scaleG = 0, count = 0;
  const h = 1e-6;
  for (const [k, n] of names.entries()) {
    const g = await grads[k].readF32();
    const p = hp[n];
    for (let i = 0; i < p.length; i++) {
      const keep = p[i];
      p[i] = keep + h; const up = hostLoss(hp);
      p[i] = keep - h; const down = hostLoss(hp);
      p[i] = keep;
      const fd = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(g[i] - fd));
      scaleG = Math.max(scaleG, Math.abs(fd));
      count++;
    }
  }
  assert.is(count, 74);
  // Measured: max error 5.7e-8 against max |∂L/∂θ| = 0.134 (4e-7 relative): f32 rounding of O(1) products.
  // The f64 central differences (h = 1e-6) are accurate to ~1e-10. Tolerance: 3e-6 relative to the largest derivative.
  assert.ok(scaleG > 1e-2, `derivatives too small to test (${scaleG})`);
  assert.ok(worst < 3e-6 * scaleG, `max |grad - fd| = ${worst} (max |fd| = ${scaleG})`);
  v.dispose();
});

test('the f32 loss (with λ0 re-measured by power iteration) changes along its gradient as predicted', async () => {
  const params = makeParams();
  const x = crit.tensor(inputs.flat(), [inputs.length, 6]);
  const names = model.paramNames;
  const lossAt = async (p: crit.Params): Promise<number> => {
    const r = await lambda0Mlp(model, p, x, { tol: 1e-7, maxIterations: 500 });
    r.vector.dispose();
    return alpha * Array.from(r.lambda0).reduce((s, l) => s + (lambdaT - l) ** 2, 0) / inputs.length;
  };
  const v = topSingularVectors(model, params, x, { iterations: 300 });
  const grads = crit.grad((...ps) => {
    const rec = Object.fromEntries(names.map((n, i) => [n, ps[i]]));
    return crit.scale(lambdaPenalty(crit.scale(logJvpNormWithOutput(mlpStages(model, rec), x, v).logNorm, 1 / L), lambdaT), alpha);
  }, names.map((n) => params[n]));
  // Direction d = the gradient itself: the directional derivative is |g|².
  let g2 = 0;
  for (const g of grads) for (const e of await g.readF32()) g2 += e * e;
  const eps = 1e-2 / Math.sqrt(g2);
  const shifted = (s: number) => Object.fromEntries(names.map((n, i) => [n, crit.add(params[n], crit.scale(grads[i], s * eps))]));
  const fd = ((await lossAt(shifted(1))) - (await lossAt(shifted(-1)))) / (2 * eps);
  // f32 loss differences over a step of 1e-2: ~1e-6 / 2e-2 noise on |g|² = 0.163 (measured: off by 2.3e-5).
  assert.ok(Math.abs(fd - g2) < 1e-3 * g2 + 1e-4, `directional derivative ${fd} vs |g|² ${g2}`);
});

test('topEigenvector finds the top eigenvector of a symmetric PSD matrix', () => {
  // M = Q diag(5, 4.99, 1) Qᵀ with a close second eigenvalue.
  const q = [[0.6, 0.8, 0], [-0.8, 0.6, 0], [0, 0, 1]];
  const d = [5, 4.99, 1];
  const M = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) M[i * 3 + j] += q[i][k] * d[k] * q[j][k];
  const u = topEigenvector(M, 3);
  assert.ok(Math.abs(Math.abs(u[0] * 0.6 + u[1] * -0.8) - 1) < 1e-12, `u = ${Array.from(u)}`);
});

test('CritL as a LossFn: CE + α·L_λ, metrics, and warm starts from the per-sample cache', async () => {
  const params = makeParams();
  const x = crit.tensor(inputs.flat(), [inputs.length, 6]);
  const y = crit.intTensor([0, 2, 1]);
  const cache = new SingularVectorCache(10, 6);
  const batch = { indices: Int32Array.from([4, 7, 1]), epoch: 0, step: 0 };
  const fn = criticalityLoss(model, { alpha, lambdaTarget: lambdaT, vectors: 'power', cache, coldIterations: 60, warmIterations: 1 });
  assert.not.ok(cache.has(batch.indices));
  const out1 = fn(params, x, y, batch);
  assert.ok(cache.has(batch.indices));
  const ce = await crit.crossEntropy(model.forward(params, x), y).item();
  const exact = await exactLambda0(model, params, x);
  const pen = Array.from(exact.lambda0).reduce((s, l) => s + (lambdaT - l) ** 2, 0) / inputs.length;
  const item = (t: crit.Tensor | undefined) => t!.item();
  assert.ok(Math.abs((await item(out1.metrics!.ce)) - ce) < 1e-6);
  assert.ok(Math.abs((await item(out1.metrics!.L_lambda)) - pen) < 1e-5, `L_λ ${await item(out1.metrics!.L_lambda)} vs ${pen}`);
  assert.ok(Math.abs((await out1.loss.item()) - (ce + alpha * pen)) < 1e-5);
  const meanL = exact.lambda0.reduce((s, l) => s + l, 0) / inputs.length;
  assert.ok(Math.abs((await item(out1.metrics!.lambda0)) - meanL) < 1e-5);
  // Warm: one step from the stored (converged) vectors keeps the value; the stored rows are the ones asked for.
  const out2 = fn(params, x, y, { ...batch, step: 1 });
  assert.ok(Math.abs((await item(out2.metrics!.L_lambda)) - pen) < 1e-5);
  const stored = await cache.get([1]).readF32();
  const fresh = await exactLambda0(model, params, crit.tensor(inputs[2], [1, 6]), { vectors: true });
  const fv = await fresh.vector!.readF32();
  assert.ok(Math.abs(Math.abs(Array.from(stored).reduce((s, e, i) => s + e * fv[i], 0)) - 1) < 1e-4, 'row 1 of the cache holds the vector of input 2');
  // A batch with one row not yet stored (index 9): warm steps for the stored rows, cold ones for it, in row order.
  const mixed = { indices: Int32Array.from([4, 9, 1]), epoch: 1, step: 0 };
  const out5 = fn(params, x, y, mixed);
  assert.ok(Math.abs((await item(out5.metrics!.L_lambda)) - pen) < 1e-5, `mixed warm/cold L_λ ${await item(out5.metrics!.L_lambda)} vs ${pen}`);
  const row9 = await cache.get([9]).readF32();
  const v1 = await (await exactLambda0(model, params, crit.tensor(inputs[1], [1, 6]), { vectors: true })).vector!.readF32();
  assert.ok(Math.abs(Math.abs(Array.from(row9).reduce((s, e, i) => s + e * v1[i], 0)) - 1) < 1e-4, 'row 9 of the cache holds the vector of input 1');
  // Without a cache the rows start from random vectors every time (cold iterations).
  const noCache = criticalityLoss(model, { alpha, lambdaTarget: lambdaT, vectors: 'power', coldIterations: 60 });
  const out3 = noCache(params, x, y, batch);
  assert.ok(Math.abs((await item(out3.metrics!.L_lambda)) - pen) < 1e-4);
  // The default for few outputs: exact vectors, no cache, no iterations: the exact penalty at once.
  const exactFn = criticalityLoss(model, { alpha, lambdaTarget: lambdaT, coldIterations: 0 });
  const out4 = exactFn(params, x, y, batch);
  assert.ok(Math.abs((await item(out4.metrics!.L_lambda)) - pen) < 1e-5, `exact L_λ ${await item(out4.metrics!.L_lambda)} vs ${pen}`);
  assert.throws(() => criticalityLoss(model, { alpha, lambdaTarget: lambdaT, vectors: 'svd' as never }), /vectors must be 'exact' or 'power'/);
  assert.throws(() => fn(params, x, y, { ...batch, indices: Int32Array.from([1, 2]) }), /2 batch indices for a batch of 3/);
  assert.throws(() => cache.get([10]), /row 10 is outside \[0, 10\)/);
  assert.throws(() => cache.set([3, 3], crit.zeros([2, 6])), /row 3 given twice/);
  assert.throws(() => criticalityLoss(model, { alpha: -1, lambdaTarget: 0 }), /alpha must be/);
  cache.dispose();
});

test('penaltyRows: the penalty on the batch\'s first K rows (value, gradient, cache rows), cross-entropy on all', async () => {
  const params = makeParams();
  const x = crit.tensor(inputs.flat(), [inputs.length, 6]);
  const y = crit.intTensor([0, 2, 1]);
  const batch = { indices: Int32Array.from([4, 7, 1]), epoch: 0, step: 0 };
  const x2 = crit.tensor(inputs.slice(0, 2).flat(), [2, 6]), y2 = crit.intTensor([0, 2]);
  const batch2 = { ...batch, indices: batch.indices.subarray(0, 2) };
  const sub = criticalityLoss(model, { alpha, lambdaTarget: lambdaT, penaltyRows: 2 });
  const all = criticalityLoss(model, { alpha, lambdaTarget: lambdaT });
  const ceLoss = crit.crossEntropyLoss(model);
  // Reference: CE over all three rows + α · mean over rows 0, 1 = CE(x) + [CritL(x[:2]) − CE(x[:2])].
  const reference = (p: crit.Params) => crit.add(ceLoss(p, x, y, batch).loss, crit.sub(all(p, x2, y2, batch2).loss, ceLoss(p, x2, y2, batch2).loss));
  const gradsOf = async (f: (p: crit.Params) => crit.Tensor) => {
    const { value, grads } = crit.valueAndGrad((...ps: crit.Tensor[]) => f(crit.paramRecord(model, ps)), crit.paramList(model, params));
    return { value: await value.item(), grads: await Promise.all(grads.map((g) => g.readF32())) };
  };
  const got = await gradsOf((p) => sub(p, x, y, batch).loss), want = await gradsOf(reference);
  assert.ok(Math.abs(got.value - want.value) < 1e-5, `loss ${got.value} vs ${want.value}`);
  const full = await gradsOf((p) => all(p, x, y, batch).loss);
  let scaleOf = 0, worst = 0, fromAll = 0;
  for (const [i] of model.paramNames.entries()) {
    for (let j = 0; j < want.grads[i].length; j++) {
      scaleOf = Math.max(scaleOf, Math.abs(want.grads[i][j]));
      worst = Math.max(worst, Math.abs(got.grads[i][j] - want.grads[i][j]));
      fromAll = Math.max(fromAll, Math.abs(full.grads[i][j] - want.grads[i][j]));
    }
  }
  // Same f32 sums in another order: a few roundings of the largest entry.
  assert.ok(worst < 1e-5 * scaleOf, `gradient off by ${worst} (largest ${scaleOf})`);
  assert.ok(fromAll > 1e-3 * scaleOf, 'the penalty on all rows has another gradient (the test can tell them apart)');
  const out = sub(params, x, y, batch);
  const exact = await exactLambda0(model, params, x2);
  const pen = Array.from(exact.lambda0).reduce((s, l) => s + (lambdaT - l) ** 2, 0) / 2;
  assert.ok(Math.abs((await out.metrics!.L_lambda.item()) - pen) < 1e-5, 'L_λ over the first two rows');
  assert.ok(Math.abs((await out.metrics!.ce.item()) - (await ceLoss(params, x, y, batch).loss.item())) < 1e-6, 'CE over all rows');
  // Power iteration with a cache fills only the penalty's rows; K >= B is the whole batch.
  const cache = new SingularVectorCache(10, 6);
  criticalityLoss(model, { alpha, lambdaTarget: lambdaT, vectors: 'power', cache, penaltyRows: 2 })(params, x, y, batch);
  assert.ok(cache.has([4, 7]) && !cache.has([1]), 'cache rows 4 and 7 only');
  const wide = criticalityLoss(model, { alpha, lambdaTarget: lambdaT, penaltyRows: 50 })(params, x, y, batch);
  assert.ok(Math.abs((await wide.loss.item()) - (await all(params, x, y, batch).loss.item())) < 1e-6);
  assert.throws(() => criticalityLoss(model, { alpha, lambdaTarget: lambdaT, penaltyRows: 0 }), /penaltyRows must be an integer >= 1, got 0/);
  cache.dispose();
});

test('inputs with a zero Jacobian (a zeroed output layer) add no penalty and no NaN: the gradient is cross-entropy\'s', async () => {
  const cnn = crit.buildNetwork('cnn:1x6x6:2k3:4-2:relu') as crit.CNN;
  const params = cnn.init({ scheme: 'torch', seed: 4 });
  const x = crit.uniform([3, 36], -1, 1, { seed: 9 });
  const y = crit.intTensor([0, 1, 1]);
  const batch = { indices: Int32Array.from([0, 1, 2]), epoch: 0, step: 0 };
  const gradsOf = async (fn: crit.LossFn) => {
    let metrics: Record<string, crit.Tensor> = {};
    const { grads } = crit.valueAndGrad((...ps: crit.Tensor[]) => { const o = fn(crit.paramRecord(cnn, ps), x, y, batch); metrics = o.metrics ?? {}; return o.loss; }, crit.paramList(cnn, params));
    return { grads: await Promise.all(grads.map((g) => g.readF32())), metrics };
  };
  const critl = criticalityLoss(cnn, { alpha: 3, lambdaTarget: 0, vectors: 'power', coldIterations: 20 });
  const live = await gradsOf(critl);
  assert.is(await live.metrics.dead.item(), 0, 'no dead inputs in a fresh net');
  crit.fillInPlace(params['fc2.weight'], 0);
  crit.fillInPlace(params['fc2.bias'], 0);
  const dead = await gradsOf(critl);
  const ce = await gradsOf(crit.crossEntropyLoss(cnn));
  assert.is(await dead.metrics.dead.item(), 1, 'every input has a zero Jacobian');
  assert.is(await dead.metrics.L_lambda.item(), 0);
  for (const [i, n] of cnn.paramNames.entries()) {
    assert.ok(dead.grads[i].every(Number.isFinite), `${n}: finite gradient`);
    assert.equal(Array.from(dead.grads[i]), Array.from(ce.grads[i]), `${n}: the cross-entropy gradient`);
  }
  assert.ok(ce.grads[cnn.paramNames.indexOf('fc2.weight')].some((v) => v !== 0), 'cross-entropy moves the zeroed head');
});

test.run();
