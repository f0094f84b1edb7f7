// Continual backpropagation against an independent f64 PyTorch implementation of Dohare et al.'s generate-and-test
// (scripts/make-cbp-fixture.py): a small ConvNet (two convolutions, the last feeding fc1 with 2x2 positions per
// channel, then two hidden dense layers) and an MLP, each trained 40 SGD steps with momentum while units are replaced. Every random
// number (initial weights, batches, new units' weights) comes from crit's counter-based generator in both, so the
// trajectories are the same numbers: the same units replaced at the same steps, and the same weights after.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as crit from '../../src/index.node.js';
import { rngBits } from '../../src/ops/random.js';
import { rejects } from '../rejects.js';

interface Run { losses: number[]; events: { step: number; layer: number; units: number[] }[]; params: Record<string, number[]>; util: number[][]; ages: number[][] }
interface Golden { seed: number; data_seed: number; steps: number; batch: number; lr: number; momentum: number; rate: number; decay: number; maturity: number; nets: Record<'cnn' | 'mlp', { arch: string; runs: Record<string, Run> }> }
const g = JSON.parse(readFileSync('test/fixtures/torch/cbp.json', 'utf8')) as Golden;
const CNN_ARCH = g.nets.cnn.arch;

/** The fixture's batches, in order: inputs U[-1, 1) from stream 1000 + step, labels from stream 2000 + step. */
function fixtureData(model: crit.CNN | crit.MLP): crit.Dataset {
  const f = model.inputSize, B = g.batch;
  const x = new Float32Array(g.steps * B * f), y = new Int32Array(g.steps * B);
  for (let s = 0; s < g.steps; s++) {
    x.set(crit.uniformHost(B * f, -1, 1, { seed: g.data_seed, stream: 1000 + s }), s * B * f);
    for (let i = 0; i < B; i++) y[s * B + i] = rngBits(g.data_seed, 2000 + s, i)[0] % model.outputSize;
  }
  return new crit.Dataset(x, y, model instanceof crit.CNN ? model.spec.input : [f], model.outputSize, 'cbp fixture');
}

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); }
  return d / m;
};

test.before(async () => { await crit.init(); });

for (const net of ['cnn', 'mlp'] as const) for (const utility of ['contribution', 'adaptable_contribution'] as const) {
  test(`${g.nets[net].arch}, ${utility}: the same units replaced at the same steps, and the same weights, as PyTorch`, async () => {
    const ref = g.nets[net].runs[utility];
    const model = crit.buildNetwork(g.nets[net].arch) as crit.CNN | crit.MLP;
    const params = model.init({ scheme: 'torch', seed: g.seed });
    const optimizer = new crit.SGD(params, { lr: g.lr, momentum: g.momentum });
    const events: { step: number; layer: number; units: number[] }[] = [];
    let step = 0;
    const cbp = new crit.ContinualBackprop(crit.unitLayers(model), params, optimizer, {
      replacementRate: g.rate, decay: g.decay, maturity: g.maturity, utility, seed: g.seed,
      onReplace: (layer, units) => events.push({ step, layer, units }),
    });
    const hook: crit.StepHook = { update: (i) => { step = i.step; cbp.update(i); }, settle: () => cbp.settle() };
    const history = await crit.trainModel({ model, params, optimizer, data: fixtureData(model), epochs: 1, batchSize: g.batch, loss: crit.crossEntropyLoss(model, { hidden: true }), afterStep: hook });
    assert.ok(Math.abs(history[0].trainLoss - ref.losses.reduce((a, b) => a + b) / ref.losses.length) < 1e-5, 'mean training loss');
    assert.equal(events, ref.events, 'replacement events (step, layer, units)');
    let worst = 0;
    for (const n of model.paramNames) {
      const e = relErr(await params[n].readF32(), ref.params[n]);
      // f32 against f64 over 40 momentum steps; replaced rows are bit-identical draws, zeroed slices exactly 0.
      assert.ok(e < 1e-5, `${n}: ${e.toExponential(2)} of its largest entry`);
      worst = Math.max(worst, e);
    }
    const state = cbp.stateTensors();
    for (let i = 0; i < ref.util.length; i++) {
      const e = relErr(await state[`${i}.util`].readF32(), ref.util[i]);
      assert.ok(e < 1e-4, `utility of layer ${i}: ${e.toExponential(2)}`);
    }
    assert.equal(cbp.counterState().map((c) => c.ages), ref.ages, 'unit ages');
    assert.equal(cbp.replaced, ref.util.map((_, i) => ref.events.filter((e) => e.layer === i).reduce((n, e) => n + e.units.length, 0)));
    console.log(`  ${net} ${utility}: ${events.length} replacements as PyTorch's; weights within ${worst.toExponential(1)} of their largest entry`);
    cbp.dispose(); optimizer.dispose(); crit.disposeParams(params);
  });
}

