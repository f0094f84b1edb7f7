// The zoo report: zoo.csv (one row per model and recipe), zoo-analysis.json (correlations, the 15 mixed models,
// the recipe comparison) and index.html with the paper's Fig. 2 and Fig. 3 plots.
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/files.js';
import { renderSvg, finiteOrNull, type VegaLiteSpec } from '../../report/plot.js';
import { page, table, figure, p, esc, type Section } from '../../report/html.js';
import { toCsv } from '../../report/csv.js';
import type { ZooRow, ZooImages } from './run.js';
import { correlations, modelTable, recipeComparison, type Correlation, type ModelTable, type RecipeComparison } from './analysis.js';
import { fmtNum as fmt, finiteJson as noNaN } from '../../report/format.js';

export interface ZooAnalysis { correlations: Correlation[]; models: ModelTable; recipes: RecipeComparison }

export const ZOO_COLUMNS: (keyof ZooRow & string)[] = ['key', 'model', 'recipe', 'family', 'year', 'accuracy', 'params', 'modules', 'sigma', 'Sigma', 'lambda0', 'lambda0_sd', 'Lambda0', 'iterations', 'converged', 'seconds', 'arch', 'weights'];

export function analyse(rows: ZooRow[]): ZooAnalysis {
  return { correlations: correlations(rows), models: modelTable(rows), recipes: recipeComparison(rows) };
}

const stars = (pv: number) => (pv < 0.001 ? '***' : pv < 0.01 ? '**' : pv < 0.05 ? '*' : '');
const LABEL: Record<string, string> = { accuracy: 'accuracy (%)', year: 'year', Sigma: 'Σ', lambda0: 'λ0', Lambda0: 'Λ0', modules: 'modules m', params: 'parameters p' };

async function plots(rows: ZooRow[], a: ZooAnalysis): Promise<{ svg: string; caption: string }[]> {
  const data: Record<string, unknown>[] = finiteOrNull(rows.map((r) => ({ model: r.key, family: r.family, year: r.year, accuracy: r.accuracy, Sigma: r.Sigma, lambda0: r.lambda0, Lambda0: r.Lambda0, modules: r.modules, params: r.params })));
  const color = { field: 'family', type: 'nominal', legend: { title: null, columns: 2 } };
  const scatter = (x: string, y: string, log = false): VegaLiteSpec => ({
    width: 230, height: 190, data: { values: data.filter((d) => d[x] !== null && d[y] !== null) },
    mark: { type: 'point', filled: true, size: 55, opacity: 0.85 },
    encoding: { x: { field: x, type: 'quantitative', title: LABEL[x], scale: log ? { type: 'log' } : { zero: false } }, y: { field: y, type: 'quantitative', title: LABEL[y], scale: { zero: false } }, color, tooltip: [{ field: 'model' }] },
  });
  const out: { svg: string; caption: string }[] = [];
  if (data.some((d) => d.year !== null)) {
    out.push({ svg: await renderSvg({ hconcat: [scatter('year', 'accuracy'), scatter('year', 'Sigma'), scatter('year', 'lambda0')], resolve: { scale: { color: 'shared' } } }), caption: 'Fig. 2a: accuracy, Σ and λ0 against the year of the architecture.' });
  }
  out.push({ svg: await renderSvg({ hconcat: [scatter('Sigma', 'accuracy'), scatter('lambda0', 'accuracy'), scatter('Lambda0', 'accuracy')], resolve: { scale: { color: 'shared' } } }), caption: 'Fig. 2b: accuracy against the distance to criticality Σ, against λ0 and (inset in the paper) against Λ0.' });
  out.push({ svg: await renderSvg({ hconcat: [scatter('modules', 'accuracy'), scatter('params', 'accuracy', true)], resolve: { scale: { color: 'shared' } } }), caption: 'Fig. 2c: accuracy against the number of modules m and of parameters p.' });
  if (a.recipes.pairs.length) {
    const pd = finiteOrNull(a.recipes.pairs.map((q) => ({ model: q.model, dAccuracy: q.dAccuracy, dSigma: q.dSigma, dLambda0: q.dLambda0 })));
    const delta = (x: string, title: string): VegaLiteSpec => ({
      width: 260, height: 200, data: { values: pd },
      layer: [
        { mark: { type: 'point', filled: true, size: 60 }, encoding: { x: { field: x, type: 'quantitative', title }, y: { field: 'dAccuracy', type: 'quantitative', title: 'Δ accuracy (points)' }, tooltip: [{ field: 'model' }] } },
        { mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { x: { datum: 0 } } },
        { mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { datum: 0 } } },
      ],
    });
    out.push({ svg: await renderSvg({ hconcat: [delta('dSigma', 'ΔΣ'), delta('dLambda0', 'ΔΛ0')] }), caption: 'Fig. 3: each architecture under its second training recipe against its first (Δ = new − original).' });
  }
  return out;
}

