// LMM properties (row order, shifting and scaling y, relabelling groups), the all-subsets table against the
// reference fits, and the data errors a user can hit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lmm, lmmAllSubsets, parseCsv, parseFormula, type DataColumns, DataError, FormulaError } from '../../src/stats/index.js';
import { fixtureJson, fixtureText } from './fixtures.js';

const zoo = parseCsv(fixtureText('zoo.csv')).columns;
const refs = fixtureJson('lmm_refs.json').models as Record<string, any>;
const FULL = 'acc ~ lambda0 + Sigma + p + m + (1 | model_type)';
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

function permuted(data: DataColumns, seed: number): DataColumns {
  const n = Object.values(data)[0].length;
  const idx = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = n - 1; i > 0; i--) { s = (s * 1103515245 + 12345) % 2147483648; const j = s % (i + 1); [idx[i], idx[j]] = [idx[j], idx[i]]; }
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, idx.map((i) => v[i])]));
}

test('invariant to the order of the rows', () => {
  const a = lmm(FULL, zoo, { scale: true });
  const b = lmm(FULL, permuted(zoo, 7), { scale: true });
  assert.ok(rel(b.theta, a.theta) < 1e-9);
  assert.ok(Math.abs(b.REMLcrit - a.REMLcrit) < 1e-9);
  for (const k of a.coefNames) {
    assert.ok(rel(b.beta[k], a.beta[k]) < 1e-9, k);
    assert.ok(rel(b.se[k], a.se[k]) < 1e-9, k);
    assert.ok(rel(b.df_satterthwaite[k], a.df_satterthwaite[k]) < 1e-7, k);
  }
  assert.ok(rel(b.R2c!, a.R2c!) < 1e-9);
});

test('shifting y moves only the intercept; scaling y scales β, σ and leaves θ, t, df, R² alone', () => {
  const a = lmm(FULL, zoo, { scale: true });
  const shifted = { ...zoo, acc: zoo.acc.map((v) => Number(v) + 1000) };
  const b = lmm(FULL, shifted, { scale: true });
  assert.ok(rel(b.theta, a.theta) < 1e-7);
  assert.ok(Math.abs(b.REMLcrit - a.REMLcrit) < 1e-8);
  assert.ok(Math.abs(b.beta['(Intercept)'] - a.beta['(Intercept)'] - 1000) < 1e-8);
  for (const k of a.coefNames.slice(1)) assert.ok(Math.abs(b.beta[k] - a.beta[k]) < 1e-8, k);
  assert.ok(rel(b.sigma, a.sigma) < 1e-8);
  const c = lmm(FULL, { ...zoo, acc: zoo.acc.map((v) => Number(v) * 0.01) }, { scale: true });
  assert.ok(rel(c.theta, a.theta) < 1e-7);
  assert.ok(rel(c.sigma, a.sigma * 0.01) < 1e-8);
  // REMLcrit shifts by 2(n-p)·log(c)
  assert.ok(Math.abs(c.REMLcrit - (a.REMLcrit + 2 * (80 - 5) * Math.log(0.01))) < 1e-8);
  for (const k of a.coefNames) {
    assert.ok(rel(c.t[k], a.t[k]) < 1e-7, k);
    assert.ok(rel(c.df_satterthwaite[k], a.df_satterthwaite[k]) < 1e-6, k);
  }
  assert.ok(Math.abs(c.R2m - a.R2m) < 1e-9);
});

test('relabelling the groups changes nothing but the names of the random effects', () => {
  const a = lmm(FULL, zoo);
  const b = lmm(FULL, { ...zoo, model_type: zoo.model_type.map((g) => `arch-${String(g).split('').reverse().join('')}`) });
  assert.ok(rel(b.theta, a.theta) < 1e-12);
  assert.equal(Object.values(b.groupSizes).sort(), Object.values(a.groupSizes).sort());
  assert.ok(Math.abs(b.ranef['arch-10tm'] - a.ranef.mt01) < 1e-9);
});

test('all subsets: 15 models ordered by AIC, each as the reference fit (zoo, z-scored)', () => {
  const rows = lmmAllSubsets(FULL, zoo, { scale: true });
  assert.is(rows.length, 15);
  for (let i = 1; i < rows.length; i++) assert.ok(rows[i].AIC >= rows[i - 1].AIC);
  assert.is(rows[0].deltaAIC, 0);
  for (const r of rows) {
    const ref = refs[`zoo_z__${r.predictors.join('+')}`].polished;
    assert.ok(Math.abs(r.AIC - ref.AIC) < 1e-8, `${r.formula} AIC`);
    assert.ok(Math.abs(r.BIC - ref.BIC) < 1e-8, `${r.formula} BIC`);
    assert.ok(rel(r.R2m, ref.r2_performance.R2_marginal) < 1e-6, `${r.formula} R2m`);
    assert.ok(rel(r.R2c!, ref.r2_performance.R2_conditional) < 1e-6, `${r.formula} R2c`);
  }
  const withEmpty = lmmAllSubsets(FULL, zoo, { scale: true, includeEmpty: true });
  assert.is(withEmpty.length, 16);
  const empty = withEmpty.find((r) => r.predictors.length === 0)!;
  assert.ok(Math.abs(empty.AIC - refs.zoo__intercept_only.polished.AIC) < 1e-8);
  const ml = lmmAllSubsets(FULL, zoo, { scale: true, REML: false });
  assert.ok(ml.every((r) => !r.fit.REML));
});

