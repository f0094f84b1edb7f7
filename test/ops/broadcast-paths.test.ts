// The binary elementwise kernel has four index paths (same shape, operand A or B a repeated block, general
// strides); each must give the f64 reference's result, and repeatedBlock must pick the block path only when
// the broadcast operand's data really is one contiguous run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';
import { repeatedBlock } from '../../src/ops/elementwise.js';

test('repeatedBlock recognises rows, columns, scalars and inner blocks, and refuses split runs', () => {
  assert.equal(repeatedBlock([4], [3, 4]), [1, 4]);
  assert.equal(repeatedBlock([3, 1], [3, 4]), [4, 3]);
  assert.equal(repeatedBlock([1], [3, 4]), [1, 1]);
  assert.equal(repeatedBlock([3, 4], [2, 3, 4]), [1, 12]);
  assert.equal(repeatedBlock([2, 1, 1], [2, 3, 4]), [12, 2]);
  assert.equal(repeatedBlock([1, 3, 1], [2, 3, 4]), [4, 3]);
  assert.equal(repeatedBlock([2, 1, 4], [2, 3, 4]), null);
});

const pairs: [number[], number[]][] = [
  [[5, 7], [7]], [[7], [5, 7]], [[5, 7], [5, 1]], [[5, 1], [5, 7]], [[2, 3, 4], [3, 1]], [[1, 3, 1], [2, 3, 4]],
  [[2, 3, 4], [2, 1, 4]], [[3, 1], [1, 4]], [[6, 5], [1]], [[130, 33], [33]],
];

test('every index path of add, mul and div matches the f64 reference', async () => {
  await crit.init();
  let seed = 10;
  for (const [sa, sb] of pairs) {
    const na = sa.reduce((p, d) => p * d, 1), nb = sb.reduce((p, d) => p * d, 1);
    const ha = crit.uniformHost(na, -2, 2, { seed: seed++ }), hb = crit.uniformHost(nb, 0.5, 2, { seed: seed++ });
    const a = crit.tensor(ha, sa), b = crit.tensor(hb, sb);
    for (const [name, f] of [['add', crit.add], ['mul', crit.mul], ['div', crit.div]] as const) {
      const got = await (f as (x: crit.Tensor, y: crit.Tensor) => crit.Tensor)(a, b).readF32();
      const want = crit.opTable.get(name)!.reference!([{ data: Float64Array.from(ha), shape: sa }, { data: Float64Array.from(hb), shape: sb }], { p0: 0, p1: 0 });
      assert.equal(got.length, want.data.length, `${name} ${sa} ${sb}: size`);
      want.data.forEach((w, i) => {
        // one f32 rounding of the exact result (div: the WGSL spec allows 2.5 ulp)
        assert.ok(Math.abs(got[i] - w) <= 3 * 2 ** -24 * Math.abs(w) + 1e-30, `${name} [${sa}] with [${sb}] at ${i}: ${got[i]} vs ${w}`);
      });
    }
  }
});

test.run();