test('replacement rate 0 is plain backpropagation, bit for bit', async () => {
  const model = crit.buildNetwork(CNN_ARCH) as crit.CNN;
  const data = fixtureData(model);
  const final: Float32Array[][] = [];
  for (const withHook of [false, true]) {
    const params = model.init({ scheme: 'torch', seed: g.seed });
    const optimizer = new crit.SGD(params, { lr: g.lr, momentum: g.momentum });
    const cbp = new crit.ContinualBackprop(crit.unitLayers(model), params, optimizer, { replacementRate: 0, seed: 1, maturity: 0 });
    await crit.trainModel({ model, params, optimizer, data, epochs: 1, batchSize: g.batch, loss: crit.crossEntropyLoss(model, { hidden: withHook }), afterStep: withHook ? cbp : undefined });
    final.push(await Promise.all(model.paramNames.map((n) => params[n].readF32())));
    assert.equal(cbp.replaced, [0, 0, 0, 0]);
    cbp.dispose(); optimizer.dispose(); crit.disposeParams(params);
  }
  assert.equal(final[1], final[0]);
});

test('a checkpointed hook resumes the same trajectory', async () => {
  const model = crit.buildNetwork(CNN_ARCH) as crit.CNN;
  const data = fixtureData(model);
  const o = { replacementRate: g.rate, decay: g.decay, maturity: g.maturity, utility: 'adaptable_contribution' as const, seed: g.seed };
  const half = data.slice(0, (g.steps / 2) * g.batch), rest = data.slice((g.steps / 2) * g.batch);
  const run = async (parts: crit.Dataset[][]) => {
    let saved: { tensors: Record<string, crit.HostArray>; counters: crit.ContinualBackpropCounters; params: Record<string, Float32Array>; momentum: Record<string, crit.HostArray>; steps: number } | null = null;
    for (const part of parts) {
      const params = model.init({ scheme: 'torch', seed: g.seed });
      const optimizer = new crit.SGD(params, { lr: g.lr, momentum: g.momentum });
      const cbp = new crit.ContinualBackprop(crit.unitLayers(model), params, optimizer, o);
      if (saved) {
        for (const n of model.paramNames) params[n].engine.write(params[n].buffer, saved.params[n], 0, true);
        optimizer.restoreState(saved.momentum, saved.steps);
        cbp.restoreState(saved.tensors, saved.counters);
      }
      for (const d of part) await crit.trainModel({ model, params, optimizer, data: d, epochs: 1, batchSize: g.batch, loss: crit.crossEntropyLoss(model, { hidden: true }), afterStep: cbp });
      const tensors: Record<string, crit.HostArray> = {};
      for (const [k, t] of Object.entries(cbp.stateTensors())) tensors[k] = { shape: [...t.shape], data: await t.readF32() };
      const momentum: Record<string, crit.HostArray> = {};
      for (const [k, t] of Object.entries(optimizer.stateTensors())) momentum[k] = { shape: [...t.shape], data: await t.readF32() };
      const ps: Record<string, Float32Array> = {};
      for (const n of model.paramNames) ps[n] = await params[n].readF32();
      saved = { tensors, counters: JSON.parse(JSON.stringify(cbp.counterState())), params: ps, momentum, steps: optimizer.steps };
      cbp.dispose(); optimizer.dispose(); crit.disposeParams(params);
    }
    return saved!;
  };
  const straight = await run([[half, rest]]);
  const resumed = await run([[half], [rest]]);
  assert.equal(resumed.params, straight.params);
  assert.equal(resumed.counters, straight.counters);
});

test('bad settings and models give errors that name the problem', async () => {
  const model = crit.buildNetwork(CNN_ARCH) as crit.CNN;
  const params = model.init({ scheme: 'torch', seed: 1 });
  const layers = crit.unitLayers(model);
  assert.throws(() => new crit.ContinualBackprop(layers, params, null, { replacementRate: -1, seed: 1 }), /replacement rate must be in \[0, 1\]/);
  assert.throws(() => new crit.ContinualBackprop(layers, params, null, { replacementRate: 0.1, seed: 1, utility: 'random' as never }), /unknown utility 'random'/);
  const { ['fc2.weight']: _, ...missing } = params;
  assert.throws(() => new crit.ContinualBackprop(layers, missing, null, { replacementRate: 0.1, seed: 1 }), /parameter fc2.weight is missing/);
  const cbp = new crit.ContinualBackprop(layers, params, null, { replacementRate: 0.1, seed: 1 });
  assert.throws(() => cbp.update({ params, hidden: undefined, epoch: 0, step: 0 }), /needs the hidden activations/);
  assert.throws(() => crit.crossEntropyLoss({ forward: (_p: crit.Params, x: crit.Tensor) => x }, { hidden: true }), /need a model with stages/);
  await rejects(async () => cbp.restoreState({}, [], 'ckpt.safetensors'), /ckpt.safetensors: continual-backprop counters for 0 layers, expected 4/);
  cbp.dispose(); crit.disposeParams(params);
});

test.run();
