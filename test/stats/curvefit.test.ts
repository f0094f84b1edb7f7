// Levenberg-Marquardt: κ_c(N) = c0 + c1·N^k against scipy.optimize.curve_fit (extra_refs.json), an exact
// synthetic power law, and a straight line whose standard errors have a closed form (OLS).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fitPowerLaw, levenbergMarquardt, powerLaw } from '../../src/stats/index.js';
import { close, fixtureJson, printMaxDev } from './fixtures.js';

const ref = fixtureJson('extra_refs.json').power_law;

test('power law on noisy synthetic κ_c(N): parameters and SE as curve_fit', () => {
  const fit = fitPowerLaw(ref.N, ref.kc, ref.p0);
  assert.ok(fit.converged, fit.message);
  // MINPACK stops at xtol = 1.5e-8 (relative to the whole parameter vector) with forward-difference Jacobians;
  // ours ends with a gradient ~1e-15 and a lower RSS, so the parameters agree to a small fraction of their SE
  ref.popt.forEach((v: number, j: number) => close('power law params vs curve_fit', `param ${j}`, fit.params[j], v, 1e-6, 1e-5 * ref.se[j]));
  ref.se.forEach((v: number, j: number) => close('power law SE vs curve_fit', `se ${j}`, fit.se[j], v, 1e-5));
  close('power law RSS vs curve_fit', 'rss', fit.rss, ref.rss, 1e-9);
  assert.ok(fit.rss <= ref.rss, 'our RSS is not above curve_fit\'s');
  // the default start (log-log line) finds the same optimum
  const fit2 = fitPowerLaw(ref.N, ref.kc);
  fit.params.forEach((v, j) => close('power law default start', `param ${j}`, fit2.params[j], v, 1e-8));
  // the true values are within 3 SE
  ref.true.forEach((v: number, j: number) => assert.ok(Math.abs(fit.params[j] - v) < 3 * fit.se[j], `true param ${j} within 3 SE`));
});

test('exact power law (the paper\'s fit) is recovered to 1e-9', () => {
  const N = [25, 50, 100, 200, 400, 800, 1600];
  const truth = [8.12e-3, 31.4, -0.545];
  const kc = N.map((n) => powerLaw(n, truth));
  const fit = fitPowerLaw(N, kc, [0, 20, -0.4]);
  truth.forEach((v, j) => close('exact power law', `param ${j}`, fit.params[j], v, 1e-9));
  assert.ok(fit.rss < 1e-20);
});

test('straight line: LM SEs equal the closed-form OLS SEs (numeric gradient)', () => {
  const x = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const y = [1.1, 2.9, 5.2, 6.8, 9.1, 11.2, 12.8, 15.1, 17.0, 18.9];
  const fit = levenbergMarquardt((xi, [a, b]) => a + b * xi, x, y, [0, 0]);
  const n = x.length, mx = x.reduce((s, v) => s + v, 0) / n, my = y.reduce((s, v) => s + v, 0) / n;
  const sxx = x.reduce((s, v) => s + (v - mx) ** 2, 0);
  const b = x.reduce((s, v, i) => s + (v - mx) * (y[i] - my), 0) / sxx, a = my - b * mx;
  const rss = y.reduce((s, v, i) => s + (v - a - b * x[i]) ** 2, 0), s2 = rss / (n - 2);
  close('line vs OLS', 'a', fit.params[0], a, 1e-10);
  close('line vs OLS', 'b', fit.params[1], b, 1e-10);
  close('line vs OLS', 'se a', fit.se[0], Math.sqrt(s2 * (1 / n + (mx * mx) / sxx)), 1e-7);
  close('line vs OLS', 'se b', fit.se[1], Math.sqrt(s2 / sxx), 1e-7);
  // weights: sigma = 2 everywhere leaves the parameters and (relative) SEs unchanged
  const fw = levenbergMarquardt((xi, [a0, b0]) => a0 + b0 * xi, x, y, [0, 0], { sigma: x.map(() => 2) });
  close('line vs OLS', 'weighted b', fw.params[1], b, 1e-10);
  close('line vs OLS', 'weighted se b', fw.se[1], Math.sqrt(s2 / sxx), 1e-7);
});

test('bad input is refused', () => {
  assert.throws(() => levenbergMarquardt(powerLaw, [1, 2], [1, 2], [0, 1, 1]), /too few/);
  assert.throws(() => levenbergMarquardt(powerLaw, [1, 2, 3], [1, NaN, 2], [0, 1, 1]), /not finite/);
});

test.after(() => printMaxDev('curve fits (max deviation):'));
test.run();
