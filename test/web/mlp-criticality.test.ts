// The training monitor's λ0 per input (power iteration with jvp/vjp) against the top singular value of the
// explicitly built Jacobian, and the CritL gradient against central finite differences.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';
import { buildModel } from '../../src/nn/mlp.js';
import { lambda0PerInput, criticalityLoss, topSingularVectors } from '../../src/web/lib/mlp-criticality.js';

const model = buildModel('mlp:7-9-5:scaled-tanh');

/** Largest singular value of a rows x cols matrix (f64 power iteration on AᵀA to convergence). */
function topSigma(A: Float64Array, rows: number, cols: number): number {
  let v = new Float64Array(cols).fill(1), s = 0;
  for (let k = 0; k < 2000; k++) {
    const u = new Float64Array(rows);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) u[i] += A[i * cols + j] * v[j];
    const w = new Float64Array(cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) w[j] += A[i * cols + j] * u[i];
    const n = Math.hypot(...w);
    v = w.map((x) => x / n);
    s = Math.sqrt(n);
  }
  return s;
}

test('λ0 per input equals log σ_max(J)/L of the explicit Jacobian', async () => {
  await crit.init();
  const params = model.init({ scheme: 'init1', seed: 3 });
  const B = 4;
  const x = crit.uniform([B, 7], -1, 1, { seed: 5 });
  const lam = await lambda0PerInput(model, params, x, { iters: 60 });
  for (let b = 0; b < B; b++) {
    // Column j of J_b: the tangent of row b along the basis vector e_j (the other rows move too, but
    // rows are independent through an MLP).
    const J = new Float64Array(5 * 7);
    for (let j = 0; j < 7; j++) {
      const e = new Float32Array(B * 7); e[b * 7 + j] = 1;
      const t = await crit.jvp((xx) => model.forward(params, xx), [x], [crit.tensor(e, [B, 7])]).tangent.readF32();
      for (let i = 0; i < 5; i++) J[i * 7 + j] = t[b * 5 + i];
    }
    const want = Math.log(topSigma(J, 5, 7)) / model.depth;
    assert.ok(Math.abs(lam[b] - want) < 2e-5, `input ${b}: λ0 ${lam[b]} vs explicit ${want}`);
  }
});

test('CritL gradient matches finite differences', async () => {
  const params = model.init({ scheme: 'init0', seed: 4 });
  const x = crit.uniform([3, 7], -1, 1, { seed: 6 });
  const y = crit.intTensor([0, 3, 4]);
  const loss = criticalityLoss(model, { alpha: 2, lambdaTarget: 0.1, iters: 60 });
  const names = model.paramNames;
  const { value, grads } = crit.valueAndGrad((...ps) => loss(Object.fromEntries(names.map((n, i) => [n, ps[i]])), x, y).loss, names.map((n) => params[n]));
  const L0 = await value.item();
  assert.ok(Number.isFinite(L0));
  // f32 losses: a step of 1e-2 keeps the truncation error (~h^2) and rounding (~1e-7/h) both below 1e-4.
  const h = 1e-2;
  const W1 = params.W1, g = await grads[0].readF32(), w = await W1.readF32();
  for (const k of [0, 10, 31, 62]) {
    const at = async (d: number) => {
      const w2 = w.slice(); w2[k] += d;
      const p2 = { ...params, W1: crit.tensor(w2, W1.shape) };
      return loss(p2, x, y).loss.item();
    };
    const fd = ((await at(h)) - (await at(-h))) / (2 * h);
    assert.ok(Math.abs(fd - g[k]) < 2e-3 * (1 + Math.abs(fd)), `dL/dW1[${k}]: autodiff ${g[k]} vs finite difference ${fd}`);
  }
  // The singular vectors are held fixed: no gradient flows through the power iteration itself.
  const v = topSingularVectors(model, params, x, 5);
  assert.equal(v.shape, [3, 7]);
});

test.run();
