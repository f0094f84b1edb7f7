// Convolutional networks against PyTorch 1.13 in f64 (scripts/make-cnn-fixture.py): two seeded CNNs with
// PyTorch's default init and state_dict names, loaded from the safetensors and .npy files PyTorch wrote.
// Checked: logits, the cross-entropy's gradient for every parameter, λ0 per input by power iteration against
// the SVD of torch's Jacobian, and the gradient of mean (λ_t − λ0)² (reverse over forward through conv,
// pooling and the dense layers) against autograd through torch's SVD; then `crit measure` on the same files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as crit from '../../src/index.node.js';
import { measureModel } from '../../src/experiments/measure.js';
import { measure } from '../../src/cli/commands/measure.js';
import { relErr } from './rel-err.js';

interface Golden {
  arch: string; depth: number; names: string[]; files: { weights: string; inputs: string }; labels: number[];
  logits: number[][]; ce: number; ce_grads: Record<string, number[]>;
  Lambda0: number[]; lambda0: number[]; lambda_target: number; penalty: number; penalty_grads: Record<string, number[]>;
}
const dir = 'test/fixtures/torch';
const load = (name: string) => JSON.parse(readFileSync(`${dir}/cnn-${name}.json`, 'utf8')) as Golden;

function setup(g: Golden) {
  const model = crit.buildNetwork(g.arch) as crit.CNN;
  const file = crit.readSafetensorsFile(`${dir}/${g.files.weights}`);
  const { params: host } = crit.matchParams(model, file.tensors);
  const params = crit.uploadAll(host);
  const xs = crit.readInputsFile(`${dir}/${g.files.inputs}`, model.inputSize);
  return { model, params, x: crit.Tensor.from(xs.data, xs.shape) };
}


test.before(async () => { await crit.init(); });

for (const name of ['small', 'dohare']) {
  test(`${name}: logits and cross-entropy gradients match PyTorch`, async () => {
    const g = load(name);
    const { model, params, x } = setup(g);
    assert.equal(model.paramNames, g.names, 'parameter names and order are PyTorch\'s');
    const logits = await model.forward(params, x).readF32();
    const eL = relErr(logits, g.logits.flat());
    // f32 products summed over at most 16·9 + 1 terms per conv output, 4 layers deep: ~1e-6 relative.
    assert.ok(eL < 1e-5, `logits: ${eL.toExponential(2)}`);
    let worst = 0;
    const y = crit.intTensor(g.labels);
    const { value, grads } = crit.valueAndGrad((...ps: crit.Tensor[]) => crit.crossEntropy(model.forward(crit.paramRecord(model, ps), x), y), crit.paramList(model, params));
    assert.ok(Math.abs(await value.item() - g.ce) < 1e-5, `CE ${await value.item()} vs ${g.ce}`);
    for (const [i, n] of model.paramNames.entries()) {
      const e = relErr(await grads[i].readF32(), g.ce_grads[n]);
      assert.ok(e < 1e-4, `dCE/d${n}: ${e.toExponential(2)} of its largest entry`);
      worst = Math.max(worst, e);
    }
    console.log(`  ${g.arch}: logits ${eL.toExponential(1)}, dCE/dθ ${worst.toExponential(1)} (relative to the largest entry)`);
  });

  test(`${name}: λ0 per input and the gradient of mean (λ_t − λ0)² match PyTorch's Jacobian SVD`, async () => {
    const g = load(name);
    const { model, params, x } = setup(g);
    const r = await measureModel(model, params, x, { lambdaTarget: g.lambda_target, tol: 1e-7, maxIterations: 2000 });
    assert.is(r.method, 'power');
    assert.ok(r.converged, 'power iteration converged');
    r.inputs.forEach((p, b) => {
      // Power iteration to 1e-7 per step in log Λ0; f32 Jacobian products: ~1e-6 relative.
      assert.ok(Math.abs(p.Lambda0 / g.Lambda0[b] - 1) < 1e-4, `input ${b}: Λ0 ${p.Lambda0} vs torch ${g.Lambda0[b]}`);
      assert.ok(Math.abs(p.lambda0 - g.lambda0[b]) < 1e-4 / g.depth, `input ${b}: λ0 ${p.lambda0} vs ${g.lambda0[b]}`);
    });
    assert.ok(Math.abs(r.penalty! - g.penalty) < 1e-4 * g.penalty, `penalty ${r.penalty} vs ${g.penalty}`);
    let worst = 0, worstL = 0;
    r.inputs.forEach((p, b) => { worstL = Math.max(worstL, Math.abs(p.Lambda0 / g.Lambda0[b] - 1)); });
    for (const n of model.paramNames) {
      const want = g.penalty_grads[n];
      const got = await r.grads![n].readF32();
      if (want.every((v) => v === 0)) { assert.ok(got.every((v) => v === 0), `${n}: the last bias does not enter the Jacobian, its gradient is 0`); continue; }
      // Through the converged vector: its error (~1e-4 of the gap to the second singular value) enters linearly.
      const e = relErr(got, want);
      assert.ok(e < 2e-3, `d penalty / d${n}: ${e.toExponential(2)} of its largest entry`);
      worst = Math.max(worst, e);
    }
    console.log(`  ${g.arch}: Λ0 ${worstL.toExponential(1)} relative (${r.iterations} power steps), d penalty/dθ ${worst.toExponential(1)}`);
  });
}