test('formula parsing', () => {
  const f = parseFormula('acc~lambda0+ Sigma +(1|model_type)');
  assert.equal(f.fixed.map((t) => t.column), ['lambda0', 'Sigma']);
  assert.is(f.group, 'model_type');
  assert.is(f.text, 'acc ~ lambda0 + Sigma + (1 | model_type)');
  assert.is(parseFormula('y ~ 1 + (1 | g)').fixed.length, 0);
  assert.is(parseFormula('y ~ x - 1 + (1|g)').intercept, false);
  assert.is(parseFormula('y ~ 0 + x + (1|g)').intercept, false);
  assert.is(parseFormula('y ~ scale(x) + (1|g)').fixed[0].name, 'scale(x)');
  assert.is(parseFormula('`my y` ~ `a b` + (1|`the group`)').fixed[0].column, 'a b');
  assert.throws(() => parseFormula('y ~ x'), (e: Error) => e instanceof FormulaError && /no random intercept/.test(e.message));
  assert.throws(() => parseFormula('y ~ x + (x | g)'), /only a random intercept/);
  assert.throws(() => parseFormula('y ~ x + (1|g) + (1|h)'), /only one random intercept/);
  assert.throws(() => parseFormula('y ~ log(x) + (1|g)'), /not supported/);
  assert.throws(() => parseFormula('y ~ x * z + (1|g)'), /unexpected/);
});

test('data errors name the column and row', () => {
  const small: DataColumns = { g: ['a', 'a', 'b', 'b', 'c'], x: ['1', '2', '3', '4', '5'], y: ['1.5', '2.5', 'oops', '3', '4'] };
  const err = (fn: () => unknown, re: RegExp) => assert.throws(fn, (e: Error) => e instanceof DataError && re.test(e.message));
  err(() => lmm('y ~ x + (1|g)', small), /column 'y', row 3: 'oops' is not a number/);
  err(() => lmm('y ~ nope + (1|g)', small), /no column 'nope'/);
  err(() => lmm('y ~ x + (1|g)', { ...small, y: ['1', '2', '3', 'NaN', '4'] }), /column 'y', row 4: missing value 'NaN'/);
  err(() => lmm('y ~ x + (1|g)', { ...small, y: [1, 2, NaN, 4, 5] }), /column 'y', row 3/);
  err(() => lmm('y ~ x + (1|g)', { ...small, y: ['1', '2', '3', '4', '5'], g: ['a', 'a', 'a', 'a', 'a'] }), /only one level/);
  err(() => lmm('y ~ x + (1|g)', { g: ['a', 'b', 'c'], x: [1, 2, 3], y: [1, 2, 3.5] }), /3 levels for 3 rows: the number of groups must be smaller/);
  err(() => lmm('y ~ x + z + w + (1|g)', { g: ['a', 'b', 'a', 'b'], x: [1, 2, 3, 4], z: [2, 1, 4, 3], w: [0, 1, 1, 0], y: [1, 2, 3.5, 4] }), /4 rows are too few for 4 fixed-effect parameters/);
  err(() => lmm('y ~ x + z + (1|g)', { g: ['a', 'b', 'a', 'b', 'c', 'c'], x: [1, 2, 3, 4, 5, 6], z: [2, 4, 6, 8, 10, 12], y: [1, 2, 3.5, 4, 6, 5] }), /rank deficient: column 'z'/);
  err(() => lmm('y ~ x + (1|g)', { g: ['a', 'b', 'a', 'b', 'c', 'c'], x: [1, 1, 1, 1, 1, 1], y: [1, 2, 3.5, 4, 6, 5] }), /rank deficient: column 'x'/);
  err(() => lmm('y ~ x + (1|g)', { g: ['a', 'b', 'a', 'b', 'c', 'c'], x: [1, 1, 1, 1, 1, 1], y: [1, 2, 3.5, 4, 6, 5] }, { scale: true }), /constant/);
});

test('a singular fit: θ = 0, isSingular, R2c null as performance, lme4 message, df = n - p', () => {
  const d = parseCsv(fixtureText('singular.csv')).columns;
  const fit = lmm('y ~ x + (1|g)', d);
  assert.is(fit.theta, 0);
  assert.ok(fit.isSingular);
  assert.is(fit.R2c, null);
  assert.ok(fit.warnings.includes("boundary (singular) fit: see help('isSingular')"));
  assert.ok(Math.abs(fit.df_satterthwaite.x - 18) < 1e-9);
});
test.run();
