// The Fig. 5 report: tasks.csv/tasks.json (one row per run and task), fig5.json (per-configuration summary, binned
// curves, the collapse correlation, the mixed models) and an HTML page with the paper's panels: accuracy and λ0
// over the task stream for BP, CBP per ρ and CritL per (λ_t, α) (b, c); accuracy against |λ0| for every task of
// every run, and against ∂L_λ/∂e for CritL (d).
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/files.js';
import { renderSvg, finiteOrNull, type VegaLiteSpec } from '../../report/plot.js';
import { page, table, figure, p, esc, type Section } from '../../report/html.js';
import { toCsv } from '../../report/csv.js';
import { mixedModelHtml, mixedModelJson } from '../mixed-model-report.js';
import { configurationOf, type Fig5Config } from './config.js';
import type { TaskRecord } from './run.js';
import { binnedCurves, configSummaries, collapse, mixedModel, distance, type BinPoint, type ConfigSummary, type Collapse, type MixedModel } from './analysis.js';
import { fmtNum as fmt, fmtPct, finiteJson as noNaN } from '../../report/format.js';

export interface Fig5Summary {
  config: Fig5Config;
  adapter: string;
  data: string;
  runs: number;
  expectedRuns: number;
  tasks: number;
  expectedTasks: number;
  configurations: ConfigSummary[];
  curves: BinPoint[];
  collapse: Collapse | null;
  lmm: MixedModel;
  lmmAbs: MixedModel;
}

export const TASK_COLUMNS: (keyof TaskRecord & string)[] = ['run', 'method', 'rho', 'alpha', 'lambda_t', 'rep', 'task', 'class_a', 'class_b', 'test_acc', 'test_loss', 'mean_test_acc', 'train_loss', 'train_ce', 'L_lambda', 'dLde', 'lambda0', 'lambda0_sd', 'dead', 'sigma', 'Sigma', 'replaced', 'seconds'];

export function summarize(config: Fig5Config, rows: TaskRecord[], o: { adapter: string; data: string; expectedRuns: number }): Fig5Summary {
  return {
    config, adapter: o.adapter, data: o.data, runs: new Set(rows.map((r) => r.run)).size, expectedRuns: o.expectedRuns,
    tasks: rows.length, expectedTasks: o.expectedRuns * config.tasks,
    configurations: configSummaries(rows, config.bin), curves: binnedCurves(rows, config.bin), collapse: collapse(rows),
    lmm: mixedModel(rows), lmmAbs: mixedModel(rows, { abs: true }),
  };
}

const pct = (v: number | null | undefined) => fmtPct(v, 1);

/** Colours: BP black, CBP greens (darker = larger ρ), CritL blues/purples by α. */
function palette(configs: ConfigSummary[]): { domain: string[]; range: string[] } {
  const cbp = configs.filter((c) => c.method === 'CBP'), crit = configs.filter((c) => c.method === 'CritL');
  const domain: string[] = [], range: string[] = [];
  for (const c of configs) {
    domain.push(c.configuration);
    if (c.method === 'BP') range.push('#222');
    else if (c.method === 'CBP') { const i = cbp.indexOf(c); range.push(`hsl(140, 55%, ${Math.round(25 + (45 * i) / Math.max(1, cbp.length - 1))}%)`); }
    else { const i = crit.indexOf(c); range.push(`hsl(${Math.round(200 + (80 * i) / Math.max(1, crit.length - 1))}, 65%, 48%)`); }
  }
  return { domain, range };
}