test('crit measure reads a PyTorch CNN (conv1.weight, ..., fc3.bias) and writes the penalty gradient under the same names', async () => {
  const g = load('dohare');
  const out = mkdtempSync(join(tmpdir(), 'crit-cnn-'));
  try {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    let code: number;
    try {
      code = await measure.run(['--arch', g.arch, '--weights', `${dir}/${g.files.weights}`, '--inputs', `${dir}/${g.files.inputs}`, '--json', '--grad-out', join(out, 'grad.safetensors'), '--lambda-target', '0']);
    } finally { console.log = log; }
    assert.is(code, 0);
    const r = JSON.parse(lines.join('\n'));
    assert.is(r.method, 'power');
    r.inputs.forEach((p: { lambda0: number }, b: number) => assert.ok(Math.abs(p.lambda0 - g.lambda0[b]) < 1e-4, `λ0 ${p.lambda0} vs ${g.lambda0[b]}`));
    const grads = crit.readSafetensorsFile(join(out, 'grad.safetensors')).tensors;
    assert.equal(Object.keys(grads), g.names);
    assert.ok(relErr(grads['conv1.weight'].data, g.penalty_grads['conv1.weight']) < 2e-3);
  } finally { rmSync(out, { recursive: true, force: true }); }
});

test('bad CNN specs and files give errors that name the problem', async () => {
  const { rejects } = await import('../rejects.js');
  assert.throws(() => crit.buildNetwork('cnn:3x32x32:32k5:2'), /expected cnn:/);
  assert.throws(() => crit.buildNetwork('cnn:3x32:32k5:2:relu'), /<channels>x<height>x<width>/);
  assert.throws(() => crit.buildNetwork('cnn:3x32x32:32x5:2:relu'), /convolution '32x5'/);
  assert.throws(() => crit.buildNetwork('cnn:3x8x8:4k5-4k3:2:relu'), /does not fit|leaves no pixels/);
  assert.throws(() => crit.buildNetwork('cnn:3x32x32:32k5:2:swish'), /unknown activation 'swish'/);
  assert.throws(() => crit.buildNetwork('rnn:3'), /unknown kind 'rnn'/);
  const model = crit.buildNetwork('cnn:2x10x9:4k3-5k2p1:6-3:scaled-tanh');
  assert.throws(() => crit.matchParams(model, { 'conv1.weight': { shape: [4, 2, 3, 3] } }), /no tensor 'conv1.bias'/);
  assert.throws(() => crit.matchParams(model, { ...Object.fromEntries(model.paramNames.map((n) => [n, { shape: model.paramShapes[n] }])), 'conv2.weight': { shape: [5, 4, 3, 3] } }), /conv2.weight.*\[5, 4, 3, 3\].*\[5, 4, 2, 2\]/);
  const x = crit.zeros([2, 3, 10, 9]);
  assert.throws(() => model.forward(model.init({ seed: 1 }), x), /input \[2, 3, 10, 9\] does not match/);
  await rejects(() => measureModel(model, model.init({ seed: 1 }), crit.zeros([2, 180]), { method: 'gram' }), /gram method needs an MLP/);
});

test.run();
