// Λ0 and the top singular values of a small MLP's input-output Jacobian against PyTorch 1.13 (f64 SVD of the
// Jacobian from torch.autograd; fixture made by scripts/make-torch-fixture.py).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, existsSync } from 'node:fs';
import * as crit from '../../src/index.node.js';

const path = 'test/fixtures/torch/mlp-12-8-6-3.json';

test('power iteration and block power iteration agree with the PyTorch Jacobian SVD (1e-4 relative)', async () => {
  if (!existsSync(path)) { console.log(`(skipped: ${path} not found)`); return; }
  await crit.init();
  const fx = JSON.parse(readFileSync(path, 'utf8'));
  const sizes = [12, 8, 6, 3];
  // torch Linear: y = x Wᵀ + b, W of shape [out, in]; scaled tanh between the layers, none after the last.
  const Ws = [1, 2, 3].map((l) => crit.tensor(fx.weights[`W${l}`], [sizes[l], sizes[l - 1]]));
  const bs = [1, 2, 3].map((l) => crit.tensor(fx.weights[`b${l}`], [sizes[l]]));
  const stages = [0, 1, 2].map((l) => (x: crit.Tensor) => {
    const z = crit.add(crit.matmul(x, Ws[l], { transB: true }), bs[l]);
    return l < 2 ? crit.scaledTanh(z) : z;
  });
  const X = crit.tensor(fx.inputs.flat(), [fx.inputs.length, 12]);
  const out = await stages.reduce((h, f) => f(h), X).readF32();
  fx.outputs_f64.flat().forEach((v: number, i: number) => assert.ok(Math.abs(out[i] - v) < 1e-5, `output ${i}: ${out[i]} vs ${v}`));
  const r = await crit.lambda0(stages, X, { tol: 1e-7, maxIterations: 500 });
  const spec = await crit.lyapunovSpectrum(stages, X, 3, { tol: 1e-7, maxIterations: 500 });
  fx.jacobian.forEach((j: { singular_values: number[]; Lambda0: number; lambda0: number }, b: number) => {
    const rel = Math.abs(Math.exp(r.logLambda0[b]) / j.Lambda0 - 1);
    assert.ok(rel < 1e-4, `input ${b}: Λ0 ${Math.exp(r.logLambda0[b])} vs torch ${j.Lambda0} (rel ${rel.toExponential(2)})`);
    assert.ok(Math.abs(r.lambda0[b] - j.lambda0) < 1e-4 / 3, `λ0 ${r.lambda0[b]} vs ${j.lambda0}`);
    j.singular_values.forEach((sv, k) => {
      const e = Math.abs(Math.exp(spec.logSingularValues[b][k]) / sv - 1);
      assert.ok(e < 1e-4, `input ${b} σ${k}: ${Math.exp(spec.logSingularValues[b][k])} vs torch ${sv} (rel ${e.toExponential(2)})`);
    });
  });
});

test.run();
