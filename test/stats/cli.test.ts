// `crit stats` through the command's run function (and once through bin/crit.mjs when the CLI is built):
// JSON answers equal the library's and the references, text tables print, and bad input gives UsageErrors
// that name the file, column, row and line.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStats, stats } from '../../src/cli/commands/stats.js';
import { UsageError } from '../../src/cli/command.js';
import { FIXTURES, fixtureJson } from './fixtures.js';

const ROOT = FIXTURES.replace(/\/test\/fixtures\/stats$/, '');
const refs = fixtureJson('lmm_refs.json').models as Record<string, any>;
const scipy = fixtureJson('scipy_refs.json');
const dir = mkdtempSync(join(tmpdir(), 'crit-stats-'));
function csv(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
async function run(args: string[]): Promise<string> {
  let out = '';
  const code = await runStats(args, (s) => { out += s + '\n'; });
  assert.is(code, 0);
  return out;
}
async function json(args: string[]): Promise<any> {
  return JSON.parse(await run([...args, '--json']));
}
async function usageError(args: string[], re: RegExp) {
  try { await runStats(args, () => {}); }
  catch (e) {
    assert.ok(e instanceof UsageError, `expected a UsageError, got ${(e as Error).name}: ${(e as Error).message}`);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`crit stats ${args.join(' ')} should fail with ${re}`);
}
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

test('the command is registered under the name stats', () => {
  assert.is(stats.name, 'stats');
  assert.match(stats.usage, /crit stats lmm --csv FILE --formula/);
});

test('lmm --json on the zoo data equals lmerTest (polished) with README field names', async () => {
  const ref = refs['zoo_z__lambda0+Sigma'].polished;
  const j = await json(['lmm', '--csv', `${FIXTURES}/zoo_z.csv`, '--formula', 'acc ~ z_lambda0 + z_Sigma + (1|model_type)']);
  for (const k of ['beta', 'se', 'df_satterthwaite', 't', 'p']) for (const c of Object.keys(ref[k])) assert.ok(rel(j[k][c], ref[k][c]) < 1e-6, `${k} ${c}`);
  for (const k of ['theta', 'sigma', 'sigma_b']) assert.ok(rel(j[k], ref[k]) < 1e-6, k);
  for (const k of ['logLik', 'AIC', 'BIC', 'REMLcrit']) assert.ok(Math.abs(j[k] - ref[k]) < 1e-8, k);
  assert.ok(rel(j.R2m, ref.r2_performance.R2_marginal) < 1e-6);
  assert.ok(rel(j.R2c, ref.r2_performance.R2_conditional) < 1e-6);
  // --scale on the raw columns gives the same model
  const s = await json(['lmm', '--csv', `${FIXTURES}/zoo.csv`, '--formula', 'acc ~ lambda0 + Sigma + (1|model_type)', '--scale']);
  assert.ok(Math.abs(s.REMLcrit - ref.REMLcrit) < 1e-8);
  assert.ok(rel(s.beta.lambda0, ref.beta.z_lambda0) < 1e-6);
  // --ml
  const ml = await json(['lmm', '--csv', `${FIXTURES}/zoo_z.csv`, '--formula', 'acc ~ z_lambda0 + (1|model_type)', '--ml']);
  const mlRef = fixtureJson('lmm_ml_refs.json').models.zoo_z__lambda0.polished;
  assert.is(ml.REML, false);
  assert.ok(Math.abs(ml.AIC - mlRef.AIC) < 1e-8);
});

test('lmm --all-subsets: 15 models by AIC (JSON), and a readable table', async () => {
  const j = await json(['lmm', '--csv', `${FIXTURES}/zoo.csv`, '--formula', 'acc ~ lambda0 + Sigma + p + m + (1|model_type)', '--scale', '--all-subsets']);
  assert.is(j.models.length, 15);
  for (let i = 1; i < 15; i++) assert.ok(j.models[i].AIC >= j.models[i - 1].AIC);
  const best = j.models[0];
  assert.ok(Math.abs(best.AIC - refs[`zoo_z__${best.predictors.join('+')}`].polished.AIC) < 1e-8);
  const text = await run(['lmm', '--csv', `${FIXTURES}/zoo.csv`, '--formula', 'acc ~ lambda0 + Sigma + p + m + (1|model_type)', '--scale', '--all-subsets', '--include-empty']);
  assert.match(text, /ordered by AIC/);
  assert.match(text, /\(intercept only\)/);
  assert.is(text.split('\n').filter((l) => /^\d+\s/.test(l)).length, 16);
});

test('lmm text output looks like summary(lmerTest)', async () => {
  const text = await run(['lmm', '--csv', `${FIXTURES}/sleepstudy.csv`, '--formula', 'Reaction ~ Days + (1|Subject)']);
  assert.match(text, /Linear mixed model fit by REML/);
  assert.match(text, /Random effects:/);
  assert.match(text, /Fixed effects:/);
  assert.match(text, /Days\s+10\.467\s+0\.80422\s+161\s+13\.02\s+< 2e-16\s+\*\*\*/);
  assert.match(text, /Number of obs: 180, groups:  Subject, 18/);
  const sing = await run(['lmm', '--csv', `${FIXTURES}/singular.csv`, '--formula', 'y ~ x + (1|g)']);
  assert.match(sing, /singular fit/);
  assert.match(sing, /conditional NA/);
});

test('the example CSV of docs/stats.md answers every test', async () => {
  const ex = `${ROOT}/examples/stats/example.csv`;
  const fit = await json(['lmm', '--csv', ex, '--formula', 'acc ~ lambda0 + Sigma + (1|arch)']);
  assert.is(fit.nobs, 20);
  assert.is(fit.ngroups, 5);
  assert.ok(fit.p.lambda0 < 0.001);
  for (const args of [['spearman', '--columns', 'acc,lambda0'], ['wilcoxon', '--columns', 'lambda0'], ['mannwhitney', '--columns', 'acc', '--by', 'arch'], ['anova', '--columns', 'acc', '--by', 'arch']]) {
    if (args[0] === 'mannwhitney') { await usageError([...args.slice(0, 1), '--csv', ex, ...args.slice(1)], /has 5 levels .*exactly 2/); continue; }
    const j = await json([args[0], '--csv', ex, ...args.slice(1)]);
    assert.ok(j.pvalue >= 0 && j.pvalue <= 1, args[0]);
  }
  const pl = await json(['powerlaw', '--csv', `${ROOT}/examples/stats/kappa_c.csv`, '--columns', 'N,kappa_c']);
  assert.ok(pl.converged);
  assert.ok(Math.abs(pl.params.k + 0.5465) < 1e-3);
});

test('the example CSV gives lmerTest\'s numbers (R run by make_example_refs.R; default-fit tolerances)', async () => {
  const ex = `${ROOT}/examples/stats/example.csv`;
  const R = fixtureJson('example_refs.json');
  const cases: [string, string[]][] = [
    ['raw', ['--formula', 'acc ~ lambda0 + Sigma + (1|arch)']],
    ['z', ['--formula', 'acc ~ lambda0 + Sigma + (1|arch)', '--scale']],
    ['z_lambda0', ['--formula', 'acc ~ lambda0 + (1|arch)', '--scale']],
    ['z_Sigma', ['--formula', 'acc ~ Sigma + (1|arch)', '--scale']],
    ['ml', ['--formula', 'acc ~ lambda0 + Sigma + (1|arch)', '--ml']],
  ];
  for (const [name, args] of cases) {
    const r = R[name];
    const j = await json(['lmm', '--csv', ex, ...args]);
    assert.ok(rel(j.theta, r.theta) < 2e-6, `${name} theta`);
    assert.ok(rel(j.sigma, r.sigma) < 1e-6, `${name} sigma`);
    for (const k of ['logLik', 'AIC', 'BIC']) assert.ok(Math.abs(j[k] - r[k]) < 1e-8, `${name} ${k}`);
    for (const c of Object.keys(r.beta)) {
      const ours = c.replace(/^z_/, '');
      assert.ok(rel(j.beta[ours], r.beta[c]) < 1e-6, `${name} beta ${c}`);
      assert.ok(rel(j.se[ours], r.se[c]) < 1e-6, `${name} se ${c}`);
      assert.ok(rel(j.df_satterthwaite[ours], r.df[c]) < 1e-5, `${name} df ${c}`);
      assert.ok(rel(j.p[ours], r.p[c]) < 1e-4, `${name} p ${c}`);
    }
    assert.ok(rel(j.R2m, r.R2m) < 1e-6 && rel(j.R2c, r.R2c) < 1e-6, `${name} R2`);
  }
});

test('spearman, wilcoxon, mannwhitney, anova from CSV columns reproduce SciPy', async () => {
  const sp = scipy.spearmanr.find((c: any) => c.name === 'n12_ties_both');
  const f1 = csv('sp.csv', 'x,y\n' + sp.x.map((v: number, i: number) => `${v},${sp.y[i]}`).join('\n') + '\n');
  const a = await json(['spearman', '--csv', f1, '--columns', 'x,y']);
  assert.ok(rel(a.statistic, sp.statistic) < 1e-12 && rel(a.pvalue, sp.pvalue) < 1e-10);
  const wc = scipy.wilcoxon.find((c: any) => c.name === 'paired_xy_n12_one_zero_pratt');
  const f2 = csv('wc.csv', 'before,after\n' + wc.x.map((v: number, i: number) => `${v},${wc.y[i]}`).join('\n'));
  const b = await json(['wilcoxon', '--csv', f2, '--columns', 'before,after', '--zero-method', 'pratt']);
  assert.ok(rel(b.pvalue, wc.pvalue) < 1e-10);
  assert.is(b.method, 'approx');
  assert.equal(b.warnings, wc.warnings);
  const mw = scipy.mannwhitneyu.find((c: any) => c.name === 'n5_n6_exact_less');
  const rows = Math.max(mw.x.length, mw.y.length);
  const f3 = csv('mw.csv', 'a,b\n' + Array.from({ length: rows }, (_, i) => `${mw.x[i] ?? ''},${mw.y[i] ?? ''}`).join('\n'));
  const c = await json(['mannwhitney', '--csv', f3, '--columns', 'a,b', '--alternative', 'less']);
  assert.is(c.U1, mw.statistic);
  assert.ok(rel(c.pvalue, mw.pvalue) < 1e-10);
  const av = scipy.f_oneway.find((x: any) => x.name === 'zoo_acc_by_model_type_21_groups_with_singletons');
  const d = await json(['anova', '--csv', `${FIXTURES}/zoo.csv`, '--columns', 'acc', '--by', 'model_type']);
  assert.ok(rel(d.F, av.statistic) < 1e-12 && rel(d.pvalue, av.pvalue) < 1e-10);
  const three = scipy.f_oneway.find((x: any) => x.name === 'three_groups_unequal');
  const n = Math.max(...three.groups.map((g: number[]) => g.length));
  const f4 = csv('av.csv', 'g1,g2,g3\n' + Array.from({ length: n }, (_, i) => three.groups.map((g: number[]) => g[i] ?? '').join(',')).join('\n'));
  const e = await json(['anova', '--csv', f4, '--columns', 'g1,g2,g3']);
  assert.ok(rel(e.F, three.statistic) < 1e-12);
  assert.equal(e.sizes, [4, 3, 5]);
});

test('bad input: clear errors naming file, column, row and line', async () => {
  const bad = csv('bad.csv', 'g,x,y\na,1,2.5\na,2,3.1\nb,3,abc\nb,4,5.0\nc,5,NaN\n');
  await usageError(['lmm', '--csv', join(dir, 'nope.csv'), '--formula', 'y ~ x + (1|g)'], /cannot read .*nope\.csv': no such file/);
  await usageError(['lmm', '--csv', bad, '--formula', 'y ~ w + (1|g)'], /no column 'w'/);
  await usageError(['lmm', '--csv', bad, '--formula', 'y ~ x + (1|g)'], /column 'y', row 3: 'abc' is not a number \(line 4 of .*bad\.csv\)/);
  const nan = csv('nan.csv', 'g,x,y\na,1,2.5\na,2,3.1\nb,3,4\nb,4,5.0\nc,5,NaN\nc,6,1\n');
  await usageError(['lmm', '--csv', nan, '--formula', 'y ~ x + (1|g)'], /column 'y', row 5: missing value 'NaN' \(line 6/);
  const one = csv('one.csv', 'g,x,y\na,1,2.5\na,2,3.1\na,3,4\n');
  await usageError(['lmm', '--csv', one, '--formula', 'y ~ x + (1|g)'], /grouping column 'g' has only one level \('a'\)/);
  const few = csv('few.csv', 'g,x,z,y\na,1,3,2.5\nb,2,1,3.1\na,3,0,4\n');
  await usageError(['lmm', '--csv', few, '--formula', 'y ~ x + z + (1|g)'], /3 rows are too few for 3 fixed-effect parameters/);
  await usageError(['lmm', '--csv', bad, '--formula', 'y ~ x'], /no random intercept/);
  await usageError(['lmm', '--csv', bad], /--formula is required/);
  await usageError(['spearman', '--csv', bad, '--columns', 'x,y'], /column 'y', row 3 \(line 4 of .*\): 'abc' is not a number/);
  await usageError(['spearman', '--csv', bad, '--columns', 'x'], /--columns needs 2 column names, got 1/);
  await usageError(['spearman', '--csv', bad, '--columns', 'x,x', '--alternative', 'bigger'], /--alternative must be one of two-sided, less, greater/);
  await usageError(['anova', '--csv', one, '--columns', 'x', '--by', 'g'], /only one level/);
  await usageError(['wilcoxon', '--csv', bad, '--columns', 'x', '--method', 'magic'], /--method must be one of auto, exact, approx/);
  await usageError(['wilcoxon', '--csv', bad, '--colums', 'x'], /Unknown option '--colums'/);
  await usageError(['ttest', '--csv', bad], /unknown test 'ttest'/);
  await usageError(['spearman', '--columns', 'x,y'], /--csv FILE is required/);
  const ragged = csv('ragged.csv', 'a,b\n1,2\n3\n');
  await usageError(['spearman', '--csv', ragged, '--columns', 'a,b'], /line 3 has 1 field, the header has 2/);
  const allZero = csv('zero.csv', 'd\n0\n0\n0\n');
  await usageError(['wilcoxon', '--csv', allZero, '--columns', 'd'], /do not work if x - y is zero for all elements/);
});

test('bin/crit.mjs stats (when the CLI bundle is built)', () => {
  const cli = `${ROOT}/dist/node/cli.mjs`;
  if (!existsSync(cli)) { console.log('  (dist/node/cli.mjs not built: skipped the spawn check)'); return; }
  const r = spawnSync(process.execPath, [`${ROOT}/bin/crit.mjs`, 'stats', 'anova', '--csv', `${ROOT}/examples/stats/example.csv`, '--columns', 'acc', '--by', 'arch', '--json'], { encoding: 'utf8' });
  if (/unknown command 'stats'/.test(r.stderr)) { console.log('  (the built CLI predates the stats command: skipped)'); return; }
  assert.is(r.status, 0, r.stderr);
  assert.is(JSON.parse(r.stdout).groups.length, 5);
  const bad = spawnSync(process.execPath, [`${ROOT}/bin/crit.mjs`, 'stats', 'lmm', '--csv', join(dir, 'missing.csv'), '--formula', 'y ~ x + (1|g)'], { encoding: 'utf8' });
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /crit: cannot read .*missing\.csv': no such file/);
});

test.run();
