// `crit measure` on the weights PyTorch wrote (test/fixtures/torch, scripts/make-torch-fixture.py): λ0 per input
// against PyTorch's f64 Jacobian SVD, σ and Σ from PyTorch's outputs, the gradient file (names, shapes, values
// against f64 finite differences), and errors that name the tensor or file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { rejects } from '../rejects.js';
import * as crit from '../../src/index.node.js';
import { measure } from '../../src/cli/commands/measure.js';
import { hostLogSigmaMax } from './host-mlp.js';

const dir = 'test/fixtures/torch';
const g = JSON.parse(readFileSync(join(dir, 'mlp-12-8-6-3.json'), 'utf8'));
const model = crit.buildModel(g.arch);
const tmp = mkdtempSync(join(tmpdir(), 'crit-measure-'));

/** Runs the command and returns what it printed on stdout. */
async function run(args: string[]): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => { lines.push(a.join(' ')); };
  try {
    const code = await measure.run(args);
    assert.is(code, 0);
  } finally { console.log = log; }
  return lines.join('\n');
}

const base = ['--arch', g.arch, '--weights', join(dir, g.files.weights), '--inputs', join(dir, g.files.inputs_npy)];

test('λ0 per input matches PyTorch\'s f64 SVD (both methods), σ and Σ match PyTorch\'s outputs', async () => {
  const L = g.layers;
  const inputs: number[][] = g.inputs, outputs: number[][] = g.outputs_f64;
  const mean = (a: number[]) => a.reduce((s, v) => s + Math.abs(v), 0) / a.length;
  const aIn = mean(inputs.flat()), aOut = mean(outputs.flat());
  for (const method of ['gram', 'power']) {
    const r = JSON.parse(await run([...base, '--json', '--method', method]));
    assert.is(r.method, method);
    assert.is(r.count, inputs.length);
    assert.is(r.inputs.length, inputs.length);
    r.inputs.forEach((p: { lambda0: number; logLambda0: number; Lambda0: number; sigma: number }, i: number) => {
      const ref = g.jacobian[i];
      // f32 forward and Jacobian products of O(1) numbers against f64: ~1e-7; power iteration stops at 1e-6 in log Λ0.
      assert.ok(Math.abs(p.lambda0 - ref.lambda0) < 1e-6, `${method} input ${i}: λ0 ${p.lambda0} vs torch ${ref.lambda0}`);
      assert.ok(Math.abs(p.Lambda0 / ref.Lambda0 - 1) < 3e-6);
      assert.ok(Math.abs(p.logLambda0 - L * p.lambda0) < 1e-12);
      assert.ok(Math.abs(p.sigma - mean(outputs[i]) / mean(inputs[i])) < 1e-5, `σ of input ${i}`);
    });
    assert.ok(Math.abs(r.sigma - aOut / aIn) < 1e-5, `σ ${r.sigma} vs ${aOut / aIn}`);
    assert.ok(Math.abs(r.Sigma - Math.abs(1 - aOut / aIn)) < 1e-5);
  }
});

test('reads PyTorch state_dict names and raw f32 inputs; the gradient file keeps the file\'s names and matches f64 finite differences', async () => {
  const out = join(tmp, 'grad.safetensors');
  const lt = 0.1;
  const r = JSON.parse(await run(['--arch', g.arch, '--weights', join(dir, g.files.torch_names), '--inputs', join(dir, g.files.inputs_raw_f32), '--json', '--grad-out', out, '--lambda-target', String(lt)]));
  const file = crit.readSafetensorsFile(out);
  assert.equal(Object.keys(file.tensors), Object.values(g.torch_names));
  for (const [ours, theirs] of Object.entries(g.torch_names as Record<string, string>)) assert.equal(file.tensors[theirs].shape, model.paramShapes[ours]);
  assert.is(file.metadata.lambda_target, String(lt));
  // f64 reference: mean over inputs of (λ_t − log σ_max / L)², central differences on the fixture's weights.
  const w: Record<string, number[]> = Object.fromEntries(Object.entries(g.weights as Record<string, number[]>).map(([k, v]) => [k, [...v]]));
  const loss = () => g.inputs.reduce((s: number, x: number[]) => s + (lt - hostLogSigmaMax(model.layers, w, x) / g.layers) ** 2, 0) / g.inputs.length;
  assert.ok(Math.abs(r.penalty - loss()) < 1e-6, `penalty ${r.penalty} vs ${loss()}`);
  let worst = 0, largest = 0;
  for (const [ours, theirs] of Object.entries(g.torch_names as Record<string, string>)) {
    const got = file.tensors[theirs].data;
    for (let i = 0; i < w[ours].length; i++) {
      const keep = w[ours][i], h = 1e-6;
      w[ours][i] = keep + h; const up = loss();
      w[ours][i] = keep - h; const down = loss();
      w[ours][i] = keep;
      const fd = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(got[i] - fd)); largest = Math.max(largest, Math.abs(fd));
    }
  }
  // Measured: 1.1e-8 against a largest derivative of 0.025 (f32 rounding). Tolerance 1e-5 relative.
  assert.ok(largest > 1e-3);
  assert.ok(worst < 1e-5 * largest, `max |grad - fd| = ${worst} of ${largest}`);
});

test('a human-readable table without --json', async () => {
  const text = await run(base);
  assert.match(text, /mlp:12-8-6-3:scaled-tanh: 6 inputs, λ0 by the Gram matrix/);
  assert.match(text, /sigma [\d.]+ {2}Sigma [\d.]+/);
  assert.is(text.split('\n').filter((l) => /^\d+ /.test(l)).length, 6);
});

test('errors name the missing tensor, the wrong shape, the bad inputs file and the missing flags', async () => {
  const p = crit.readSafetensorsFile(join(dir, g.files.weights));
  const partial = { ...p.tensors };
  delete partial.b2;
  const missing = join(tmp, 'missing.safetensors');
  writeFileSync(missing, crit.writeSafetensors(partial));
  await rejects(() => run(['--arch', g.arch, '--weights', missing, '--inputs', join(dir, g.files.inputs_npy)]), /no tensor 'b2' for b2 \[6\]/);
  await rejects(() => run(['--arch', 'mlp:12-8-5-3:scaled-tanh', '--weights', join(dir, g.files.weights), '--inputs', join(dir, g.files.inputs_npy)]), /tensor 'W2' for W2 is \[6, 8\], mlp:12-8-5-3:scaled-tanh needs \[5, 8\]/);
  await rejects(() => run(['--arch', g.arch, '--weights', join(dir, g.files.weights), '--inputs', join(dir, g.files.inputs_npy), '--names', 'W1=fc1.weight']), /no tensor 'fc1.weight' for W1/);
  const bad = join(tmp, 'bad.f32');
  writeFileSync(bad, new Uint8Array(new Float32Array(13).buffer));
  await rejects(() => run(['--arch', g.arch, '--weights', join(dir, g.files.weights), '--inputs', bad]), /13 f32 values are not a whole number of rows of 12/);
  await rejects(() => run(['--arch', g.arch, '--weights', join(dir, 'nope.safetensors'), '--inputs', bad]), /nope\.safetensors does not exist/);
  await rejects(() => run([...base, '--grad-out', join(tmp, 'g.safetensors')]), /--grad-out needs --lambda-target/);
  await rejects(() => run([...base.slice(0, 4)]), /--inputs is required/);
  await rejects(() => run([...base, '--method', 'svd']), /--method must be gram or power/);
});

test.run();
