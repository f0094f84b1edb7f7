// The criticality loss on convolutional networks (any model with stages): its gradient against PyTorch's
// autograd through the SVD of the Jacobian (scripts/make-cnn-fixture.py), and training with it moves λ0 to the
// target where cross-entropy alone does not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as crit from '../../src/index.node.js';

const dir = 'test/fixtures/torch';

test.before(async () => { await crit.init(); });

test('CE + α (λ_t − λ0)² on a CNN: its gradient is PyTorch\'s CE gradient plus α times the penalty gradient', async () => {
  const g = JSON.parse(readFileSync(`${dir}/cnn-small.json`, 'utf8')) as { arch: string; labels: number[]; files: { weights: string; inputs: string }; ce: number; ce_grads: Record<string, number[]>; penalty: number; penalty_grads: Record<string, number[]>; lambda_target: number };
  const model = crit.buildNetwork(g.arch) as crit.CNN;
  const params = crit.uploadAll(crit.matchParams(model, crit.readSafetensorsFile(`${dir}/${g.files.weights}`).tensors).params);
  const xs = crit.readInputsFile(`${dir}/${g.files.inputs}`, model.inputSize);
  const x = crit.Tensor.from(xs.data, xs.shape), y = crit.intTensor(g.labels);
  const alpha = 3;
  // Converged vectors (300 cold steps): the loss's gradient is then the exact gradient of log Λ0.
  const loss = crit.criticalityLoss(model, { alpha, lambdaTarget: g.lambda_target, vectors: 'power', coldIterations: 300 });
  let metrics: Record<string, crit.Tensor> = {};
  const { value, grads } = crit.valueAndGrad((...ps: crit.Tensor[]) => {
    const out = loss(crit.paramRecord(model, ps), x, y, { indices: Int32Array.from([0, 1, 2, 3]), epoch: 0, step: 0 });
    metrics = out.metrics ?? {};
    return out.loss;
  }, crit.paramList(model, params));
  assert.ok(Math.abs(await value.item() - (g.ce + alpha * g.penalty)) < 1e-5 * (g.ce + alpha * g.penalty), `loss ${await value.item()} vs ${g.ce + alpha * g.penalty}`);
  assert.ok(Math.abs(await metrics.L_lambda.item() - g.penalty) < 1e-5 * g.penalty, 'L_lambda');
  let worst = 0;
  for (const [i, n] of model.paramNames.entries()) {
    const want = g.ce_grads[n].map((v, k) => v + alpha * g.penalty_grads[n][k]);
    const got = await grads[i].readF32();
    const scale = Math.max(...want.map(Math.abs));
    const err = Math.max(...want.map((w, k) => Math.abs(got[k] - w))) / scale;
    // As `crit measure`'s penalty gradient (test/models/cnn-torch.test.ts): through the converged vector.
    assert.ok(err < 2e-3, `${n}: ${err.toExponential(2)} of its largest entry`);
    worst = Math.max(worst, err);
  }
  console.log(`  ${g.arch}: CE + ${alpha}·L_λ gradient vs PyTorch ${worst.toExponential(1)}`);
});

test('training a CNN with the criticality loss moves λ0 to λ_t; cross-entropy alone leaves it', async () => {
  const arch = 'cnn:3x16x16:6k3-8k3:12-2:scaled-tanh';
  const n = 32;
  const xs = await crit.uniform([n, 3 * 16 * 16], -1, 1, { seed: 3, stream: 1 }).readF32();
  const data = new crit.Dataset(xs, Int32Array.from({ length: n }, (_, i) => (xs[i * 768] > 0 ? 1 : 0)), [3 * 16 * 16], 2, 'noise');
  const probe = crit.Tensor.from(xs, [n, 3 * 16 * 16]);
  const lambda0 = async (model: crit.CNN, params: crit.Params) => crit.stats.mean((await crit.lambda0(model.stages(params), probe, { tol: 1e-6, maxIterations: 300, depth: model.depth })).lambda0);
  const run = async (critl: boolean) => {
    const model = crit.buildNetwork(arch) as crit.CNN;
    const params = model.init({ seed: 9 });
    const before = await lambda0(model, params);
    const optimizer = new crit.Adam(params, { lr: 1e-2 });
    const cache = new crit.SingularVectorCache(n, model.inputSize);
    await crit.trainModel({
      model, params, optimizer, data, epochs: 12, batchSize: 8, seed: 1,
      loss: critl ? crit.criticalityLoss(model, { alpha: 50, lambdaTarget: 0, vectors: 'power', cache }) : undefined,
    });
    const after = await lambda0(model, params);
    cache.dispose(); optimizer.dispose(); crit.disposeParams(params);
    return { before, after };
  };
  const ce = await run(false), critl = await run(true);
  console.log(`  λ0 from ${critl.before.toFixed(3)}: CE alone → ${ce.after.toFixed(3)}, CritL (λ_t = 0, α = 50) → ${critl.after.toFixed(3)}`);
  assert.is(ce.before, critl.before, 'the same initial network');
  assert.ok(Math.abs(critl.after) < 0.05, `CritL ends within 0.05 of λ_t = 0: ${critl.after}`);
  assert.ok(Math.abs(ce.after) > 4 * Math.abs(critl.after), `cross-entropy alone stays away from 0: ${ce.after}`);
});

test('exact vectors are refused for models without a closed-form Jacobian', () => {
  const model = crit.buildNetwork('cnn:3x16x16:6k3-8k3:12-2:relu') as crit.CNN;
  assert.throws(() => crit.criticalityLoss(model, { alpha: 1, lambdaTarget: 0, vectors: 'exact' }), /'exact' vectors need an MLP/);
});

test.run();
