// Bad input gives a CritError whose message names the shapes, values or limits involved: never a crash
// in the driver, never a silently wrong number.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../src/index.node.js';
import type { Tensor } from '../src/index.node.js';

test.before(async () => { await crit.init(); });

/** Asserts that fn throws (or rejects with) a CritError whose message matches every pattern. */
async function throwsCrit(fn: () => unknown, ...patterns: (RegExp | string)[]): Promise<void> {
  let err: unknown;
  try { await fn(); } catch (e) { err = e; }
  assert.ok(err, `expected a CritError matching ${patterns.join(', ')}, nothing was thrown`);
  assert.instance(err, crit.CritError, `not a CritError: ${err}`);
  const msg = (err as Error).message;
  for (const p of patterns) assert.ok(typeof p === 'string' ? msg.includes(p) : p.test(msg), `message "${msg}" lacks ${p}`);
}
const t = (shape: number[], v = 1) => crit.full(shape, v);

test('shape mismatches name both shapes', async () => {
  await throwsCrit(() => crit.matmul(t([2, 3]), t([4, 5])), 'matmul', '[2, 3]', '[4, 5]', '3 vs 4');
  await throwsCrit(() => crit.matmul(t([2, 3]), t([2, 5]), { transA: true, transB: true }), '[2, 3]ᵀ', '[2, 5]ᵀ', '2 vs 5');
  await throwsCrit(() => crit.matmul(t([2, 3, 4]), t([3, 4, 5])), 'batch', '[2]', '[3]');
  await throwsCrit(() => crit.matmul(t([3]), t([3, 2])), 'rank 2 or more', '[3]');
  await throwsCrit(() => crit.add(t([2, 3]), t([4])), 'add', '[2, 3]', '[4]', 'do not broadcast');
  await throwsCrit(() => crit.mul(t([5, 1, 3]), t([4, 2])), 'mul', '[5, 1, 3]', '[4, 2]');
  await throwsCrit(() => crit.concat([t([2, 3]), t([2, 4])], 0), 'concat', 'axis 0', '[2, 3]', '[2, 4]');
  await throwsCrit(() => crit.concat([t([2, 3]), t([2, 3, 1])], 1), 'concat', '[2, 3, 1]');
  await throwsCrit(() => crit.reshape(t([2, 3]), [4, 2]), 'reshape', '[2, 3]', '[4, 2]');
  await throwsCrit(() => crit.broadcastTo(t([2, 3]), [3, 3]), '[2, 3]', '[3, 3]');
  await throwsCrit(() => crit.slice(t([4, 5]), [0, 3], [4, 7]), 'slice', 'axis 1', '[4, 5]');
  await throwsCrit(() => crit.permute(t([2, 3, 4]), [0, 0, 1]), 'permute', '[2, 3, 4]');
  await throwsCrit(() => crit.sum(t([2, 3]), 2), 'axis 2', 'rank 2');
  await throwsCrit(() => crit.crossEntropy(t([4, 3]), crit.intTensor([0, 1, 2])), '3 labels', '4 rows', '[4, 3]');
  await throwsCrit(() => crit.tensor([1, 2, 3], [2, 2]), 'length 3', '[2, 2]');
  await throwsCrit(() => crit.full([2, -1], 0), '[2, -1]', 'non-negative integers');
  await throwsCrit(() => crit.full([2.5], 0), '[2.5]');
  await throwsCrit(() => crit.add(t([1, 1, 1, 1, 1, 1, 1, 1, 2]), t([1, 1, 1, 1, 1, 1, 1, 1, 1])), 'rank 9', 'maximum of 8');
});

test('autodiff shape mismatches', async () => {
  const x = t([2, 3]);
  await throwsCrit(() => crit.jvp((a) => crit.exp(a), [x], [t([3, 2])]), 'tangent', '[3, 2]', '[2, 3]');
  await throwsCrit(() => crit.vjp((a) => crit.exp(a), [x]).backward(t([2])), 'cotangent', '[2]', '[2, 3]');
  await throwsCrit(() => crit.grad((a) => crit.exp(a), [x]), 'one value', '[2, 3]');
  await throwsCrit(() => crit.jvp((a) => a, [x], []), '1 primals', '0 tangents');
});

test('non-finite scalars are refused where they would poison results', async () => {
  const x = t([3]);
  await throwsCrit(() => crit.scale(x, NaN), 'scale', 'NaN');
  await throwsCrit(() => crit.scale(x, Infinity), 'scale', 'Infinity');
  await throwsCrit(() => crit.mul(x, -Infinity), 'scale', '-Infinity');
  await throwsCrit(() => crit.add(x, NaN), 'addScalar', 'NaN');
  await throwsCrit(() => crit.sub(x, Infinity), 'Infinity');
  await throwsCrit(() => crit.div(x, 0), 'div', 'scalar 0', '[3]');
  await throwsCrit(() => crit.div(x, NaN), 'div', 'NaN');
  await throwsCrit(() => crit.powScalar(x, NaN), 'pow', 'NaN');
  await throwsCrit(() => crit.full([2], NaN), 'full', 'NaN');
  await throwsCrit(() => crit.uniform([2], NaN, 1, { seed: 0 }), 'uniform');
  await throwsCrit(() => crit.uniform([2], -Infinity, Infinity, { seed: 0 }), 'finite', 'Infinity');
  await throwsCrit(() => crit.normal([2], 0, NaN, { seed: 0 }), 'normal', 'NaN');
  await throwsCrit(() => crit.uniform([2], 0, 1, { seed: -1 }), 'seed', '-1');
  await throwsCrit(() => crit.uniform([2], 0, 1, { seed: 1.5 }), 'seed', '1.5');
  await throwsCrit(() => crit.intTensor([1, 2.5]), 'element 1', '2.5');
});

