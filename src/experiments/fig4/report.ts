// The Fig. 4 report: tidy CSV/JSON of every run and epoch, summary.json (one row per run), fig4.json (the
// checks and the mixed model), and an HTML page with the paper's plots: λ0 and test accuracy per epoch for
// CEL and CritL from each init (a, b), final accuracy against λ0 and against ∂L_λ/∂e coloured by α and λ_t (c).
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/files.js';
import { renderSvg, finiteOrNull, type VegaLiteSpec } from '../../report/plot.js';
import { page, table, figure, p, esc, mark, type Section } from '../../report/html.js';
import { toCsv } from '../../report/csv.js';
import { mixedModelHtml, mixedModelJson } from '../mixed-model-report.js';
import type { Fig4Config } from './config.js';
import type { EpochRecord, RunResult } from './run.js';
import { type SummaryRow, type TargetCheck, type MixedModel, type InitSummary, type TargetOffset, type AccuracyGain, TARGET_TOLERANCE, summaryRow, targetChecks, mixedModel, initSummaries, targetOffsets, accuracyGains } from './analysis.js';
import { fmtNum as fmt, fmtPct, finiteJson as noNaN } from '../../report/format.js';

export interface Fig4Summary {
  config: Fig4Config;
  adapter: string;
  data: string;
  runs: number;
  expected: number;
  summary: SummaryRow[];
  checks: TargetCheck[];
  allTargetsReached: boolean;
  /** λ0 − λ_t per (α, λ_t) over inits and repetitions. */
  offsets: TargetOffset[];
  /** CritL − CEL in last-10-epoch test accuracy per (α, λ_t), paired by init and repetition. */
  gains: AccuracyGain[];
  inits: InitSummary[];
  /** accuracy ~ dLde + λ0 (the issue's model) and ~ dLde + |λ0| (the paper's text). */
  lmm: MixedModel;
  lmmAbs: MixedModel;
  seconds: number;
}

export const EPOCH_COLUMNS: (keyof EpochRecord & string)[] = ['run', 'init', 'loss', 'alpha', 'lambda_t', 'rep', 'epoch', 'lr', 'train_loss', 'train_ce', 'L_lambda', 'train_lambda0', 'train_lambda0_exact', 'test_acc', 'test_loss', 'lambda0', 'lambda0_sd', 'seconds'];
export const SUMMARY_COLUMNS: (keyof SummaryRow & string)[] = ['run', 'init', 'loss', 'alpha', 'lambda_t', 'rep', 'configuration', 'initial_lambda0', 'final_lambda0', 'final_train_lambda0', 'final_test_acc', 'last10_test_acc', 'dLde', 'final_L_lambda', 'seconds'];

export function summarize(config: Fig4Config, runs: RunResult[], o: { adapter: string; data: string; expected: number; seconds: number }): Fig4Summary {
  const summary = runs.map(summaryRow);
  const checks = targetChecks(summary);
  return {
    config, adapter: o.adapter, data: o.data, runs: runs.length, expected: o.expected, summary, checks,
    allTargetsReached: checks.length > 0 && checks.every((c) => c.ok), offsets: targetOffsets(summary), gains: accuracyGains(summary), inits: initSummaries(summary, config.inits), lmm: mixedModel(summary), lmmAbs: mixedModel(summary, { abs: true }), seconds: o.seconds,
  };
}

const pct = (v: number | null | undefined) => fmtPct(v, 2);

/** Series label of a run in the per-epoch plots. */
function series(e: { loss: string; alpha: number | null; lambda_t: number | null }): string {
  return e.loss === 'CEL' ? 'CEL' : `CritL α=${e.alpha}`;
}

/** Mean over repetitions per (init, series, epoch) of one field. */
function meanCurves(epochs: EpochRecord[], field: 'lambda0' | 'test_acc' | 'L_lambda'): Record<string, unknown>[] {
  const groups = new Map<string, { init: string; series: string; lambda_t: number | null; alpha: number | null; epoch: number; sum: number; n: number }>();
  for (const e of epochs) {
    const v = e[field];
    if (v === null || !Number.isFinite(v)) continue;
    const k = `${e.init}|${series(e)}|${e.lambda_t}|${e.epoch}`;
    const g = groups.get(k) ?? { init: e.init, series: series(e), lambda_t: e.lambda_t, alpha: e.alpha, epoch: e.epoch, sum: 0, n: 0 };
    g.sum += v; g.n++;
    groups.set(k, g);
  }
  return [...groups.values()].map((g) => ({ init: g.init, series: g.series, lambda_t: g.lambda_t, alpha: g.alpha, epoch: g.epoch, value: g.sum / g.n }));
}

