// tanh near 0 must keep relative precision: sub-critical networks carry signals of 1e-8..1e-3 through many
// layers, and a builtin that only keeps absolute precision (lavapipe's: relative error 2 at 1e-8) corrupts them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';

const xs = [1e-10, -1e-8, 3e-7, 1e-5, -2e-4, 0.01, 0.3, -0.62, 0.63, 1.5, -4, 20];

test('tanh and scaledTanh have full relative precision near 0 and saturate cleanly', async () => {
  await crit.init();
  const x = crit.tensor(xs);
  const t = await crit.tanh(x).readF32();
  const g = await crit.scaledTanh(x).readF32();
  const d = await crit.scaledTanhGrad(x).readF32();
  xs.forEach((v, i) => {
    const xf = Math.fround(v);
    const relT = Math.abs(t[i] - Math.tanh(xf)) / Math.abs(Math.tanh(xf));
    const exactG = 1.7159 * Math.tanh(0.6666 * xf);
    const relG = Math.abs(g[i] - exactG) / Math.abs(exactG);
    // a few f32 roundings (the constants 1.7159 and 0.6666 are rounded to f32 too)
    assert.ok(relT < 4e-7, `tanh(${v}): relative error ${relT}`);
    assert.ok(relG < 1e-6, `scaledTanh(${v}): relative error ${relG}`);
    const exactD = 1.7159 * 0.6666 * (1 - Math.tanh(0.6666 * xf) ** 2);
    assert.ok(Math.abs(d[i] - exactD) <= 1e-6 * Math.max(1e-30, exactD) + 2e-7, `scaledTanhGrad(${v}): ${d[i]} vs ${exactD}`);
  });
});

test.run();
