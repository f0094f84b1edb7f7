// Λ0 by power iteration against the SVD of explicitly built Jacobians (f64), the JVP/VJP dot-product test
// through whole networks, and the top-k spectrum.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';
import { singularValues } from '../../src/criticality/host-linalg.js';
import { deepMlpHost, deepMlpInputHost } from '../../src/models/deep-mlp.js';

const A = 1.7159, B = 0.6666;
const timed = (name: string, fn: () => Promise<void>) => test(name, async () => { const t = performance.now(); await fn(); if (process.env.CRIT_TEST_TIMES) console.log(`${name.slice(0, 40)}: ${(performance.now() - t).toFixed(0)} ms`); });

/** A small tanh MLP with host weights: the crit stages and the f64 Jacobian of each input row. */
function smallMlp(n: number, layers: number, gain: number, seed: number) {
  const Ws = Array.from({ length: layers }, (_, l) => crit.uniformHost(n * n, -gain / Math.sqrt(n), gain / Math.sqrt(n), { seed, stream: l }));
  const Wt = Ws.map((w) => crit.tensor(w, [n, n]));
  const stages = Wt.map((W) => (x: crit.Tensor) => crit.scaledTanh(crit.matmul(x, W, { transB: true })));
  const jacobian = (x0: ArrayLike<number>) => {
    let x = Float64Array.from(x0);
    let J = new Float64Array(n * n).map((_, k) => (k % (n + 1) === 0 ? 1 : 0));
    for (const W of Ws) {
      const y = new Float64Array(n), J2 = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        let z = 0;
        for (let j = 0; j < n; j++) z += W[i * n + j] * x[j];
        const th = Math.tanh(B * z);
        y[i] = A * th;
        const d = A * B * (1 - th * th);
        for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) J2[i * n + k] += d * W[i * n + j] * J[j * n + k];
      }
      x = y; J = J2;
    }
    return J;
  };
  return { stages, jacobian, dispose: () => Wt.forEach((t) => t.dispose()) };
}

test('setup', async () => { await crit.init(); });

timed('generic λ0: power iteration = top singular value of the explicit Jacobian (1e-4 relative), per row', async () => {
  const n = 10, Bn = 3;
  for (const gain of [0.8, 1.7, 3]) {
    const net = smallMlp(n, 6, gain, 7);
    const xs = crit.uniformHost(Bn * n, -1, 1, { seed: 99 });
    const x = crit.tensor(xs, [Bn, n]);
    const r = await crit.lambda0(net.stages, x, { tol: 1e-6, maxIterations: 300 });
    for (let b = 0; b < Bn; b++) {
      const sv = singularValues(net.jacobian(xs.subarray(b * n, (b + 1) * n)), n, n);
      const rel = Math.abs(Math.exp(r.logLambda0[b]) / sv[0] - 1);
      assert.ok(rel < 1e-4, `gain ${gain} row ${b}: Λ0 ${Math.exp(r.logLambda0[b])} vs SVD ${sv[0]} (rel ${rel.toExponential(2)}, ${r.iterations} it)`);
      assert.ok(Math.abs(r.lambda0[b] - r.logLambda0[b] / 6) < 1e-12);
    }
    assert.ok(r.converged);
    net.dispose();
  }
});

timed('generic: one stage and many stages give the same Λ0', async () => {
  const n = 8;
  const net = smallMlp(n, 5, 1.5, 3);
  const x = crit.tensor(crit.uniformHost(2 * n, -1, 1, { seed: 5 }), [2, n]);
  const whole = (v: crit.Tensor) => net.stages.reduce((h, f) => f(h), v);
  const a = await crit.lambda0(net.stages, x, { tol: 1e-7 });
  const b = await crit.lambda0(whole, x, { tol: 1e-7, depth: 5 });
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(a.logLambda0[i] - b.logLambda0[i]) < 2e-5, `${a.logLambda0[i]} vs ${b.logLambda0[i]}`);
  // Warm start from the converged vector: converged at once.
  const c = await crit.lambda0(net.stages, x, { tol: 1e-6, start: a.vector });
  assert.ok(c.iterations <= 2, `warm start took ${c.iterations} iterations`);
  net.dispose();
});

timed('generic dot-product test through a whole net: <u, J v> = <Jᵀ u, v>', async () => {
  const n = 12;
  const net = smallMlp(n, 8, 1.4, 11);
  const x = crit.tensor(crit.uniformHost(n, -1, 1, { seed: 1 }), [1, n]);
  const v = crit.tensor(crit.uniformHost(n, -1, 1, { seed: 2 }), [1, n]);
  const u = crit.tensor(crit.uniformHost(n, -1, 1, { seed: 3 }), [1, n]);
  const f = (h: crit.Tensor) => net.stages.reduce((a, s) => s(a), h);
  const Jv = await crit.jvp(f, [x], [v]).tangent.readF32();
  const JTu = await crit.vjp(f, x).backward(u)[0].readF32();
  const uh = await u.readF32(), vh = await v.readF32();
  let lhs = 0, rhs = 0;
  for (let i = 0; i < n; i++) { lhs += uh[i] * Jv[i]; rhs += JTu[i] * vh[i]; }
  assert.ok(Math.abs(lhs - rhs) < 1e-5 * (Math.abs(lhs) + 1e-3), `${lhs} vs ${rhs}`);
  net.dispose();
});

