import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as crit from '../../src/index.node.js';
import { ColumnSet, DeepMlpBatch, deepMlpHost, deepMlpInputHost, NO_SLOT, statAt } from '../../src/models/deep-mlp.js';
import { deepMlpSpectrum } from '../../src/criticality/deep-mlp-spectrum.js';
import { singularValues } from '../../src/criticality/host-linalg.js';

test('setup', async () => { await crit.init(); });

test('primal pass matches the f64 CPU network', async () => {
  const N = 13, L = 7, seeds = [3, 11], kappas = [20, 8.4, 5];
  const b = new DeepMlpBatch({ width: N, depth: L, seeds });
  const cols = new ColumnSet({ kappas, slots: [0, 1, NO_SLOT] });
  const input = (s: number) => deepMlpInputHost(seeds[s], N).map((v) => v * 300);
  const x0 = b.upload(cols, (s, c) => (c < 3 ? input(s) : undefined));
  const { output, stats } = await b.primal(cols, x0);
  const got = await b.download(output);
  for (let s = 0; s < seeds.length; s++) for (let c = 0; c < kappas.length; c++) {
    const ref = deepMlpHost(seeds[s], N, L, kappas[c], input(s)).layers;
    for (let i = 0; i < N; i++) assert.ok(Math.abs(got[s][c][i] - ref[L][i]) < 1e-5 * (1 + Math.abs(ref[L][i])), `s${s} c${c} i${i}: ${got[s][c][i]} vs ${ref[L][i]}`);
    for (let l = 0; l <= L; l++) {
      const a = ref[l].reduce((t, v) => t + Math.abs(v), 0) / N;
      // f32 sums of N products with cancellation lose ~1e-6 relative per layer (seen: 1.3e-5 after 6 layers).
      assert.ok(Math.abs(statAt(stats, l, s, c, 0) - a) < 1e-4 * a + 1e-12, `activity level ${l} s${s} c${c}: ${statAt(stats, l, s, c, 0)} vs ${a}`);
    }
  }
  b.dispose(); cols.dispose();
});
test('top-k spectrum of a Fig. 1 network = the k largest singular values of its f64 Jacobian', async () => {
  const N = 12, L = 20, k = 4;
  for (const [seed, rel] of [[2, 0.9], [5, 1.1]] as const) {
    const kappa = rel * crit.meanFieldKappa(N);
    const r = await deepMlpSpectrum({ width: N, depth: L, kappa, seed, k, tol: 1e-6, maxIterations: 400 });
    const J = deepMlpHost(seed, N, L, kappa, deepMlpInputHost(seed, N), true).jacobian!;
    const sv = singularValues(J, N, N);
    assert.ok(r.converged, `converged in ${r.iterations}`);
    for (let j = 0; j < k; j++) {
      // f32 products of 20 layers: ~1e-6 relative in each singular value.
      assert.ok(Math.abs(r.logSingularValues[j] - Math.log(sv[j])) < 1e-4, `seed ${seed} σ_${j + 1}: ${Math.exp(r.logSingularValues[j])} vs ${sv[j]}`);
      assert.ok(Math.abs(r.exponents[j] - Math.log(sv[j]) / L) < 1e-5);
    }
  }
  let msg = '';
  try { await deepMlpSpectrum({ width: 100, depth: 1000, kappa: 1, seed: 0, k: 2, maxBytes: 1e6 }); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /1000 x 100 x 100 f32 = 38 MiB/);
  msg = '';
  try { await deepMlpSpectrum({ width: 8, depth: 3, kappa: 1, seed: 0, k: 9 }); } catch (e) { msg = (e as Error).message; }
  assert.match(msg, /k must be an integer in \[1, 8\]/);
});

test.run();