test('tensors over the device limits name the limit', async () => {
  const lim = crit.engine().limits.maxStorageBufferBindingSize;
  const n = Math.floor(lim / 4) + 1;
  await throwsCrit(() => crit.Tensor.empty([n]), `[${n}]`, 'maxStorageBufferBindingSize', `${(lim / 2 ** 20).toFixed(1)} MiB`);
  await throwsCrit(() => crit.Tensor.empty([1 << 20, 1 << 20]), '[1048576, 1048576]', '4194304.0 MiB');
  await throwsCrit(() => crit.full([65536, 65536], 0), 'MiB');
  // A matmul whose grid exceeds the per-dimension workgroup limit (batch on z).
  const max = crit.engine().limits.maxComputeWorkgroupsPerDimension;
  await throwsCrit(() => crit.matmul(crit.Tensor.empty([max + 1, 1, 1]), crit.Tensor.empty([1, 1])), 'grid', `${max}`);
});

test('engine settings are checked', async () => {
  const eng = crit.engine(), before = eng.indicesPerInvocation;
  for (const bad of [0, -1, 2.5, Number.NaN]) await throwsCrit(() => { eng.indicesPerInvocation = bad; }, 'indicesPerInvocation', `${bad}`);
  assert.is(eng.indicesPerInvocation, before);
});

test('released tensors: after dispose(), after scope() ends, and before backward', async () => {
  const a = crit.tensor([1, 2, 3]);
  a.dispose();
  assert.ok(a.disposed);
  await throwsCrit(() => crit.exp(a), 'exp', `#${a.id}`, '[3]', 'released');
  await throwsCrit(() => crit.add(t([3]), a), 'add', 'released');
  await throwsCrit(() => a.read(), 'released');
  const one = crit.tensor([1]);
  one.dispose();
  await throwsCrit(() => one.item(), 'released');
  a.dispose(); // a second dispose is harmless

  let inner: Tensor | null = null;
  const kept = crit.scope(() => { inner = crit.tensor([4, 5]); return crit.scale(inner, 2); });
  assert.equal([...(await kept.read())], [8, 10], 'the returned tensor survives');
  await throwsCrit(() => crit.neg(inner!), 'neg', 'released');
  await throwsCrit(() => inner!.read(), 'released');
  // keep() saves a tensor that is not returned.
  let saved: Tensor | null = null;
  crit.scope(() => { saved = crit.keep(crit.tensor([7])); return null; });
  assert.is(await saved!.item(), 7);
  // A scope that throws releases what it made and rethrows.
  let made: Tensor | null = null;
  await throwsCrit(() => crit.scope(() => { made = crit.tensor([1, 2]); return crit.add(made, t([3])); }), 'do not broadcast');
  assert.ok(made!.disposed);
  await throwsCrit(() => crit.scope((async () => 1) as unknown as () => number), 'scopeAsync');

  const x = crit.tensor([1, 2]);
  const y = crit.tensor([3, 4]);
  const { backward } = crit.vjp((p) => crit.mul(p, y), [x]);
  y.dispose();
  await throwsCrit(() => backward(crit.ones([2])), 'backward through mul', '[2]', 'released before the gradient');
});

test('wrong dtypes are refused with the dtype and shape', async () => {
  const i = crit.intTensor([1, 2, 3]);
  const f = crit.tensor([1, 2, 3]);
  await throwsCrit(() => crit.add(i, f), 'add', 'f32', 'i32');
  await throwsCrit(() => crit.exp(i), 'exp', 'i32');
  await throwsCrit(() => crit.sum(i), 'sum', 'i32');
  await throwsCrit(() => crit.matmul(crit.intTensor([1, 2, 3, 4], [2, 2]), crit.tensor([1, 2, 3, 4], [2, 2])), 'matmul', 'i32 [2, 2]');
  await throwsCrit(() => crit.crossEntropy(crit.tensor([1, 2, 3, 4], [2, 2]), crit.tensor([0, 1])), 'labels must be i32', 'f32');
  await throwsCrit(() => crit.gather(crit.tensor([1, 2, 3, 4], [2, 2]), crit.tensor([0, 1])), 'indices must be i32', 'f32');
  await throwsCrit(() => crit.oneHot(f, 3), 'labels must be i32');
  await throwsCrit(() => crit.vjp((x) => x, [i]), 'vjp', 'i32');
  await throwsCrit(() => f.view([3]).read().then(() => crit.intTensor([1]).readF32()), 'readF32', 'i32');
  await throwsCrit(() => crit.Tensor.empty([2], 'f16' as 'f32'), "'f16'", 'f32, i32, u32');
  // i32 data keeps its exact bits through data movement (-1 is a NaN pattern as an f32).
  const moved = crit.transpose(crit.intTensor([-1, 2, -2147483648, 2147483647], [2, 2]));
  assert.equal([...(await moved.read())], [-1, -2147483648, 2, 2147483647]);
  assert.equal([...(await crit.gather(crit.intTensor([-1, 5, -7], [3, 1]), crit.intTensor([2, 0])).read())], [-7, -1]);
});

test.run();
