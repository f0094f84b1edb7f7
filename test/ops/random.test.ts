// The counter-based RNG: the GPU and its CPU twin give the same uniform bits (compared bit for bit), normals
// agree within the device's log/sqrt/cos accuracy, offsets continue a sequence, and the moments are right.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';

const N = 10007; // not a multiple of the workgroup size

test.before(async () => { await crit.init(); });

function bits(a: Float32Array): Uint32Array { return new Uint32Array(a.buffer, a.byteOffset, a.length); }
function firstDiff(a: Uint32Array, b: Uint32Array): number { for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i; return -1; }

test('symmetric uniform U[-a, a): GPU bits equal the CPU twin bit for bit', async () => {
  for (const [a, o] of [[1, { seed: 0 }], [0.05, { seed: 42, stream: 3 }], [Math.sqrt(6 / 784), { seed: 0xffffffff, stream: 7, offset: 4000000000 }], [2.4 / 20, { seed: 123456789, stream: 1, offset: 17 }]] as const) {
    const gpu = await crit.uniform([N], -a, a, o).readF32();
    const cpu = crit.uniformHost(N, -a, a, o);
    const i = firstDiff(bits(gpu), bits(cpu));
    assert.is(i, -1, `U[-${a}, ${a}) ${JSON.stringify(o)}: element ${i} differs: GPU ${gpu[i]} vs CPU ${cpu[i]}`);
    assert.ok(gpu.every((v) => v >= -a && v < a));
  }
});

test('uniform U[0, 1) is bit-identical too; U[lo, hi) within one rounding (the device may fuse the multiply-add)', async () => {
  const o = { seed: 9, stream: 2 };
  const g01 = await crit.uniform([N], 0, 1, o).readF32();
  assert.is(firstDiff(bits(g01), bits(crit.uniformHost(N, 0, 1, o))), -1);
  const lo = -0.3, hi = 1.7;
  const g = await crit.uniform([N], lo, hi, o).readF32();
  const c = crit.uniformHost(N, lo, hi, o);
  let maxUlp = 0;
  // lo + (hi - lo) u: one or two roundings in either order, each <= half an ulp of values below 2.
  for (let i = 0; i < N; i++) maxUlp = Math.max(maxUlp, Math.abs(g[i] - c[i]) / 2 ** -23);
  assert.ok(maxUlp <= 1, `U[${lo}, ${hi}): ${maxUlp} ulp apart`);
  assert.ok(g.every((v) => v >= lo && v < hi));
});

test('an offset continues the sequence; seeds and streams give different sequences', async () => {
  const full = await crit.uniform([N], -1, 1, { seed: 5 }).readF32();
  const tail = await crit.uniform([N - 1000], -1, 1, { seed: 5, offset: 1000 }).readF32();
  assert.is(firstDiff(bits(full.subarray(1000)), bits(tail)), -1);
  const other = await crit.uniform([N], -1, 1, { seed: 6 }).readF32();
  const stream = await crit.uniform([N], -1, 1, { seed: 5, stream: 1 }).readF32();
  // Independent U[-1, 1) sequences: correlation ~ N(0, 1/N); 5 sigma = 0.05.
  for (const [name, b] of [['seed', other], ['stream', stream]] as const) {
    let s = 0;
    for (let i = 0; i < N; i++) s += full[i] * b[i];
    const corr = s / N / (1 / 3);
    assert.ok(Math.abs(corr) < 5 / Math.sqrt(N), `another ${name}: correlation ${corr}`);
  }
});

test('normal: GPU equals the CPU twin within the accuracy WGSL gives log, sqrt and cos', async () => {
  const mean = 0.5, std = 2;
  const o = { seed: 77, stream: 4 };
  const g = await crit.normal([N], mean, std, o).readF32();
  const c = crit.normalHost(N, mean, std, o);
  let worst = 0;
  for (let i = 0; i < N; i++) {
    const z = (c[i] - mean) / std;
    // z = r cos(theta), r = sqrt(-2 log u1): WGSL log is within 2^-21 absolute near 1, so r^2 is off by
    // 2^-20 and r by 2^-21 / r; cos is within 2^-11 absolute on [-pi, pi]; plus a few ulp of roundings.
    const h = crit.rngBits(o.seed, o.stream, i);
    const r = Math.sqrt(-2 * Math.log(((h[0] >>> 8) + 1) * 2 ** -24));
    const allowed = std * (2 ** -21 / r + r * 2 ** -11 + 8 * 2 ** -23 * (Math.abs(z) + r)) + 2 ** -23 * Math.abs(mean);
    worst = Math.max(worst, Math.abs(g[i] - c[i]) / allowed);
  }
  assert.ok(worst <= 1, `normal: worst error ${worst} of the allowed`);
  console.log(`normal vs CPU twin: worst error ${worst.toExponential(2)} of the WGSL-derived bound`);
});

test('moments: uniform mean/variance and normal mean/variance/kurtosis within 5 standard errors', async () => {
  const n = 200003;
  const u = await crit.uniform([n], -1, 1, { seed: 1 }).readF32();
  const z = await crit.normal([n], 0, 1, { seed: 2 }).readF32();
  const m = (a: Float32Array, f: (x: number) => number) => a.reduce((s, x) => s + f(x), 0) / a.length;
  const se = 5 / Math.sqrt(n);
  assert.ok(Math.abs(m(u, (x) => x)) < se * Math.sqrt(1 / 3), 'uniform mean');
  assert.ok(Math.abs(m(u, (x) => x * x) - 1 / 3) < se * Math.sqrt(4 / 45), 'uniform variance'); // var(x^2) = 1/5 - 1/9
  assert.ok(Math.abs(m(z, (x) => x)) < se, 'normal mean');
  assert.ok(Math.abs(m(z, (x) => x * x) - 1) < se * Math.SQRT2, 'normal variance');
  assert.ok(Math.abs(m(z, (x) => x ** 4) - 3) < se * Math.sqrt(96), 'normal fourth moment'); // var(z^4) = 105 - 9
});

test.run();
