// The SciPy 1.10.1 reference cases (refs/stats/out/scipy_refs.json): statistic 1e-12 rel, p 1e-10 rel
// (1e-15 abs for p < 1e-15), the path taken, SciPy's warnings and errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spearman, wilcoxon, mannWhitneyU, oneWayAnova } from '../../src/stats/index.js';
import { close, fixtureJson, printMaxDev } from './fixtures.js';

const refs = fixtureJson('scipy_refs.json');
const STAT = 1e-12, P = 1e-10, PABS = 1e-15;

function checkP(group: string, name: string, got: number, want: number) {
  close(group, `${name} p`, got, want, P, want < 1e-15 ? PABS : 0);
}

test('spearmanr: all reference cases', () => {
  for (const c of refs.spearmanr) {
    const r = spearman(c.x, c.y, { alternative: c.kwargs.alternative });
    close('spearman statistic', `${c.name} rho`, r.statistic, c.statistic, STAT);
    checkP('spearman p', c.name, r.pvalue, c.pvalue);
    assert.equal(r.warnings, c.warnings, `${c.name} warnings`);
  }
});

test('wilcoxon: all reference cases', () => {
  for (const c of refs.wilcoxon) {
    const opts = { zeroMethod: c.kwargs.zero_method, correction: c.kwargs.correction, alternative: c.kwargs.alternative, method: c.kwargs.method };
    if (c.error) {
      const msg = c.error.replace(/^ValueError: /, '');
      assert.throws(() => wilcoxon(c.x, c.y, opts), (e: Error) => e.message === msg, c.name);
      continue;
    }
    const r = wilcoxon(c.x, c.y, opts);
    close('wilcoxon statistic', `${c.name} T`, r.statistic, c.statistic, STAT);
    checkP('wilcoxon p', c.name, r.pvalue, c.pvalue);
    assert.is(r.method, c.effective_method, `${c.name} method`);
    if (c.zstatistic !== undefined) close('wilcoxon z', `${c.name} z`, r.zstatistic!, c.zstatistic, STAT);
    else assert.is(r.zstatistic, undefined, `${c.name}: no zstatistic unless method='approx'`);
    assert.equal([...r.warnings].sort(), c.warnings, `${c.name} warnings`);
  }
});

test('mannwhitneyu: all reference cases', () => {
  for (const c of refs.mannwhitneyu) {
    const r = mannWhitneyU(c.x, c.y, { useContinuity: c.kwargs.use_continuity, alternative: c.kwargs.alternative, method: c.kwargs.method });
    close('mannwhitneyu statistic', `${c.name} U`, r.statistic, c.statistic, STAT);
    checkP('mannwhitneyu p', c.name, r.pvalue, c.pvalue);
    assert.is(r.method, c.effective_method, `${c.name} method`);
    assert.equal(r.warnings, c.warnings, `${c.name} warnings`);
  }
});

test('f_oneway: all reference cases', () => {
  for (const c of refs.f_oneway) {
    const r = oneWayAnova(c.groups);
    close('f_oneway statistic', `${c.name} F`, r.statistic, c.statistic, STAT);
    checkP('f_oneway p', c.name, r.pvalue, c.pvalue);
    assert.is(r.dfBetween, c.df_between);
    assert.is(r.dfWithin, c.df_within);
    assert.equal(r.warnings, c.warnings, `${c.name} warnings`);
  }
});

test.after(() => printMaxDev('SciPy reference groups (max deviation):'));
test.run();
