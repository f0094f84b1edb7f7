// crit loads the weights PyTorch wrote (scripts/make-torch-fixture.py) and reproduces PyTorch's outputs,
// its input-output Jacobian's singular values (through forward mode), and f64 gradients of the loss.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as crit from '../../src/index.node.js';

const dir = 'test/fixtures/torch';
const g = JSON.parse(readFileSync(join(dir, 'mlp-12-8-6-3.json'), 'utf8'));
const model = crit.buildModel(g.arch);
const inputs: number[][] = g.inputs;
const A = 1.7159, B = 0.6666;

/** f64 forward of the fixture's MLP on the host (from the f32 weights). */
function hostForward(w: Record<string, number[]>, x: number[]): number[] {
  let h = x;
  model.layers.forEach((l, k) => {
    const W = w[l.weight], b = w[l.bias!];
    const z = Array.from({ length: l.outFeatures }, (_, o) => b[o] + h.reduce((s, v, i) => s + W[o * l.inFeatures + i] * v, 0));
    h = k === model.layers.length - 1 ? z : z.map((v) => A * Math.tanh(B * v));
  });
  return h;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('the host f64 reference agrees with PyTorch in f64 (checks the reference itself)', () => {
  const out = inputs.map((x) => hostForward(g.weights, x));
  assert.ok(maxAbsDiff(out.flat(), g.outputs_f64.flat()) < 1e-12);
});

test('loads PyTorch safetensors (crit names, state_dict names, f64, f16) and reproduces its outputs', async () => {
  await crit.init();
  const x = crit.tensor(inputs.flat(), [inputs.length, 12]);
  const own = crit.matchParams(model, crit.loadSafetensorsFile(join(dir, g.files.weights)));
  assert.equal(own.unused, []);
  const y = await model.forward(own.params, x).readF32();
  // f32 on the GPU vs PyTorch's f32 (different summation order) and vs f64: outputs are O(1).
  assert.ok(maxAbsDiff(y, g.outputs_f32.flat()) < 2e-6, `vs torch f32: ${maxAbsDiff(y, g.outputs_f32.flat())}`);
  assert.ok(maxAbsDiff(y, g.outputs_f64.flat()) < 2e-6, `vs torch f64: ${maxAbsDiff(y, g.outputs_f64.flat())}`);

  const torchNamed = crit.loadSafetensorsFile(join(dir, g.files.torch_names));
  const m = crit.matchParams(model, torchNamed);
  assert.equal(m.source, g.torch_names);
  assert.equal(Array.from(await model.forward(m.params, x).readF32()), Array.from(y));
  const explicit = crit.matchParams(model, torchNamed, crit.parseNameMap('W1=0.weight, b1=0.bias,W2=2.weight,b2=2.bias,W3=4.weight,b3=4.bias'));
  assert.equal(explicit.source, g.torch_names);
  assert.equal(crit.torchSequentialNames(model), g.torch_names);

  const f64 = crit.matchParams(model, crit.loadSafetensorsFile(join(dir, g.files.f64)));
  assert.equal(Array.from(await model.forward(f64.params, x).readF32()), Array.from(y));
  const f16 = crit.matchParams(model, crit.loadSafetensorsFile(join(dir, g.files.f16)));
  const y16 = await model.forward(f16.params, x).readF32();
  const ref16 = inputs.map((xi) => hostForward(g.weights_f16, xi)).flat();
  assert.ok(maxAbsDiff(y16, ref16) < 2e-6, 'f16 weights: outputs of the f16-rounded net');

  // Inputs from the .npy and raw f32 files the measure command reads.
  const npy = crit.readInputsFile(join(dir, g.files.inputs_npy), 12);
  const raw = crit.readInputsFile(join(dir, g.files.inputs_raw_f32), 12);
  assert.equal(Array.from(npy.data), Array.from(Float32Array.from(inputs.flat())));
  assert.equal(Array.from(raw.data), Array.from(npy.data));
});

test('name matching errors say what the file has and what the model needs', async () => {
  await crit.init();
  const p = crit.loadSafetensorsFile(join(dir, g.files.weights));
  const other = crit.buildModel('mlp:12-8-3:scaled-tanh');
  assert.throws(() => crit.matchParams(other, p), /tensor 'W2' for W2 is \[6, 8\], mlp:12-8-3:scaled-tanh needs \[3, 8\]/);
  const wrong = crit.buildModel('mlp:12-8-5-3:scaled-tanh');
  assert.throws(() => crit.matchParams(wrong, p), /tensor 'W2' for W2 is \[6, 8\], mlp:12-8-5-3:scaled-tanh needs \[5, 8\]/);
  const t = { ...p, W1: crit.zeros([12, 8]) };
  assert.throws(() => crit.matchParams(model, t), /looks transposed: crit uses PyTorch's \[out, in\] layout/);
  assert.throws(() => crit.matchParams(model, { 'fc.weight': p.W1 }), /does not fit mlp:12-8-6-3:scaled-tanh: it needs W1 \[8, 12\].*the file has fc\.weight \[8, 12\]/);
  assert.throws(() => crit.matchParams(model, p, { W9: 'x' }), /W9 is not a parameter/);
  assert.throws(() => crit.parseNameMap('W1:fc'), /not OURS=THEIRS/);
});

test("forward mode through the model gives PyTorch's Jacobian singular values (the λ0 of each input)", async () => {
  await crit.init();
  const { params } = crit.matchParams(model, crit.loadSafetensorsFile(join(dir, g.files.weights)));
  for (let s = 0; s < inputs.length; s++) {
    // J [3, 12] column by column: one JVP per input direction e_i.
    const J: number[][] = [[], [], []];
    for (let i = 0; i < 12; i++) {
      const e = new Array(12).fill(0); e[i] = 1;
      const col = await crit.scope(() => crit.jvp((x) => model.forward(params, x), [crit.tensor(inputs[s])], [crit.tensor(e)]).tangent).readF32();
      for (let o = 0; o < 3; o++) J[o][i] = col[o];
    }
    // Largest singular value: power iteration on J Jᵀ (3 x 3) in f64.
    const M = [0, 1, 2].map((a) => [0, 1, 2].map((b) => J[a].reduce((acc, v, k) => acc + v * J[b][k], 0)));
    let v = [1, 0.5, 0.25], ev = 0;
    for (let it = 0; it < 500; it++) {
      const w = M.map((row) => row.reduce((acc, m, k) => acc + m * v[k], 0));
      ev = Math.hypot(...w);
      v = w.map((x) => x / ev);
    }
    const sMax = Math.sqrt(ev);
    const want = g.jacobian[s].Lambda0;
    assert.ok(Math.abs(sMax - want) / want < 1e-5, `input ${s}: s_max ${sMax} vs torch ${want}`);
    assert.ok(Math.abs(Math.log(sMax) / model.depth - g.jacobian[s].lambda0) < 1e-5);
  }
});

test('gradients of the cross-entropy through the model match f64 finite differences', async () => {
  await crit.init();
  const { params } = crit.matchParams(model, crit.loadSafetensorsFile(join(dir, g.files.weights)));
  const labels = [0, 2, 1, 1, 0, 2];
  const x = crit.tensor(inputs.flat(), [6, 12]);
  const y = crit.intTensor(labels);
  const names = model.paramNames;
  const { grads } = crit.valueAndGrad((...ps) => crit.crossEntropy(model.forward(crit.paramRecord(model, ps), x), y), crit.paramList(model, params));
  const hostLoss = (w: Record<string, number[]>) => inputs.reduce((s, xi, k) => {
    const z = hostForward(w, xi), m = Math.max(...z);
    return s + m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0)) - z[labels[k]];
  }, 0) / inputs.length;
  const h = 1e-6;
  for (let n = 0; n < names.length; n++) {
    const got = await grads[n].readF32();
    const w0 = g.weights[names[n]] as number[];
    for (let i = 0; i < w0.length; i += 5) {
      const plus = { ...g.weights, [names[n]]: w0.map((v, j) => (j === i ? v + h : v)) };
      const minus = { ...g.weights, [names[n]]: w0.map((v, j) => (j === i ? v - h : v)) };
      const fd = (hostLoss(plus) - hostLoss(minus)) / (2 * h);
      // f32 on the GPU against f64 central differences (truncation ~h² ≈ 1e-12): the worst seen is 1.1e-5.
      assert.ok(Math.abs(got[i] - fd) < 1e-4 * (1e-3 + Math.abs(fd)), `${names[n]}[${i}]: ${got[i]} vs finite difference ${fd}`);
    }
  }
});