async function plots(s: Fig5Summary, rows: TaskRecord[]): Promise<{ svg: string; caption: string }[]> {
  const colorOf = (methods?: string[]) => {
    const { domain, range } = palette(s.configurations);
    const keep = domain.map((d, i) => i).filter((i) => !methods || methods.includes(s.configurations[i].method));
    return { field: 'configuration', type: 'nominal', scale: { domain: keep.map((i) => domain[i]), range: keep.map((i) => range[i]) }, legend: { title: null, orient: 'bottom', columns: 3 } };
  };
  const color = colorOf();
  const curve = (methods: string[], field: 'acc' | 'lambda0', title: string): VegaLiteSpec => {
    const color = colorOf(methods);
    return {
    width: 300, height: 190, data: { values: finiteOrNull(s.curves.filter((c) => methods.includes(c.method)).map((c) => ({ ...c, task: c.to + 1, lo: c[field] - c[field === 'acc' ? 'accSe' : 'lambda0Se'], hi: c[field] + c[field === 'acc' ? 'accSe' : 'lambda0Se'] }))) },
    layer: [
      { mark: { type: 'area', opacity: 0.15 }, encoding: { x: { field: 'task', type: 'quantitative', title: 'task' }, y: { field: 'lo', type: 'quantitative', title }, y2: { field: 'hi' }, color } },
      { mark: { type: 'line', strokeWidth: 1.8, point: { size: 14 } }, encoding: { x: { field: 'task', type: 'quantitative' }, y: { field: field, type: 'quantitative', scale: { zero: false } }, color } },
      ...(field === 'lambda0' ? [{ mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { datum: 0 } } }] : []),
    ],
    } as VegaLiteSpec;
  };
  const pair = async (methods: string[]) => renderSvg({ hconcat: [curve(methods, 'acc', 'test accuracy'), curve(methods, 'lambda0', 'λ0')], resolve: { scale: { color: 'shared' } } });
  const out = [{
    svg: await pair(['BP', 'CBP']),
    caption: `b. Test accuracy (left) and λ0 (right; dashed: criticality) over the task stream with backpropagation (BP, black) and continual backpropagation (CBP, green by ρ); each point the mean over ${s.config.bin} tasks (and repetitions), bands ±1 SE.`,
  }];
  if (s.configurations.some((c) => c.method === 'CritL')) {
    out.push({ svg: await pair(['BP', 'CritL']), caption: 'c. The same with the criticality loss (CritL, blue to purple by λ_t and α) against BP.' });
  }
  const pts = finiteOrNull(rows.map((r) => ({ configuration: configurationOf(r), method: r.method, task: r.task, acc: r.test_acc, absLambda0: distance(r), dLde: r.dLde })));
  const scatter = (x: string, title: string, data: Record<string, unknown>[], log: boolean): VegaLiteSpec => ({
    width: 320, height: 230, data: { values: data },
    mark: { type: 'point', filled: true, size: 28, opacity: 0.6 },
    encoding: { x: { field: x, type: 'quantitative', title, scale: log ? { type: 'log' } : { zero: true } }, y: { field: 'acc', type: 'quantitative', title: 'task test accuracy', scale: { zero: false } }, color, tooltip: [{ field: 'configuration' }, { field: 'task' }] },
  } as VegaLiteSpec);
  const withD = pts.filter((d) => d.dLde !== null && (d.dLde as number) > 0);
  out.push({
    svg: await renderSvg({ hconcat: [scatter('absLambda0', '|λ0| after the task', pts, false), ...(withD.length ? [scatter('dLde', '∂L_λ/∂e (CritL)', withD, true)] : [])], resolve: { scale: { color: 'shared' } } }),
    caption: `d. Every task of every run: test accuracy against the distance to criticality |λ0|${withD.length ? ' (left; ' : ' ('}${s.collapse ? `Spearman ρ = ${fmt(s.collapse.rho, 3)}, p = ${fmt(s.collapse.p, 2)} over ${s.collapse.n} tasks${s.collapse.dead ? `, ${s.collapse.dead} of them after which the network was dead for every input (ranked as |λ0| = ∞, not drawn)` : ''}` : 'too few tasks for a correlation'})${withD.length ? ' and, for CritL, against the strength of the criticality updates ∂L_λ/∂e (right)' : ''}.`,
  });
  return out;
}

