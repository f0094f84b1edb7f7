// Constructors and fill: exact values and bits for f32 and i32, empty tensors through ops, copy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';

test.before(async () => { await crit.init(); });

test('full / zeros / ones fill every element (sizes around the workgroup of 64)', async () => {
  for (const n of [1, 63, 64, 65, 130, 4097]) {
    for (const v of [0, 1, -2.5, 3.4028234663852886e38, -Infinity, 1e-45]) {
      const got = await crit.full([n], v).readF32();
      assert.ok(got.every((x) => x === Math.fround(v)), `full([${n}], ${v})`);
    }
  }
  assert.equal([...(await crit.zeros([2, 3]).read())], [0, 0, 0, 0, 0, 0]);
  assert.equal([...(await crit.ones([3]).read())], [1, 1, 1]);
  // -0 keeps its sign bit.
  assert.ok(Object.is((await crit.full([1], -0).readF32())[0], -0));
});

test('fill writes exact bits into i32 tensors', async () => {
  const t = crit.Tensor.empty([7], 'i32');
  crit.fillInPlace(t, -1);
  assert.equal([...(await t.read())], [-1, -1, -1, -1, -1, -1, -1]);
  crit.fillInPlace(t, 2147483647);
  assert.equal([...(await t.read())], new Array(7).fill(2147483647));
});

test('scatterRowsInPlace writes rows at indices in place (exact bits, any row length; out-of-range rows skipped)', async () => {
  for (const row of [1, 3, 65]) {
    const dst = crit.tensor(Array.from({ length: 5 * row }, (_, i) => i), [5, row]);
    const src = crit.tensor(Array.from({ length: 3 * row }, (_, i) => -1 - i), [3, row]);
    const keep = dst.buffer;
    crit.scatterRowsInPlace(dst, crit.intTensor([4, 0, 9]), src);
    assert.ok(dst.buffer === keep, 'the same buffer');
    const want = Array.from({ length: 5 * row }, (_, i) => i);
    for (let c = 0; c < row; c++) { want[4 * row + c] = -1 - c; want[c] = -1 - row - c; }
    assert.equal([...(await dst.read())], want, `row ${row}`);
  }
  const ints = crit.intTensor([0, 0, 0, 0]).view([2, 2]);
  crit.scatterRowsInPlace(ints, crit.intTensor([1]), crit.intTensor([-1, 2147483647]).view([1, 2]));
  assert.equal([...(await ints.read())], [0, 0, -1, 2147483647]);
  assert.throws(() => crit.scatterRowsInPlace(crit.zeros([4, 3]), crit.intTensor([0, 1]), crit.zeros([2, 4])), /2 rows of f32 \[2, 4\] into f32 \[4, 3\]/);
});

test('tensor / intTensor round-trip; copy makes new memory with the same values', async () => {
  const data = [1.5, -2, 3.25, 0, 1e-30, -1e30];
  const t = crit.tensor(data, [2, 3]);
  assert.equal([...(await t.read())], data.map(Math.fround));
  const c = crit.copy(t);
  assert.ok(c.buffer !== t.buffer);
  t.dispose();
  assert.equal([...(await c.read())], data.map(Math.fround));
  assert.equal([...(await crit.intTensor([-5, 7, 2147483647]).read())], [-5, 7, 2147483647]);
});

test('empty tensors pass through ops', async () => {
  const e = crit.zeros([0, 3]);
  assert.equal([...crit.add(e, crit.ones([3])).shape], [0, 3]);
  assert.equal([...(await crit.sum(e, 0).read())], [0, 0, 0]);
  assert.equal([...crit.matmul(crit.zeros([0, 3]), crit.zeros([3, 2])).shape], [0, 2]);
  assert.equal([...(await crit.matmul(crit.zeros([2, 0]), crit.zeros([0, 2])).read())], [0, 0, 0, 0], 'an empty inner dimension sums to 0');
  assert.equal((await crit.exp(crit.zeros([0])).read()).length, 0);
});

test.run();
