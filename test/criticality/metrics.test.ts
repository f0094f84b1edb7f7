// Activity, branching, dynamic range, and the procedural weights of the Fig. 1 networks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';
import { deepMlpWeightsHost, deepMlpStimulusHost } from '../../src/models/deep-mlp.js';

test('setup', async () => { await crit.init(); });

test('procedural weights are bit-identical to the CPU twin (both layouts, several seeds and layers)', async () => {
  const N = 37, seeds = [0, 7, 123456789];
  const b = new crit.DeepMlpBatch({ width: N, depth: 3, seeds });
  for (const layer of [0, 2, 999]) {
    const w = await b.layerWeights(layer), wt = await b.layerWeights(layer, true);
    seeds.forEach((seed, s) => {
      const host = deepMlpWeightsHost(seed, layer, N);
      for (let k = 0; k < N * N; k++) if (w[s][k] !== host[k]) assert.unreachable(`seed ${seed} layer ${layer} entry ${k}: ${w[s][k]} vs ${host[k]}`);
      for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) if (wt[s][j * N + i] !== host[i * N + j]) assert.unreachable(`transposed seed ${seed} layer ${layer} (${i}, ${j})`);
    });
  }
  const h = deepMlpWeightsHost(5, 1, 40);
  assert.ok(Math.max(...h) < 0.05 && Math.min(...h) >= -0.05 && Math.abs(h.reduce((s, v) => s + v, 0) / h.length) < 0.003, 'U[-0.05, 0.05)');
  b.dispose();
});

test('deep MLP batch: errors name the problem', async () => {
  assert.throws(() => new crit.DeepMlpBatch({ width: 0, depth: 3, seeds: [0] }), /width must be a positive integer/);
  assert.throws(() => new crit.DeepMlpBatch({ width: 8, depth: 3, seeds: [] }), /no seeds/);
  assert.throws(() => new crit.DeepMlpBatch({ width: 20000, depth: 1, seeds: [0] }), /largest binding/);
  assert.throws(() => new crit.ColumnSet({ kappas: [1, NaN], slots: [0, 1] }), /κ of column 1/);
  const b = new crit.DeepMlpBatch({ width: 8, depth: 3, seeds: [0] });
  const cols = new crit.ColumnSet({ kappas: [1], slots: [0] });
  let msg = '';
  try { await b.jvp(cols, b.upload(cols, () => undefined)); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /needs the derivatives/);
  b.dispose(); cols.dispose();
});

test('activity and branching of simple models', async () => {
  const x = crit.tensor([1, -2, 3, -4, 0.5, 0.5], [2, 3]);
  assert.ok(Math.abs((await crit.activity(x).item()) - 11 / 6) < 1e-6);
  const br = await crit.branching([(h) => crit.scale(h, 2), (h) => crit.scale(h, 1.5)], x);
  assert.ok(Math.abs(br.sigma - 3) < 1e-6 && Math.abs(br.Sigma - 2) < 1e-6);
  const prof = await crit.activityProfile([(h) => crit.scale(h, 2), (h) => crit.scale(h, 0.25)], x);
  assert.equal([...prof].map((v) => +v.toFixed(5)), [1.83333, 3.66667, 0.91667]);
  assert.equal(crit.branchingFrom(2, 1).Sigma, 0.5);
});

test('dynamic range: linear response gives 10 log10(9); saturating response matches the analytic s_x', () => {
  const s = crit.stimulusGrid(10);
  assert.is(s.length, 91);
  assert.ok(Math.abs(s[0] - 1e-9) < 1e-20 && Math.abs(s[90] - 1) < 1e-12);
  const lin = crit.dynamicRange(s, s.map((v) => 3 * v));
  // s_x is interpolated linearly in log s: for r ∝ s that errs by ~h²/8 in ln s (h = ln(10)/10), 0.03 dB.
  assert.ok(Math.abs(lin.Delta - 10 * Math.log10(9)) < 0.05, `${lin.Delta}`);
  // r = tanh(s / c): r_0 ≈ 0, r_max = tanh(1/c); s_x = c atanh(x tanh(1/c)) to the grid's interpolation error.
  const c = 1e-4;
  const sat = crit.dynamicRange(s, s.map((v) => Math.tanh(v / c)));
  const sx = (x: number) => c * Math.atanh(x * Math.tanh(1 / c));
  assert.ok(Math.abs(Math.log(sat.s10 / sx(0.1))) < 0.05 && Math.abs(Math.log(sat.s90 / sx(0.9))) < 0.05, `${sat.s10} ${sat.s90}`);
  const flat = crit.dynamicRange([1, 2, 3], [5, 5.4, 5.2]);
  assert.ok(flat.saturated && flat.Delta === 0, 'a response that does not double codes no range');
  assert.ok(crit.dynamicRange([1, 2, 3], [5, 5.4, 5.2], { minSpan: 1 }).Delta > 0);
  assert.ok(Number.isNaN(crit.dynamicRange([1, 2], [0, 0]).Delta), 'no response (f32 underflow)');
  assert.throws(() => crit.dynamicRange([2, 1], [0, 1]), /ascending/);
});

test('deep MLP stimulus columns = the generic stimulusResponse of the same network', async () => {
  const N = 16, L = 5, seed = 4, kappa = 1.5 * crit.meanFieldKappa(N);
  // s >= 1e-2: the engine's tanh op (the builtin) keeps only absolute precision near 0, the kernels' is exact.
  const grid = crit.stimulusGrid(2, -2, 0);
  const [run] = await crit.measureDeepMlp({ width: N, depth: L, seeds: [seed], kappas: [kappa, 0.5 * kappa], stimulus: grid, tol: 1e-3 });
  const Ws = Array.from({ length: L }, (_, l) => crit.tensor(deepMlpWeightsHost(seed, l, N).map((w) => w * kappa), [N, N]));
  const stages = Ws.map((W) => (x: crit.Tensor) => crit.scaledTanh(crit.matmul(x, W, { transB: true })));
  const r = await crit.stimulusResponse(stages, crit.tensor(deepMlpStimulusHost(seed, N), [1, N]), grid);
  for (let g = 0; g < grid.length; g++) assert.ok(Math.abs(r[g] / run.response[g] - 1) < 1e-4, `s=${grid[g]}: ${r[g]} vs ${run.response[g]}`);
  const dr = crit.dynamicRange(grid, [...r]);
  assert.ok(Math.abs(dr.Delta - run.Delta) < 1e-3);
  Ws.forEach((w) => w.dispose());
});

test.run();