export async function writeReport(dir: string, s: Fig5Summary, rows: TaskRecord[]): Promise<void> {
  const sorted = [...rows].sort((a, b) => a.run.localeCompare(b.run) || a.task - b.task);
  writeFileAtomic(join(dir, 'tasks.csv'), toCsv(sorted, TASK_COLUMNS));
  writeFileAtomic(join(dir, 'tasks.json'), JSON.stringify(sorted, noNaN));
  writeFileAtomic(join(dir, 'fig5.json'), JSON.stringify({ ...s, lmm: mixedModelJson(s.lmm), lmmAbs: mixedModelJson(s.lmmAbs) }, noNaN, 1));
  const cfg = s.config;
  const figs = rows.length ? await plots(s, sorted) : [];
  const note = 'The paper (Table S7: 36,000 tasks in 18 configurations, 2,000 tasks of 250 epochs): −0.50 for ∂L_λ/∂e and −0.24 for λ0 (both p < 1e-8); its text calls the latter |λ0|.';
  const sections: Section[] = [
    { title: 'Per configuration', body: [
      table(['configuration', 'tasks', 'accuracy (all tasks)', `accuracy (last ${cfg.bin})`, 'λ0 (all tasks)', `λ0 (last ${cfg.bin})`, 'dead (zero Jacobian)', 'units replaced per task', '∂L_λ/∂e'],
        s.configurations.map((c) => [c.configuration, c.tasks, pct(c.acc), pct(c.lastAcc), fmt(c.lambda0, 3), fmt(c.lastLambda0, 3), c.deadTasks ? `${c.deadTasks} tasks, from task ${c.firstDead! + 1}` : '–', c.method === 'CBP' ? fmt(c.replacedPerTask, 3) : '–', fmt(c.dLde, 3)])),
      p('Accuracy: the test accuracy after each task\'s last epoch on that task\'s held-out images. λ0: after each task, the mean over test images of both its classes of log Λ0 / L (power iteration on the input-output Jacobian; L weight layers); inputs whose Jacobian is zero are left out and counted in tasks.csv\'s <code>dead</code>; "dead": tasks after which every measured input had a zero Jacobian (every ReLU path switched off: the network outputs its biases and has stopped learning), whose λ0 is −∞.'),
    ] },
    { title: 'Figures', body: figs.length ? figs.map((f) => figure(f.svg, f.caption)) : [p('No tasks finished yet.')] },
    { title: `Linear mixed model: ${s.lmm.formula}`, body: mixedModelHtml(s.lmm, 'CritL tasks', 'One observation per task of every CritL run, λ0 signed.') },
    { title: `Linear mixed model with |λ0|: ${s.lmmAbs.formula}`, body: mixedModelHtml(s.lmmAbs, 'CritL tasks', note) },
    { title: 'Settings', body: [
      p(`${esc(cfg.preset)}: ${esc(cfg.arch)}; ${cfg.tasks} tasks of ${cfg.epochsPerTask} epochs, ${cfg.trainPerClass} training and ${cfg.testPerClass} test images per class; SGD lr ${cfg.lr}, momentum ${cfg.momentum}, mini-batches of ${cfg.batchSize}; output layer zeroed at every task (new heads). CBP: ${esc(cfg.utility)} utility, decay ${cfg.decay}, maturity ${cfg.maturity} steps. CritL: λ0 per training sample by power iteration (${cfg.coldIterations} steps on a sample's first visit in a task, ${cfg.warmIterations} warm-started after). λ0 and σ after each task on ${cfg.lambdaInputs} of its test images (half from each class). ${cfg.reps} repetition(s). Data: ${esc(s.data)}. Adapter: ${esc(s.adapter)}. ${s.tasks} of ${s.expectedTasks} tasks in ${s.runs} of ${s.expectedRuns} runs.`),
      p('Files: <code>tasks.csv</code>/<code>tasks.json</code> (one row per run and task), <code>fig5.json</code> (summaries, binned curves, mixed models), <code>tasks-store.json</code> (the resumable store), <code>checkpoints/</code> (runs in progress).'),
    ] },
  ];
  const intro = [p('Loss of plasticity in continual learning as loss of criticality: one network learns a stream of two-class tasks with backpropagation (BP), continual backpropagation (CBP: Dohare et al., Nature 2024) or the criticality loss L = L_CE + α (λ_t − λ0)² (CritL). Reproduces Fig. 5 of <i>Critical dynamics governs deep learning</i>.')];
  writeFileAtomic(join(dir, 'index.html'), page('crit: continual learning and criticality (paper Fig. 5)', intro, sections));
}
