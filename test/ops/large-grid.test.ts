// Dispatches over 65,535 workgroups: the engine folds the grid into two dimensions and the kernels rebuild
// the linear index. Checked on more than 65535 * 64 elements for an elementwise op (both the contiguous and
// the broadcasting path), the RNG, a strided copy, and reductions in each of their paths. The one-index kernels
// run with one index per invocation here, as on GPUs (CPU adapters take 8 and would need 8x the elements to
// fold); one elementwise check folds with 2 per invocation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';
import { U } from './harness.js';
import { sumDepth } from './cases.js';

const LIMIT = 65535 * 64;
const N = LIMIT + 4097;

let perInvocation = 1;
test.before(async () => { const eng = await crit.init(); perInvocation = eng.indicesPerInvocation; eng.indicesPerInvocation = 1; });
test.after(async () => { (await crit.init()).indicesPerInvocation = perInvocation; });

/** Host values on a fixed pattern (cheap to make, varied). */
function pattern(n: number, k = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0, v = 0; i < n; i++) { out[i] = v / 1001.5 - 1; v = (v + 7919 * k) % 2003; }
  return out;
}

test('these sizes need a folded grid on this adapter', async () => {
  const eng = await crit.init();
  // WebGPU guarantees 65535; an adapter that allows more would run these tests without folding.
  assert.ok(Math.ceil(N / 64) > eng.limits.maxComputeWorkgroupsPerDimension, `adapter allows ${eng.limits.maxComputeWorkgroupsPerDimension} workgroups per dimension`);
});

test(`elementwise on ${N} elements: contiguous and broadcasting paths`, async () => {
  await crit.scopeAsync(async () => {
    const xh = pattern(N), yh = pattern(N, 3);
    const x = crit.tensor(xh), y = crit.tensor(yh);
    const s = await crit.add(x, y).readF32();
    for (let i = 0; i < N; i++) if (s[i] !== Math.fround(xh[i] + yh[i])) assert.unreachable(`add: element ${i}: ${s[i]} vs ${Math.fround(xh[i] + yh[i])}`);
    // [N] * [1]: the strided (broadcasting) kernel over the same folded grid.
    const m = await crit.mul(x, crit.tensor([-3], [1])).readF32();
    for (let i = 0; i < N; i++) if (m[i] !== Math.fround(xh[i] * -3)) assert.unreachable(`mul broadcast: element ${i}: ${m[i]}`);
  });
});

test(`elementwise with 2 indices per invocation on ${2 * LIMIT + 4097} elements`, async () => {
  const eng = await crit.init();
  const n = 2 * LIMIT + 4097;
  eng.indicesPerInvocation = 2;
  try {
    await crit.scopeAsync(async () => {
      const xh = pattern(n, 7);
      const s = await crit.scale(crit.tensor(xh), 2).readF32();
      for (let i = 0; i < n; i++) if (s[i] !== xh[i] * 2) assert.unreachable(`scale: element ${i}: ${s[i]} vs ${xh[i] * 2}`);
    });
  } finally { eng.indicesPerInvocation = 1; }
});

test(`random uniform on ${N} elements: the last elements equal the CPU twin`, async () => {
  await crit.scopeAsync(async () => {
    const o = { seed: 3, stream: 1 };
    const g = await crit.uniform([N], -1, 1, o).readF32();
    const tail = crit.uniformHost(5000, -1, 1, { ...o, offset: N - 5000 });
    for (let i = 0; i < 5000; i++) if (g[N - 5000 + i] !== tail[i]) assert.unreachable(`element ${N - 5000 + i} differs`);
  });
});

test(`transpose (strided copy) of ${2049 * 2051} elements`, async () => {
  await crit.scopeAsync(async () => {
    const R = 2049, C = 2051;
    const xh = pattern(R * C);
    const t = await crit.transpose(crit.tensor(xh, [R, C])).readF32();
    for (let i = 0; i < R * C; i += 97) { const r = i % R, c = Math.floor(i / R); if (t[i] !== xh[r * C + c]) assert.unreachable(`element ${i}`); }
    assert.is(t[R * C - 1], xh[R * C - 1]);
  });
});

test('reductions with folded grids: serial path, tree path, and a whole-tensor sum in several passes', async () => {
  await crit.scopeAsync(async () => {
    // Serial path (a short axis, here of length 1): one invocation per output, N outputs.
    const xh = pattern(N, 13);
    const s1 = await crit.max(crit.tensor(xh, [N, 1]), 1).readF32();
    for (let i = 0; i < N; i++) if (s1[i] !== xh[i]) assert.unreachable(`serial max: output ${i}`);
    // Tree path (axis of 65 > 64): one workgroup per output, 70001 workgroups.
    const R = 70001, K = 65;
    const yh = pattern(R * K, 5);
    const mx = await crit.max(crit.tensor(yh, [R, K]), 1).readF32();
    for (let i = 0; i < R; i++) { let m = -Infinity; for (let k = 0; k < K; k++) m = Math.max(m, yh[i * K + k]); if (mx[i] !== m) assert.unreachable(`tree max: output ${i}`); }
    // All N elements: 1026 chunks of 4096, then a second pass. Error <= depth u sum|x| (see sumDepth).
    const xs = pattern(N, 11);
    const x = crit.tensor(xs);
    const total = await crit.sum(x).item();
    let exact = 0, abs = 0;
    for (const v of xs) { exact += v; abs += Math.abs(v); }
    const depth = sumDepth(N);
    assert.ok(Math.abs(total - exact) <= depth * U * abs, `sum of ${N}: ${total} vs ${exact} (allowed ${depth * U * abs})`);
    console.log(`sum of ${N} elements: |err| = ${Math.abs(total - exact).toExponential(2)}, sum |x| = ${abs.toExponential(3)}, |err| / (u sum|x|) = ${(Math.abs(total - exact) / (U * abs)).toFixed(2)}`);
  });
});

test.run();