test('reverse over forward through the model: d/dθ |J(x) v|² matches f64 finite differences', async () => {
  await crit.init();
  const { params } = crit.matchParams(model, crit.loadSafetensorsFile(join(dir, g.files.weights)));
  const x0 = inputs[1], v0 = inputs[4];
  /** |J v|² in f64 on the host: tangents t_l = g'(z_l) ⊙ (W_l t_{l-1}). */
  const hostJv2 = (w: Record<string, number[]>) => {
    let h = x0, t = v0;
    model.layers.forEach((l, k) => {
      const W = w[l.weight], b = w[l.bias!];
      const z = Array.from({ length: l.outFeatures }, (_, o) => b[o] + h.reduce((s, q, i) => s + W[o * l.inFeatures + i] * q, 0));
      const Wt = Array.from({ length: l.outFeatures }, (_, o) => t.reduce((s, q, i) => s + W[o * l.inFeatures + i] * q, 0));
      const last = k === model.layers.length - 1;
      h = last ? z : z.map((q) => A * Math.tanh(B * q));
      t = last ? Wt : Wt.map((q, o) => q * A * B * (1 - Math.tanh(B * z[o]) ** 2));
    });
    return t.reduce((s, q) => s + q * q, 0);
  };
  const x = crit.tensor(x0), v = crit.tensor(v0);
  const { value, grads } = crit.valueAndGrad((...ps) => {
    const p = crit.paramRecord(model, ps);
    const { tangent } = crit.jvp((xx) => model.forward(p, xx), [x], [v]);
    return crit.sum(crit.square(tangent));
  }, crit.paramList(model, params));
  assert.ok(Math.abs((await value.item()) - hostJv2(g.weights)) < 1e-5 * hostJv2(g.weights));
  const h = 1e-6;
  for (let n = 0; n < model.paramNames.length; n++) {
    const name = model.paramNames[n], got = await grads[n].readF32(), w0 = g.weights[name] as number[];
    for (let i = 0; i < w0.length; i += 3) {
      const at = (d: number) => hostJv2({ ...g.weights, [name]: w0.map((q, j) => (j === i ? q + d : q)) });
      const fd = (at(h) - at(-h)) / (2 * h);
      // The worst seen is 1.0e-6 of (1e-3 + |fd|).
      assert.ok(Math.abs(got[i] - fd) < 1e-5 * (1e-3 + Math.abs(fd)), `${name}[${i}]: ${got[i]} vs finite difference ${fd}`);
    }
  }
});

test.run();
