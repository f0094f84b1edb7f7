// The Fig. 4 experiment end to end on a tiny grid (a 784-16-10 net, 64 digits, 2 epochs): every output file,
// the summary rows, the ∂L_λ/∂e summary, resuming (finished runs are skipped), refusing other settings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, existsSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as crit from '../../src/index.node.js';
import { runFig4, loadData, presets, gridRuns, type Fig4Config } from '../../src/experiments/fig4/index.js';
import { meanAbsChange } from '../../src/criticality/loss.js';
import { accuracyGains, targetChecks, mixedModel, type SummaryRow } from '../../src/experiments/fig4/analysis.js';

const cfg: Fig4Config = {
  ...presets.quick, preset: 'custom', arch: 'mlp:784-16-10:scaled-tanh', inits: ['init0', 'init3'], alphas: [10], lambdaTargets: [0],
  reps: 1, epochs: 2, batchSize: 32, optimizer: 'adam', lr: 1e-3, clipGradNorm: 1, trainSize: 64, testSize: 48, lambdaInputs: 8, vectors: 'exact', coldIterations: 4, warmIterations: 1,
};
const out = mkdtempSync(join(tmpdir(), 'crit-fig4-'));

test('meanAbsChange is the mean absolute epoch-to-epoch change', () => {
  assert.is(meanAbsChange([1, 3, 2, 2]), (2 + 1 + 0) / 3);
  assert.is(meanAbsChange([5]), null);
});

test('a tiny grid: files, summary rows and per-epoch records', async () => {
  await crit.init();
  const logs: string[] = [];
  const s = await runFig4(cfg, { out, log: (m) => logs.push(m) });
  assert.is(gridRuns(cfg).length, 4);
  assert.is(s.runs, 4);
  for (const f of ['runs.json', 'epochs.csv', 'epochs.json', 'summary.json', 'summary.csv', 'fig4.json', 'index.html']) assert.ok(existsSync(join(out, f)), f);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  assert.is(summary.length, 4);
  for (const r of summary) {
    for (const k of ['init', 'loss', 'alpha', 'lambda_t', 'rep', 'final_lambda0', 'final_test_acc']) assert.ok(k in r, k);
    assert.ok(r.loss === 'CEL' ? r.alpha === null && r.lambda_t === null : r.alpha === 10 && r.lambda_t === 0);
    assert.ok(Number.isFinite(r.final_lambda0) && r.final_test_acc >= 0 && r.final_test_acc <= 1);
  }
  const epochs = JSON.parse(readFileSync(join(out, 'epochs.json'), 'utf8'));
  assert.is(epochs.length, 4 * 3);
  const csv = readFileSync(join(out, 'epochs.csv'), 'utf8').trim().split('\n');
  assert.is(csv.length, 1 + 12);
  assert.match(csv[0], /^run,init,loss,alpha,lambda_t,rep,epoch,lr,train_loss,train_ce,L_lambda,train_lambda0,train_lambda0_exact,test_acc,test_loss,lambda0,lambda0_sd,seconds$/);
  // CritL: L_λ = α · mean (λ_t − λ0)² per training epoch, and ∂L_λ/∂e from that trace.
  const crit0 = epochs.filter((e: { run: string }) => e.run === 'init0-CritL-a10-t0-rep0');
  assert.equal(crit0.map((e: { epoch: number }) => e.epoch), [0, 1, 2]);
  assert.is(crit0[0].L_lambda, null);
  assert.ok(crit0[1].L_lambda > 0 && crit0[2].L_lambda > 0);
  const row = s.summary.find((r) => r.run === 'init0-CritL-a10-t0-rep0')!;
  assert.ok(Math.abs(row.dLde! - Math.abs(crit0[2].L_lambda - crit0[1].L_lambda)) < 1e-12);
  // Epoch 0 is the untrained net: the same λ0 for CEL and CritL from the same init and repetition.
  const cel0 = epochs.find((e: { run: string; epoch: number }) => e.run === 'init0-CEL-rep0' && e.epoch === 0);
  assert.is(cel0.lambda0, crit0[0].lambda0);
  assert.is(s.checks.length, 2);
  // One (α, λ_t) cell over two inits: the mean and the largest offset of their final λ0.
  const critl = s.summary.filter((r) => r.loss === 'CritL');
  assert.is(s.offsets.length, 1);
  assert.is(s.offsets[0].runs, 2);
  assert.ok(Math.abs(s.offsets[0].mean - (critl[0].final_lambda0 + critl[1].final_lambda0) / 2) < 1e-12);
  assert.is(s.offsets[0].maxAbs, Math.max(...critl.map((r) => Math.abs(r.final_lambda0))));
  for (const e of epochs) assert.ok(Number.isFinite(e.train_lambda0_exact), `exact training λ0 of ${e.run} epoch ${e.epoch}`);
  assert.ok(Number.isFinite(s.offsets[0].meanTrain));
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.match(html, /<svg/);
  assert.match(html, /accuracy ~ scale\(dLde\) \+ scale\(lambda0\) \+ \(1 \| configuration\)/);
  assert.match(html, /accuracy ~ scale\(dLde\) \+ scale\(abs_lambda0\) \+ \(1 \| configuration\)/);
  assert.ok(logs.some((l) => /\[4\/4\] init3-CritL-a10-t0-rep0: running/.test(l)));
});