timed('top-k spectrum = the k largest singular values of the explicit Jacobian', async () => {
  const n = 9, k = 3;
  const net = smallMlp(n, 4, 1.6, 21);
  const xs = crit.uniformHost(2 * n, -1, 1, { seed: 8 });
  const r = await crit.lyapunovSpectrum(net.stages, crit.tensor(xs, [2, n]), k, { tol: 1e-6, maxIterations: 300 });
  assert.ok(r.converged, `${r.iterations} iterations`);
  for (let b = 0; b < 2; b++) {
    const sv = singularValues(net.jacobian(xs.subarray(b * n, (b + 1) * n)), n, n);
    for (let j = 0; j < k; j++) {
      const rel = Math.abs(Math.exp(r.logSingularValues[b][j]) / sv[j] - 1);
      assert.ok(rel < 1e-4, `row ${b} σ${j}: ${Math.exp(r.logSingularValues[b][j])} vs ${sv[j]} (rel ${rel.toExponential(2)})`);
      assert.ok(Math.abs(r.exponents[b][j] - r.logSingularValues[b][j] / 4) < 1e-12);
    }
  }
  net.dispose();
});

timed('deep MLP kernels: Λ0 = top singular value of the explicit f64 Jacobian (1e-4 relative)', async () => {
  // N = 12: one row block; N = 70: several workgroups, a partial row block, two column blocks (5 κ -> 8 columns).
  for (const [N, L, kappas] of [[12, 24, [0.6, 1, 1.3, 2]], [70, 6, [0.5, 0.9, 1.1, 1.5, 3]]] as [number, number, number[]][]) {
    const seeds = [0, 5];
    const kc = crit.meanFieldKappa(N);
    const runs = await crit.measureDeepMlp({ width: N, depth: L, seeds, kappas: kappas.map((k) => k * kc), tol: 1e-6, maxIterations: 200, stimulus: null });
    for (const r of runs) {
      const host = deepMlpHost(r.seed, N, L, r.kappa, deepMlpInputHost(r.seed, N), true);
      const sv = singularValues(host.jacobian!, N, N);
      const rel = Math.abs(Math.exp(r.logLambda0 - Math.log(sv[0])) - 1);
      assert.ok(rel < 1e-4, `seed ${r.seed} κ ${r.kappa.toFixed(2)}: log Λ0 ${r.logLambda0} vs ${Math.log(sv[0])} (rel ${rel.toExponential(2)}, ${r.iterations} it)`);
      assert.ok(r.converged);
      // σ from the host activities
      const a = (v: Float64Array) => v.reduce((s, x) => s + Math.abs(x), 0) / N;
      const sigma = a(host.layers[L]) / a(host.layers[0]);
      assert.ok(Math.abs(r.sigma / sigma - 1) < 1e-3, `σ ${r.sigma} vs ${sigma}`);
    }
  }
});

timed('deep MLP kernels: dot-product test <u, J v> = <Jᵀ u, v> through the whole net, with the log-norm bookkeeping', async () => {
  const N = 20, L = 30, seeds = [2, 9];
  const kc = crit.meanFieldKappa(N), kappas = [0.8 * kc, 1.5 * kc];
  const batch = new crit.DeepMlpBatch({ width: N, depth: L, seeds });
  const prim = new crit.ColumnSet({ kappas, slots: [0, 1] });
  const x0 = batch.upload(prim, (s, c) => (c < 2 ? deepMlpInputHost(seeds[s], N) : undefined));
  await batch.primal(prim, x0);
  const v = (s: number, c: number) => crit.uniformHost(N, -1, 1, { seed: 100 + s, stream: c });
  const u = (s: number, c: number) => crit.uniformHost(N, -1, 1, { seed: 200 + s, stream: c });
  const f = await batch.jvp(prim, batch.upload(prim, (s, c) => (c < 2 ? v(s, c) : undefined)));
  const b = await batch.vjp(prim, batch.upload(prim, (s, c) => (c < 2 ? u(s, c) : undefined)));
  const Jv = await batch.download(f.output), JTu = await batch.download(b.output);
  for (let s = 0; s < 2; s++) for (let c = 0; c < 2; c++) {
    // J v = output · exp(Σ levels 0..L-1) (each layer divided by the norm of its input)
    let lf = 0, lb = 0;
    for (let l = 0; l < L; l++) { lf += crit.statAt(f.stats, l, s, c, 1); lb += crit.statAt(b.stats, l, s, c, 1); }
    let lhs = 0, rhs = 0;
    const uu = u(s, c), vv = v(s, c);
    for (let i = 0; i < N; i++) { lhs += uu[i] * Jv[s][c][i]; rhs += JTu[s][c][i] * vv[i]; }
    const a = Math.log(Math.abs(lhs)) + lf, bb = Math.log(Math.abs(rhs)) + lb;
    assert.ok(Math.sign(lhs) === Math.sign(rhs) && Math.abs(a - bb) < 1e-4, `s${s} c${c}: log <u,Jv> ${a} vs log <Jᵀu,v> ${bb}`);
  }
  batch.dispose(); prim.dispose();
});

test('an input whose every path is switched off has log Λ0 = −∞ (not NaN), converged, and the other rows are unaffected', async () => {
  await crit.init();
  const W = crit.tensor([1, 0, 0, 1], [2, 2]);
  // relu(x − 5) is off for the first row (|x| < 1) and on for the second (x > 5): J is 0 for one and I for the other.
  const stages = [(h: crit.Tensor) => crit.relu(crit.addScalar(crit.matmul(h, W), -5)), (h: crit.Tensor) => crit.matmul(h, W)];
  const x = crit.tensor([0.3, -0.2, 6, 7], [2, 2]);
  const r = await crit.lambda0(stages, x, { tol: 1e-7, maxIterations: 50 });
  assert.is(r.logLambda0[0], -Infinity);
  assert.ok(Math.abs(r.logLambda0[1]) < 1e-6, `the live row: Λ0 = 1, got ${Math.exp(r.logLambda0[1])}`);
  assert.ok(r.converged, 'converged');
  assert.ok(r.iterations < 50, `stopped early (${r.iterations} steps)`);
});

test.run();
