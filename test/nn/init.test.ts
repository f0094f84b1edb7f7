import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';

test('architecture specs', () => {
  const s = crit.parseArch('mlp:784-1000-500-10:scaled-tanh');
  assert.equal(s, { kind: 'mlp', sizes: [784, 1000, 500, 10], activation: 'scaled-tanh', bias: true });
  assert.is(crit.formatArch(crit.parseArch(' mlp:3-2:relu:nobias ')), 'mlp:3-2:relu:nobias');
  const m = crit.buildModel('mlp:784-1000-500-10:scaled-tanh');
  assert.equal(m.paramNames, ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
  assert.equal(m.paramShapes.W2, [500, 1000]);
  assert.is(m.depth, 3);
  assert.is(m.paramCount, 784 * 1000 + 1000 + 1000 * 500 + 500 + 500 * 10 + 10);
  assert.equal(m.layers.map((l) => l.activation), ['scaled-tanh', 'scaled-tanh', 'identity']);
  assert.throws(() => crit.parseArch('cnn:1-2:relu'), /unknown kind 'cnn'/);
  assert.throws(() => crit.parseArch('mlp:784:relu'), /two or more positive integers/);
  assert.throws(() => crit.parseArch('mlp:784-0-10:relu'), /two or more positive integers/);
  assert.throws(() => crit.parseArch('mlp:784-10:swish'), /unknown activation 'swish' \(known: scaled-tanh, /);
  assert.throws(() => crit.parseArch('mlp:784-10:relu:dropout'), /unknown flag 'dropout'/);
  assert.throws(() => crit.parseArch('mlp:784-10'), /expected mlp:/);
});

test('init schemes: bounds as defined, weights bit-identical to the CPU twin of the generator, biases zero', async () => {
  await crit.init();
  const m = crit.buildModel('mlp:300-200-10:scaled-tanh');
  const expected = {
    init0: [0.05, 0.05],
    init1: [Math.sqrt(6 / 500), Math.sqrt(6 / 210)],
    init2: [Math.sqrt(6 / 300), Math.sqrt(6 / 200)],
    init3: [2.4 / 300, 2.4 / 200],
    torch: [1 / Math.sqrt(300), 1 / Math.sqrt(200)],
  } as const;
  for (const [scheme, bounds] of Object.entries(expected)) {
    const p = m.init({ scheme, seed: 11 });
    for (let l = 0; l < 2; l++) {
      const w = await p[`W${l + 1}`].readF32();
      const host = crit.uniformHost(w.length, -bounds[l], bounds[l], { seed: 11, stream: 2 * l });
      assert.equal(Array.from(w), Array.from(host), `${scheme} W${l + 1}`);
      const maxAbs = w.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      assert.ok(maxAbs <= Math.fround(bounds[l]) && maxAbs > 0.98 * bounds[l], `${scheme} W${l + 1}: max |w| = ${maxAbs}, bound ${bounds[l]}`);
      const b = await p[`b${l + 1}`].readF32();
      if (scheme === 'torch') {
        assert.equal(Array.from(b), Array.from(crit.uniformHost(b.length, -bounds[l], bounds[l], { seed: 11, stream: 2 * l + 1 })));
      } else assert.ok(b.every((v) => v === 0), `${scheme} b${l + 1} not zero`);
    }
    crit.disposeParams(p);
  }
  // Aliases and seeds.
  assert.is(crit.initScheme('xavier'), crit.initScheme('init1'));
  assert.is(crit.initScheme('lecun'), crit.initScheme('init3'));
  assert.throws(() => crit.initScheme('orthogonal'), /unknown init scheme 'orthogonal'/);
  const a = await m.init({ scheme: 'init0', seed: 1 }).W1.readF32(), b = await m.init({ scheme: 'init0', seed: 2 }).W1.readF32();
  assert.ok(a.some((v, i) => v !== b[i]));
});

test('Linear layer: y = x Wᵀ + b, names, missing parameters', async () => {
  await crit.init();
  const lin = new crit.Linear(3, 2, { name: 'fc' });
  assert.is(lin.weight, 'Wfc');
  const p = { Wfc: crit.tensor([1, 2, 3, 4, 5, 6], [2, 3]), bfc: crit.tensor([10, 20]) };
  const y = lin.forward(p, crit.tensor([1, 0, -1, 2, 2, 2], [2, 3]));
  assert.equal(Array.from(await y.read()), [1 - 3 + 10, 4 - 6 + 20, 12 + 10, 30 + 20]);
  assert.throws(() => lin.forward({ Wfc: p.Wfc }, crit.tensor([1, 2, 3], [1, 3])), /parameter bfc is missing/);
  const nb = new crit.Linear(3, 2, { bias: false });
  assert.is(nb.bias, null);
  assert.equal(Object.keys(nb.init('init0', 1)), ['W']);
});

test.run();