test('a restart skips the stored runs; other settings are refused', async () => {
  const logs: string[] = [];
  const s = await runFig4(cfg, { out, log: (m) => logs.push(m) });
  assert.is(s.runs, 4);
  assert.not.ok(logs.some((l) => /running/.test(l)), logs.join('\n'));
  assert.ok(logs.some((l) => /resuming: 4 runs/.test(l)));
  try {
    await runFig4({ ...cfg, epochs: 3 }, { out, log: () => undefined });
    assert.unreachable('other settings must be refused');
  } catch (e) { assert.match((e as Error).message, /was written with other settings \(epochs: stored 2, now 3\)/); }
});

const FASHION = '/usr/share/datasets/fashion-mnist';
(existsSync(FASHION) ? test : test.skip)('--data reads a folder of IDX files (Debian dataset-fashion-mnist) and takes the sizes asked for', async () => {
  const d = await loadData({ ...cfg, trainSize: 100, testSize: 30 }, FASHION);
  assert.is(d.train.length, 100);
  assert.is(d.test.length, 30);
  assert.is(d.train.features, 784);
  assert.match(d.description, /100 training images \(of 60000\), 30 test images/);
  const e = await loadData({ ...cfg, trainSize: 100, testSize: 30 });
  assert.match(e.description, /embedded MNIST/);
  assert.is(e.train.length + e.test.length, 130);
});

test('the target check: α >= 1 within 0.05 of λ_t', () => {
  const row = (alpha: number, lt: number, l0: number): SummaryRow => ({ run: `r${alpha}${lt}`, init: 'init0', loss: 'CritL', alpha, lambda_t: lt, rep: 0, configuration: '', initial_lambda0: 0, final_lambda0: l0, final_train_lambda0: l0, final_test_acc: 0.5, last10_test_acc: 0.5, dLde: 0, final_L_lambda: 0, seconds: 0 });
  const c = targetChecks([row(0.1, 0, 0.3), row(1, 0.2, 0.24), row(10, -0.2, -0.26)]);
  assert.equal(c.map((x) => [x.alpha, x.ok]), [[1, true], [10, false]]);
});