export async function writeZooReport(dir: string, rows: ZooRow[], o: { inputs: ZooImages; inputsPath: string; failures: { key: string; error: string }[]; adapter: string }): Promise<ZooAnalysis> {
  const sorted = [...rows].sort((x, y) => x.family.localeCompare(y.family) || x.key.localeCompare(y.key, 'en', { numeric: true }));
  const a = analyse(sorted);
  writeFileAtomic(join(dir, 'zoo.csv'), toCsv(sorted, ZOO_COLUMNS));
  writeFileAtomic(join(dir, 'zoo-analysis.json'), JSON.stringify({ rows: sorted, ...a, failures: o.failures, inputs: o.inputsPath, images: o.inputs.count, adapter: o.adapter }, noNaN, 1));
  const figs = await plots(sorted, a);
  const sections: Section[] = [
    { title: 'Models', body: [
      table(['model', 'recipe', 'family', 'year', 'acc@1', 'p', 'm', 'σ', 'Σ', 'λ0 (sd)', 'Λ0', 'power steps'],
        sorted.map((r) => [r.model, r.recipe, r.family, r.year ?? '–', fmt(r.accuracy), r.params.toLocaleString('en'), r.modules, fmt(r.sigma), fmt(r.Sigma), `${fmt(r.lambda0)} (${fmt(r.lambda0_sd, 2)})`, fmt(r.Lambda0), `${r.iterations}${r.converged ? '' : ' (not converged)'}`])),
      ...(o.failures.length ? [p(`Not measured: ${o.failures.map((f) => `<b>${esc(f.key)}</b> (${esc(f.error)})`).join('; ')}.`)] : []),
    ] },
    { title: 'Spearman correlations (Fig. 2a-c, Fig. S1)', body: [
      table(['figure', 'x', 'y', 'n', 'ρ', 'p'], a.correlations.map((c) => [c.figure, LABEL[c.x], LABEL[c.y], c.n, fmt(c.rho, 3), Number.isFinite(c.p) ? `${fmt(c.p, 3)} ${stars(c.p)}` : '–'])),
    ] },
    { title: 'Linear mixed models (Fig. 2d)', body: a.models.rows.length
      ? [p(`accuracy ~ subsets of {λ0, Σ, p, m} + (1 | family), predictors z-scored, REML; ${a.models.n} models from ${a.models.families} families, ordered by AIC.`),
        table(['predictors', 'AIC', 'BIC', 'R² marginal', 'R² conditional', 'estimates (p)'], a.models.rows.map((r) => [r.predictors.join(' + '), fmt(r.AIC), fmt(r.BIC), fmt(r.R2m, 3), fmt(r.R2c, 3),
          Object.entries(r.estimates).map(([k, v]) => `${k} ${fmt(v.estimate, 3)} (${fmt(v.p, 2)}${stars(v.p)})`).join(', ') + (r.singular ? ' [singular]' : '')]))]
      : [p(`Not fitted: ${esc(a.models.note ?? '')}.`)] },
    { title: 'Training recipes (Fig. 3)', body: a.recipes.pairs.length
      ? [table(['model', 'recipes', 'Δ accuracy', 'ΔΣ', 'ΔΛ0', 'Δλ0'], a.recipes.pairs.map((q) => [q.model, `${q.from} → ${q.to}`, fmt(q.dAccuracy), fmt(q.dSigma), fmt(q.dLambda0), fmt(q.dlambda0)])),
        table(['Δ', 'n', 'median', 'IQR', 'Wilcoxon p'], (['accuracy', 'Sigma', 'Lambda0'] as const).map((k) => { const s = a.recipes[k]; return [LABEL[k], s?.n ?? 0, fmt(s?.median), fmt(s?.iqr), s && Number.isFinite(s.p) ? `${fmt(s.p, 3)} ${stars(s.p)}` : '–']; }))]
      : [p('No architecture was measured under two recipes (torchvision: IMAGENET1K_V1 and _V2 weights of the same model).')] },
    { title: 'Plots', body: figs.map((f) => figure(f.svg, f.caption)) },
  ];
  writeFileAtomic(join(dir, 'index.html'), page('crit zoo: criticality of trained classifiers (paper Figs. 2-3)', [
    `${rows.length} models measured on ${o.inputs.count} images of ${o.inputs.channels}x${o.inputs.side}x${o.inputs.side} from ${esc(o.inputsPath)} (${esc(o.adapter)}).`,
    'σ = a_out / a_in over all images (a = mean |activity|), Σ = |1 − σ|; Λ0 = the largest singular value of each image\'s input-output Jacobian (power iteration), λ0 = log Λ0 / m with m torchvision\'s number of leaf modules; Λ0 in the tables is the geometric mean over images.',
  ], sections));
  return a;
}
