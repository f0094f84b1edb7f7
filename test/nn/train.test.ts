import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';

test("the paper's MLP learns embedded MNIST digits in 2 epochs; metrics per epoch; params saved and reloaded", async () => {
  await crit.init();
  const all = await crit.loadEmbeddedMnist();
  const [train, rest] = all.split(600, 1);
  const test10 = rest.slice(0, 300);
  const model = crit.buildModel('mlp:784-1000-500-10:scaled-tanh');
  const params = model.init({ scheme: 'init0', seed: 3 });
  const opt = new crit.SGD(params, { lr: 0.02, momentum: 0.9 });
  const seen: crit.EpochMetrics[] = [];
  const t0 = performance.now();
  const history = await crit.trainModel({
    model, params, optimizer: opt, data: train, test: test10, epochs: 2, batchSize: 32, seed: 5,
    schedule: crit.exponentialDecay(0.02, 0.997), evalAtStart: true,
    onEpoch: (m) => { seen.push(m); },
  });
  const secs = (performance.now() - t0) / 1000;
  assert.equal(seen, history);
  assert.equal(history.map((m) => m.epoch), [0, 1, 2]);
  assert.equal(history.map((m) => m.lr), [0.02, 0.02, 0.02 * 0.997]);
  assert.equal(history.map((m) => m.steps), [0, 19, 19]);
  const [h0, h1, h2] = history;
  console.log(history.map((m) => `epoch ${m.epoch}: train loss ${m.trainLoss.toFixed(3)}, test acc ${m.testAccuracy!.toFixed(3)}, test loss ${m.testLoss!.toFixed(3)}, ${m.seconds.toFixed(2)} s`).join('\n') + `\n(total ${secs.toFixed(1)} s)`);
  assert.ok(h0.testAccuracy! < 0.3, `untrained accuracy ${h0.testAccuracy}`);
  assert.ok(h2.testAccuracy! > 0.7, `accuracy after 2 epochs ${h2.testAccuracy} (chance 0.1)`);
  assert.ok(h2.trainLoss < h1.trainLoss && h2.testLoss! < h0.testLoss!);
  const saved = await crit.saveSafetensors(params, { arch: model.arch });
  const back = crit.matchParams(model, crit.loadSafetensors(saved));
  const again = await crit.evaluate(model, back.params, test10);
  assert.is(again.accuracy, h2.testAccuracy);
  opt.dispose();
  crit.disposeParams(params);
});

test('deterministic by seed; extra loss metrics are sample-weighted epoch means; onEpoch can stop', async () => {
  await crit.init();
  const data = (await crit.loadEmbeddedMnist()).split(130, 9)[0];
  const model = crit.buildModel('mlp:784-16-10:tanh');
  const runOnce = async (seed: number, stopAfter = 99) => {
    const params = model.init({ scheme: 'init1', seed: 1 });
    const ce = crit.crossEntropyLoss(model);
    const loss: crit.LossFn = (p, x, y, batch) => {
      assert.is(batch.indices.length, x.shape[0]);
      const out = ce(p, x, y, batch);
      return { ...out, metrics: { ce: out.loss, twice: crit.scale(out.loss, 2) } };
    };
    const h = await crit.trainModel({ model, params, optimizer: new crit.Adam(params, { lr: 1e-3 }), data, epochs: 3, batchSize: 50, seed, loss, onEpoch: (m) => m.epoch < stopAfter });
    const w = await params.W1.readF32();
    crit.disposeParams(params);
    return { h, w };
  };
  const a = await runOnce(4), b = await runOnce(4), c = await runOnce(5);
  assert.equal(Array.from(a.w), Array.from(b.w));
  assert.equal(a.h.map((m) => m.trainLoss), b.h.map((m) => m.trainLoss));
  assert.ok(a.w.some((v, i) => v !== c.w[i]), 'a different shuffling seed changes the result');
  for (const m of a.h) {
    assert.equal(m.steps, 3); // 50 + 50 + 30 samples
    assert.ok(Math.abs(m.extra.ce - m.trainLoss) < 1e-6 * m.trainLoss);
    assert.ok(Math.abs(m.extra.twice - 2 * m.trainLoss) < 1e-6 * m.trainLoss);
  }
  const stopped = await runOnce(4, 2);
  assert.equal(stopped.h.map((m) => m.epoch), [1, 2]);
});

test('training errors', async () => {
  await crit.init();
  const data = (await crit.loadEmbeddedMnist()).slice(0, 10);
  const model = crit.buildModel('mlp:100-10:relu');
  const params = model.init({ seed: 1 });
  let msg = '';
  try { await crit.trainModel({ model, params, optimizer: new crit.SGD(params, { lr: 0.1 }), data, epochs: 1, batchSize: 4, seed: 1 }); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /the data has 784 features per sample, the model takes 100/);
  msg = '';
  const m2 = crit.buildModel('mlp:784-10:relu');
  const p2 = m2.init({ seed: 1 });
  try { await crit.trainModel({ model: m2, params: p2, optimizer: new crit.SGD(p2, { lr: 0.1 }), data, epochs: 1, batchSize: 0, seed: 1 }); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /batchSize must be an integer >= 1/);
});

test.run();
