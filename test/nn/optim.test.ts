import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';

// f64 references of torch.optim.SGD / Adam / AdamW (torch 1.13 single-tensor code paths).
type Vec = Float64Array<ArrayBufferLike>;
interface SgdO { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean }
function sgdRef(p: Vec, grads: Vec[], lrs: number[], o: SgdO): Vec {
  p = p.slice();
  let buf: Vec | null = null;
  grads.forEach((g0, t) => {
    const g = g0.map((v, i) => v + (o.weightDecay ?? 0) * p[i]);
    let d: Vec = g;
    if (o.momentum) {
      buf = buf ? buf.map((b, i) => o.momentum! * b + (1 - (o.dampening ?? 0)) * g[i]) : g.slice();
      d = o.nesterov ? g.map((v, i) => v + o.momentum! * buf![i]) : buf;
    }
    p = p.map((v, i) => v - lrs[t] * d[i]);
  });
  return p;
}
interface AdamO { lr: number; betas?: [number, number]; eps?: number; weightDecay?: number; decoupled?: boolean }
function adamRef(p: Vec, grads: Vec[], o: AdamO): Vec {
  const [b1, b2] = o.betas ?? [0.9, 0.999], eps = o.eps ?? 1e-8, wd = o.weightDecay ?? 0;
  p = p.slice();
  let m = new Float64Array(p.length), v = new Float64Array(p.length);
  grads.forEach((g0, k) => {
    const t = k + 1;
    if (o.decoupled) p = p.map((x) => x * (1 - o.lr * wd));
    const g = o.decoupled ? g0 : g0.map((x, i) => x + wd * p[i]);
    m = m.map((x, i) => b1 * x + (1 - b1) * g[i]);
    v = v.map((x, i) => b2 * x + (1 - b2) * g[i] * g[i]);
    const stepSize = o.lr / (1 - b1 ** t), sbc2 = Math.sqrt(1 - b2 ** t);
    p = p.map((x, i) => x - stepSize * m[i] / (Math.sqrt(v[i]) / sbc2 + eps));
  });
  return p;
}

const N = 300;
function vec(seed: number, scale = 1): Vec {
  return Float64Array.from(crit.uniformHost(N, -scale, scale, { seed, stream: 5 }));
}

async function run(make: (params: crit.Params) => crit.Optimizer, grads: Vec[], lrs?: number[]): Promise<{ got: Float32Array; p0: Vec }> {
  const p0 = vec(1);
  const params = { w: crit.tensor(p0, [N / 3, 3]) };
  const before = params.w;
  const opt = make(params);
  const e = crit.engine();
  grads.forEach((g, t) => {
    if (lrs) opt.lr = lrs[t];
    const submits = e.submitCount;
    opt.step({ w: crit.tensor(g, [N / 3, 3]) });
    assert.is(e.submitCount, submits, 'a step must not submit or read back');
  });
  assert.is(params.w, before, 'updated in place: the same tensor');
  assert.is(opt.steps, grads.length);
  const got = await params.w.readF32();
  opt.dispose();
  return { got, p0 };
}

function close(got: Float32Array, want: Vec, what: string, moved: Vec): void {
  let maxErr = 0, maxMove = 0;
  for (let i = 0; i < want.length; i++) {
    maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
    maxMove = Math.max(maxMove, Math.abs(want[i] - moved[i]));
  }
  // f32 storage of values ~1 after a few steps: a few ulp (6e-8 each); the updates themselves are ~1e-2..1e-1.
  assert.ok(maxErr < 5e-7, `${what}: max |GPU - f64| = ${maxErr.toExponential(2)}`);
  assert.ok(maxMove > 1e-3, `${what}: the reference barely moved (${maxMove})`);
}

const grads = [vec(2), vec(3, 0.5), vec(4, 2), vec(5, 0.1)];

test('SGD: plain, momentum, dampening, Nesterov, weight decay, per-step learning rates', async () => {
  await crit.init();
  const cases: SgdO[] = [
    { lr: 0.1 },
    { lr: 0.05, momentum: 0.9 },
    { lr: 0.05, momentum: 0.9, dampening: 0.3 },
    { lr: 0.05, momentum: 0.8, nesterov: true },
    { lr: 0.1, weightDecay: 0.01 },
    { lr: 0.03, momentum: 0.5, weightDecay: 0.1, nesterov: true },
  ];
  for (const o of cases) {
    const { got, p0 } = await run((p) => new crit.SGD(p, o), grads);
    close(got, sgdRef(p0, grads, grads.map(() => o.lr), o), `SGD ${JSON.stringify(o)}`, p0);
  }
  const decay = crit.exponentialDecay(0.1, 0.5);
  const lrs = grads.map((_, e) => decay(e));
  assert.equal(lrs, [0.1, 0.05, 0.025, 0.0125]);
  const { got, p0 } = await run((p) => new crit.SGD(p, { lr: 1, momentum: 0.9 }), grads, lrs);
  close(got, sgdRef(p0, grads, lrs, { lr: 0, momentum: 0.9 }), 'SGD with a schedule', p0);
});

test('Adam and AdamW', async () => {
  await crit.init();
  const cases: AdamO[] = [
    { lr: 0.01 },
    { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6 },
    { lr: 0.01, weightDecay: 0.1 },
    { lr: 0.01, weightDecay: 0.1, decoupled: true },
  ];
  for (const o of cases) {
    const { got, p0 } = await run((p) => new crit.Adam(p, o), grads);
    close(got, adamRef(p0, grads, o), `Adam ${JSON.stringify(o)}`, p0);
  }
});

test('global-norm gradient clipping (torch clip_grad_norm_)', async () => {
  const { clipGradNorm } = await import('../../src/nn/clip.js');
  const g = [crit.tensor([3, 0], [2]), crit.tensor([0, 4, 0], [3])];
  // ‖g‖ = 5: scaled to norm 2 (factor 2 / (5 + 1e-6)); below the limit nothing changes.
  const c = await Promise.all(clipGradNorm(g, 2).map((t) => t.readF32()));
  const f = 2 / (5 + 1e-6);
  assert.ok(Math.abs(c[0][0] - 3 * f) < 1e-6 && Math.abs(c[1][1] - 4 * f) < 1e-6, `${c[0]} ${c[1]}`);
  const same = await Promise.all(clipGradNorm(g, 10).map((t) => t.readF32()));
  assert.equal([...same[0], ...same[1]], [3, 0, 0, 4, 0]);
  assert.throws(() => clipGradNorm(g, 0), /maxNorm must be a finite number > 0/);
});

test('optimizer errors', async () => {
  await crit.init();
  const p = { w: crit.zeros([2, 2]) };
  assert.throws(() => new crit.SGD(p, { lr: -1 }), /learning rate must be in \[0, Infinity\]/);
  assert.throws(() => new crit.SGD(p, { lr: 0.1, momentum: 1 }), /momentum must be in \[0, 1\)/);
  assert.throws(() => new crit.SGD(p, { lr: 0.1, nesterov: true }), /Nesterov momentum needs momentum > 0/);
  assert.throws(() => new crit.Adam(p, { betas: [0.9, 1] }), /beta2 must be in \[0, 1\)/);
  const opt = new crit.SGD(p, { lr: 0.1 });
  assert.throws(() => opt.step({ w: crit.zeros([4]) }), /gradient of w is \[4\], the parameter is \[2, 2\]/);
  assert.throws(() => opt.step({ w: p.w }), /shares memory with the parameter/);
  assert.throws(() => opt.step([]), /0 gradients for 1 parameters/);
});

test.run();
