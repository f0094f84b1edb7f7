// The REGISTER planner's choices on the products it was fitted to (docs/bench.md): what the cost model must keep
// getting right. Correctness of every plan is the op tests' job (test/ops/cases.ts forces each one).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { matmulPlan } from '../../src/ops/matmul.js';

const plan = (batch: number, M: number, N: number, K: number, transA = false, transB = false) => matmulPlan('register', { batch, M, N, K }, { transA, transB });

test('convolutions with few output pixels run with the lanes along the long side', () => {
  // Dohare et al.'s ConvNet at batch 100: conv3 forward (4 x 4 = 16 pixels) and its input gradient, conv2 forward.
  for (const [M, N, K, tA] of [[128, 16, 576, false], [576, 16, 128, true], [64, 144, 288, false]] as const) {
    const p = plan(100, M, N, K, tA);
    assert.ok(p.swap, `${M}x${N}x${K}: expected swapped, got ${JSON.stringify(p.defines)}`);
    assert.is(p.defines.ROWS, 16);
  }
});

test('wide outputs keep their orientation, vec4 reads of B and 16 rows', () => {
  for (const [M, N, K] of [[128, 1000, 784], [512, 512, 512], [64, 64, 4096], [32, 784, 75]]) {
    const p = plan(1, M, N, K);
    assert.not.ok(p.swap, `${M}x${N}x${K}`);
    assert.ok(p.defines.B_VEC4 && p.defines.C_VEC4, `${M}x${N}x${K}: vec4 B and C`);
    assert.is(p.defines.ROWS, 16, `${M}x${N}x${K}`);
  }
});

test('a matrix-vector product is swapped, with no more rows per workgroup than it has', () => {
  const p = plan(1, 2000, 1, 2000);
  assert.ok(p.swap);
  assert.ok((p.defines.ROWS as number) <= 2, `rows ${p.defines.ROWS}`);
  assert.is(p.defines.C_TRANS, true);
});

test('forced choices are taken as given; a transposed C is never stored as vec4', () => {
  const p = matmulPlan('register', { batch: 3, M: 12, N: 16, K: 9 }, { transA: false, transB: false }, { swap: true, rows: 8 });
  assert.ok(p.swap);
  assert.is(p.defines.ROWS, 8);
  assert.is(p.defines.C_VEC4, false);
  assert.equal(p.workgroups, [Math.ceil(12 / 64), Math.ceil(16 / 8), 3]);
});

test.run();