async function plots(s: Fig4Summary, epochs: EpochRecord[]): Promise<{ svg: string; caption: string }[]> {
  const out: { svg: string; caption: string }[] = [];
  const alphas = [...new Set(s.summary.filter((r) => r.loss === 'CritL').map((r) => r.alpha!))].sort((a, b) => a - b);
  const targets = [...new Set(s.summary.filter((r) => r.loss === 'CritL').map((r) => r.lambda_t!))].sort((a, b) => a - b);
  // a, b: CEL (grey) and CritL at λ_t = 0 (or the target nearest 0) per α (dark blues), one panel per init.
  const lt0 = targets.length ? targets.reduce((b, t) => (Math.abs(t) < Math.abs(b) ? t : b)) : 0;
  const seriesDomain = ['CEL', ...alphas.map((a) => `CritL α=${a}`)];
  const seriesRange = ['#bdbdbd', ...alphas.map((_, i) => `hsl(215, 70%, ${Math.round(62 - (42 * i) / Math.max(1, alphas.length - 1))}%)`)];
  const color = { field: 'series', type: 'nominal', scale: { domain: seriesDomain, range: seriesRange }, legend: { title: null, orient: 'bottom' } };
  const curve = (field: 'lambda0' | 'test_acc', title: string, rule: number | null): VegaLiteSpec => ({
    data: { values: finiteOrNull(meanCurves(epochs, field).filter((d) => d.series === 'CEL' || d.lambda_t === lt0)) },
    facet: { column: { field: 'init', type: 'nominal', title: null, sort: s.config.inits } },
    // init3 starts near λ0 = −2.8: each panel gets its own y scale so the others stay readable.
    resolve: { scale: { y: 'independent' } },
    spec: { width: 200, height: 180, layer: [
      { mark: { type: 'line', strokeWidth: 1.8, point: { size: 14 } }, encoding: { x: { field: 'epoch', type: 'quantitative', title: 'epoch' }, y: { field: 'value', type: 'quantitative', title, scale: { zero: false } }, color } },
      ...(rule !== null ? [{ mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { datum: rule } } }] : []),
    ] },
  } as VegaLiteSpec);
  out.push({
    svg: await renderSvg(curve('lambda0', 'λ0 (mean over test inputs)', lt0)),
    caption: `a. λ0 per epoch (epoch 0 = initialisation) with cross-entropy alone (CEL, grey) and with the criticality loss (CritL, λ_t = ${lt0}, blue by α), from each init scheme; mean over repetitions. Dashed: λ_t.`,
  });
  out.push({
    svg: await renderSvg(curve('test_acc', 'test accuracy', null)),
    caption: `b. Test accuracy per epoch, CEL versus CritL (λ_t = ${lt0}), per init scheme; mean over repetitions.`,
  });
  // c: final accuracy against final λ0 and against ∂L_λ/∂e, CritL coloured by α and shaped by λ_t; CEL in grey.
  const pts = finiteOrNull(s.summary.map((r) => ({ init: r.init, loss: r.loss, alpha: r.alpha === null ? 'CEL' : String(r.alpha), lambda_t: r.lambda_t === null ? 'CEL' : String(r.lambda_t), lambda0: r.final_lambda0, acc: r.final_test_acc, dLde: r.dLde })));
  const alphaColor = { field: 'alpha', type: 'ordinal', sort: ['CEL', ...alphas.map(String)], scale: { domain: ['CEL', ...alphas.map(String)], range: ['#bdbdbd', ...alphas.map((_, i) => `hsl(${Math.round(280 - (250 * i) / Math.max(1, alphas.length - 1))}, 65%, 45%)`)] }, legend: { title: 'α' } };
  const shape = { field: 'lambda_t', type: 'nominal', sort: ['CEL', ...targets.map(String)], legend: { title: 'λ_t' } };
  const scatter = (x: string, title: string, data: Record<string, unknown>[], log: boolean): VegaLiteSpec => ({
    width: 320, height: 240, data: { values: data },
    layer: [
      { mark: { type: 'point', filled: true, size: 60, opacity: 0.85 }, encoding: { x: { field: x, type: 'quantitative', title, scale: log ? { type: 'log' } : { zero: false } }, y: { field: 'acc', type: 'quantitative', title: 'final test accuracy', scale: { zero: false } }, color: alphaColor, shape, tooltip: [{ field: 'init' }, { field: 'alpha' }, { field: 'lambda_t' }] } },
      ...(x === 'lambda0' ? [{ mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { x: { datum: 0 } } }] : []),
    ],
  } as VegaLiteSpec);
  const withD = pts.filter((d) => d.dLde !== null && (d.dLde as number) > 0);
  out.push({
    svg: await renderSvg({ hconcat: [scatter('lambda0', 'final λ0', pts, false), ...(withD.length ? [scatter('dLde', '∂L_λ/∂e (mean |ΔL_λ| per epoch)', withD, true)] : [])], resolve: { scale: { color: 'shared', shape: 'shared' } } }),
    caption: 'c. Final test accuracy of every run against its final λ0 (left; dashed: criticality λ0 = 0) and against the strength of the criticality updates ∂L_λ/∂e (right, CritL only), coloured by α and shaped by λ_t; CEL runs in grey.',
  });
  // L_λ traces.
  const trace = finiteOrNull(meanCurves(epochs.filter((e) => e.loss === 'CritL' && e.epoch > 0), 'L_lambda').map((d) => ({ ...d, lt: `λ_t=${d.lambda_t}` }))) as { value: number; lt: string }[];
  if (trace.length) {
    out.push({
      svg: await renderSvg({
        data: { values: trace.filter((d) => d.value > 0) },
        facet: { row: { field: 'lt', type: 'nominal', title: null }, column: { field: 'init', type: 'nominal', title: null, sort: s.config.inits } },
        spec: { width: 170, height: 110, mark: { type: 'line', point: { size: 10 } }, encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'L_λ' }, color: { field: 'series', type: 'nominal', scale: { domain: seriesDomain.slice(1), range: seriesRange.slice(1) }, legend: { title: null, orient: 'bottom' } } } },
      }),
      caption: 'The trace of L_λ = α·mean(λ_t − λ0)² (batch means over each training epoch, λ0 from the training-time power iteration) per init, λ_t and α; ∂L_λ/∂e is the mean absolute change between consecutive epochs.',
    });
  }
  return out;
}