test('accuracy gains: CritL − CEL paired by init and repetition, with a Wilcoxon p', () => {
  const row = (init: string, rep: number, loss: 'CEL' | 'CritL', acc: number): SummaryRow => ({
    run: `${init}${rep}${loss}`, init, loss, alpha: loss === 'CEL' ? null : 10, lambda_t: loss === 'CEL' ? null : 0, rep, configuration: '',
    initial_lambda0: 0, final_lambda0: 0, final_train_lambda0: 0, final_test_acc: acc, last10_test_acc: acc, dLde: 0, final_L_lambda: 0, seconds: 0,
  });
  const rows = [['init0', 0.80, 0.83], ['init1', 0.70, 0.71], ['init2', 0.90, 0.94], ['init3', 0.60, 0.58], ['init0', 0.81, 0.86, 1]].flatMap(([init, cel, critl, rep]) => [
    row(init as string, (rep as number) ?? 0, 'CEL', cel as number), row(init as string, (rep as number) ?? 0, 'CritL', critl as number),
  ]);
  const [g] = accuracyGains(rows);
  assert.is(g.pairs, 5);
  const d = [0.03, 0.01, 0.04, -0.02, 0.05];
  assert.ok(Math.abs(g.mean - d.reduce((s, v) => s + v, 0) / 5) < 1e-12);
  // SciPy 1.10.1: wilcoxon([0.03, 0.01, 0.04, -0.02, 0.05]).pvalue = 0.1875 (exact, W = 2).
  assert.ok(Math.abs(g.p! - 0.1875) < 1e-12, `p ${g.p}`);
});

test('the mixed models: λ0 signed (the issue) and |λ0| (the paper), the same as lmm() on the table by hand', () => {
  const rows: SummaryRow[] = [];
  const lts = [-0.2, 0, 0.2], alphas = [1, 10, 100];
  // Accuracy falls with |λ0| (a V around 0) and with dLde: the signed model cannot see the V, the |λ0| one can.
  for (const [i, lt] of lts.entries()) for (const [j, alpha] of alphas.entries()) for (let r = 0; r < 3; r++) {
    const l0 = lt + 0.05 * (r - 1) + 0.01 * j, dLde = 0.01 * (1 + i + r) * (j + 1);
    rows.push({ run: `r${i}${j}${r}`, init: `init${r}`, loss: 'CritL', alpha, lambda_t: lt, rep: 0, configuration: `lt=${lt},a=${alpha}`, initial_lambda0: 0,
      final_lambda0: l0, final_train_lambda0: l0, final_test_acc: 0.9 - 0.2 * Math.abs(l0) - 0.5 * dLde + 0.003 * Math.sin(7 * i + 3 * j + r), last10_test_acc: 0, dLde, final_L_lambda: 0, seconds: 0 });
  }
  const signed = mixedModel(rows), abs = mixedModel(rows, { abs: true });
  assert.is(abs.formula, 'accuracy ~ scale(dLde) + scale(abs_lambda0) + (1 | configuration)');
  const direct = crit.stats.lmm('acc ~ scale(d) + scale(a) + (1 | g)', { acc: rows.map((r) => 100 * r.final_test_acc), d: rows.map((r) => r.dLde!), a: rows.map((r) => Math.abs(r.final_lambda0)), g: rows.map((r) => r.configuration) });
  assert.ok(Math.abs(abs.fit!.beta['scale(abs_lambda0)'] - direct.beta['scale(a)']) < 1e-9 && Math.abs(abs.fit!.beta['scale(dLde)'] - direct.beta['scale(d)']) < 1e-9);
  // Built in: −20 accuracy points per unit of |λ0|, i.e. −20·sd(|λ0|) per standard deviation.
  const a = rows.map((r) => Math.abs(r.final_lambda0)), m = a.reduce((x, y) => x + y, 0) / a.length;
  const sd = Math.sqrt(a.reduce((x, y) => x + (y - m) ** 2, 0) / (a.length - 1));
  assert.ok(Math.abs(abs.fit!.beta['scale(abs_lambda0)'] / sd - -20) < 2, `|λ0| slope ${abs.fit!.beta['scale(abs_lambda0)'] / sd} per unit`);
  assert.ok(Math.abs(signed.fit!.beta['scale(lambda0)']) < Math.abs(abs.fit!.beta['scale(abs_lambda0)']) / 4, `signed λ0 slope ${signed.fit!.beta['scale(lambda0)']}: the V is invisible to it`);
});

test.run();
