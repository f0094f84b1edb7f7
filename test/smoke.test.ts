import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../src/index.node.js';

test('smoke', async () => {
  await crit.init();
  const a = crit.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = crit.tensor([1, 0, 0, 1, 1, 1], [3, 2]);
  const c = crit.matmul(a, b);
  assert.equal([...(await c.read())], [4, 5, 10, 11]);
  const d = crit.add(a, crit.tensor([10, 20, 30], [3]));
  assert.equal([...(await d.read())], [11, 22, 33, 14, 25, 36]);
  const s = crit.sum(a, 1);
  assert.equal([...(await s.read())], [6, 15]);
  const { grads } = crit.valueAndGrad((x) => crit.sum(crit.square(x)), [a]);
  assert.equal([...(await grads[0].read())], [2, 4, 6, 8, 10, 12]);
  const { tangent } = crit.jvp((x) => crit.scaledTanh(x), [a], [crit.ones([2, 3])]);
  console.log(await tangent.read());
  const ce = crit.crossEntropy(a, crit.intTensor([0, 2]));
  console.log(await ce.read());
});
test.run();