export async function writeReport(dir: string, s: Fig4Summary, runs: RunResult[]): Promise<void> {
  const order = (r: SummaryRow) => `${r.init}|${r.loss === 'CEL' ? 0 : 1}|${String((r.lambda_t ?? 0) + 10).padStart(8)}|${String(r.alpha ?? 0).padStart(8)}|${r.rep}`;
  const rows = [...s.summary].sort((a, b) => order(a).localeCompare(order(b)));
  const byId = new Map(runs.map((r) => [r.id, r]));
  const epochs = rows.flatMap((r) => byId.get(r.run)!.epochs);
  writeFileAtomic(join(dir, 'epochs.csv'), toCsv(epochs, EPOCH_COLUMNS));
  writeFileAtomic(join(dir, 'epochs.json'), JSON.stringify(epochs, noNaN));
  writeFileAtomic(join(dir, 'summary.json'), JSON.stringify(rows.map((r) => ({ init: r.init, loss: r.loss, alpha: r.alpha, lambda_t: r.lambda_t, rep: r.rep, final_lambda0: r.final_lambda0, final_test_acc: r.final_test_acc, initial_lambda0: r.initial_lambda0, dLde: r.dLde, run: r.run })), noNaN, 1));
  writeFileAtomic(join(dir, 'summary.csv'), toCsv(rows, SUMMARY_COLUMNS));
  writeFileAtomic(join(dir, 'fig4.json'), JSON.stringify({ ...s, summary: rows, lmm: mixedModelJson(s.lmm), lmmAbs: mixedModelJson(s.lmmAbs) }, noNaN, 1));

  const figs = await plots(s, epochs);
  const cfg = s.config;
  const initRows = s.inits.map((i) => [
    i.init, fmt(i.initial_lambda0), i.cel ? fmt(i.cel.lambda0) : '–', i.cel ? pct(i.cel.acc) : '–',
    ...(i.critl.length ? [{ html: i.critl.map((c) => `λ_t=${c.lambda_t}, α=${c.alpha}: λ0 ${fmt(c.lambda0)}, ${pct(c.acc)}`).map(esc).join('<br>') }] : ['–']),
  ]);
  const checkRows = s.checks.map((c) => [c.init, c.lambda_t, c.alpha, fmt(c.final_lambda0), fmt(c.final_lambda0 - c.lambda_t, 3), mark(c.ok)]);
  const sections: Section[] = [
    { title: `Check: every CritL run with α ≥ 1 ends within ${TARGET_TOLERANCE} of λ_t`, body: [
      p(s.checks.length ? `${s.checks.filter((c) => c.ok).length} of ${s.checks.length} runs: ${s.allTargetsReached ? '<span class="ok">all reached their target</span>' : '<span class="bad">not all reached their target</span>'}.` : 'No CritL runs with α ≥ 1 yet.'),
      table(['init', 'λ_t', 'α', 'final λ0', 'λ0 − λ_t', `|λ0 − λ_t| ≤ ${TARGET_TOLERANCE}`], checkRows),
      p('Offsets per (α, λ_t) over the inits. The cross-entropy pushes λ0 up (see the CEL runs) and the penalty pulls it towards λ_t with a force ∝ α, so a weak penalty leaves λ0 above a low target: in short runs because it has not got there yet, in long ones because the training inputs reach it and held-out ones do not, or (plain SGD) because the pull balances the push; the offset shrinks as α grows (docs/fig4.md).'),
      table(['α', 'λ_t', 'runs', 'mean λ0 − λ_t (test inputs)', 'largest |λ0 − λ_t|', 'mean λ0 − λ_t (training inputs)'], s.offsets.map((o) => [o.alpha, o.lambda_t, o.runs, fmt(o.mean, 3), mark(o.maxAbs <= TARGET_TOLERANCE, fmt(o.maxAbs, 3)), fmt(o.meanTrain, 3)])),
    ] },
    { title: 'Accuracy: CritL against CEL from the same initial weights', body: [
      p('Test accuracy averaged over the last 10 epochs (the paper\'s Fig. 4b inset), CritL minus the CEL run of the same init and repetition; p: two-sided Wilcoxon signed-rank test over the pairs.'),
      table(['λ_t', 'α', 'pairs', 'CritL − CEL (points)', 'SE', 'p'], s.gains.map((g) => [g.lambda_t, g.alpha, g.pairs, fmt(100 * g.mean, 3), fmt(100 * g.se, 2), fmt(g.p, 2)])),
    ] },
    { title: 'Per init: λ0 at initialisation, CEL and CritL at the end', body: [table(['init', 'λ0 at init', 'CEL final λ0', 'CEL test accuracy', 'CritL final λ0 and test accuracy (mean over repetitions)'], initRows)] },
    { title: `Linear mixed model: ${s.lmm.formula}`, body: mixedModelHtml(s.lmm, 'CritL runs', 'λ0 signed, as the issue asks; the paper\'s text fits |λ0| (next section).') },
    { title: `Linear mixed model as in the paper: ${s.lmmAbs.formula}`, body: mixedModelHtml(s.lmmAbs, 'CritL runs', 'The paper (Table S6: 105 runs in 21 configurations, 200 epochs, accuracies around 98.5%): −0.127 for ∂L_λ/∂e (p = 4e-9) and −0.199 for λ0 (p < 2e-16); its text calls the latter |λ0|.') },
    { title: 'Figures', body: figs.map((f) => figure(f.svg, f.caption)) },
    { title: 'Runs', body: [
      table(['run', 'λ0 at init', 'final λ0', 'final test accuracy', '∂L_λ/∂e', 'minutes'], rows.map((r) => [r.run, fmt(r.initial_lambda0), fmt(r.final_lambda0), pct(r.final_test_acc), fmt(r.dLde), (r.seconds / 60).toFixed(2)])),
      p(`Settings (${cfg.preset}): ${esc(cfg.arch)}, ${cfg.epochs} epochs, batch ${cfg.batchSize}, ${cfg.optimizer === 'sgd' ? 'plain SGD' : 'Adam'} with lr ${cfg.lr} × ${cfg.lrDecay}^epoch, ${cfg.reps} repetition(s); data: ${esc(s.data)}; λ0 per epoch = exact mean over the first ${cfg.lambdaInputs} test inputs (Gram matrix J Jᵀ); the loss's λ0 ${cfg.vectors === 'exact' ? 'exact from the Gram matrix J Jᵀ of each training input' : `from ${cfg.coldIterations} power-iteration steps from random in the first epoch and ${cfg.warmIterations} warm-started steps per sample later`}${cfg.penaltyRows !== null ? `, on the first ${cfg.penaltyRows} rows of each batch` : ''}. Adapter: ${esc(s.adapter)}. ${s.runs} of ${s.expected} runs done; compute time ${(s.seconds / 60).toFixed(1)} min.`),
      p('Files: <code>epochs.csv</code>/<code>epochs.json</code> (tidy, one row per run and epoch), <code>summary.json</code>/<code>summary.csv</code> (one row per run), <code>fig4.json</code> (checks, per-init summary, mixed model), <code>runs.json</code> or <code>runs.shard-K-of-N.json</code> (the resumable stores), <code>checkpoints/</code> (runs in progress).'),
    ] },
  ];
  const intro = [
    p('The MNIST MLP (784-1000-500-10, scaled tanh) trained with cross-entropy alone (CEL) or with the criticality loss L = L_CE + α (λ_t − λ0(x))² (CritL), from four init schemes: init0 U[−0.05, 0.05], init1 Xavier uniform, init2 Kaiming uniform, init3 LeCun U[±2.4/fan_in]. λ0(x) = log Λ0(x) / 3, Λ0 the largest singular value of the input-output Jacobian at x. Reproduces Fig. 4 of <i>Critical dynamics governs deep learning</i>.'),
  ];
  writeFileAtomic(join(dir, 'index.html'), page('crit: training with the criticality loss (paper Fig. 4)', intro, sections));
}
