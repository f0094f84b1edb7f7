// The Fig. 1 report: tidy CSV and JSON of every (N, κ, seed), the critical couplings and the fit, and an
// HTML page with inline SVG plots (Vega-Lite) beside the paper's numbers and mean-field theory.
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/files.js';
import { renderSvg, finiteOrNull, type VegaLiteSpec } from '../../report/plot.js';
import { page, table, figure, p, esc, mark, type Section } from '../../report/html.js';
import { toCsv } from '../../report/csv.js';
import { stimulusGrid } from '../../criticality/dynamic-range.js';
import { meanFieldKappa } from '../../models/deep-mlp.js';
import { type Fig1Config } from './config.js';
import { type Fig1Row, type CriticalPoint, type PowerLawFit, criticalPoint, fitPowerLaw, num, seedAverage, PAPER_FIT } from './analysis.js';
import { fmtNum as fmt, fmtPct } from '../../report/format.js';

export interface Fig1Summary {
  config: Fig1Config;
  adapter: string;
  critical: CriticalPoint[];
  fit: PowerLawFit | null;
  /** The same fit over the last zero crossings of the measured λ0 (all N, and N >= 100 only; see analysis.ts). */
  fitLast: PowerLawFit | null;
  fitLastLarge: PowerLawFit | null;
  /** Issue 3's done-when checks. */
  checks: { within3pct: { N: number; ok: boolean; rel: number | null }[]; exponentInRange: boolean | null; fitWidths: number[] };
  seconds: number;
}

export const CSV_COLUMNS: (keyof Fig1Row & string)[] = ['N', 'depth', 'kappa', 'kappaRel', 'seed', 'round', 'sigma', 'Sigma', 'logLambda0', 'lambda0', 'Delta', 's10', 's90', 'aIn', 'aOut', 'meanActivity', 'iterations', 'converged', 'lastIncrement'];

export function summarize(cfg: Fig1Config, rows: Fig1Row[], adapter: string, seconds: number): Fig1Summary {
  const widths = [...new Set(rows.map((r) => r.N))].sort((a, b) => a - b);
  const critical = widths.map((N) => criticalPoint(N, rows));
  const pts = critical.filter((c) => c.kappaC !== null).map((c) => ({ N: c.N, kappaC: c.kappaC! }));
  const fit = fitPowerLaw(pts);
  const last = critical.filter((c) => c.lastCrossing.kappaC !== null).map((c) => ({ N: c.N, kappaC: c.lastCrossing.kappaC! }));
  const fitLast = fitPowerLaw(last);
  const fitLastLarge = fitPowerLaw(last.filter((p) => p.N >= 100));
  const within3pct = critical.filter((c) => c.N <= 400).map((c) => ({ N: c.N, ok: c.relToMeanField !== null && Math.abs(c.relToMeanField) <= 0.03, rel: c.relToMeanField }));
  return { config: cfg, adapter, critical, fit, fitLast, fitLastLarge, checks: { within3pct, exponentInRange: fit ? fit.k >= -0.55 && fit.k <= -0.47 : null, fitWidths: pts.map((p) => p.N) }, seconds };
}

const pct = (v: number | null | undefined) => fmtPct(v, 2);

/** Picks the coarse-grid κ closest to a target multiple of κ_c among rows with a profile. */
function profileRows(rows: Fig1Row[], N: number, kc: number | null): { label: string; row: Fig1Row }[] {
  const mine = rows.filter((r) => r.N === N && r.activity && r.seed === 0);
  if (!mine.length) return [];
  const center = kc ?? mine.reduce((a, r) => a + r.kappa, 0) / mine.length;
  const pick = (target: number) => mine.reduce((b, r) => (Math.abs(Math.log(r.kappa / target)) < Math.abs(Math.log(b.kappa / target)) ? r : b));
  const out = [{ label: 'sub-critical', row: pick(center * 0.8) }, { label: 'critical', row: pick(center) }, { label: 'super-critical', row: pick(center * 1.25) }];
  return out.filter((o, i) => out.findIndex((q) => q.row === o.row) === i);
}

async function plots(s: Fig1Summary, rows: Fig1Row[]): Promise<{ svg: string; caption: string }[]> {
  const widths = s.critical.map((c) => c.N);
  const Nplot = widths[widths.length - 1];
  const kcOf = new Map(s.critical.map((c) => [c.N, c.kappaC]));
  const out: { svg: string; caption: string }[] = [];
  const colorN = { field: 'N', type: 'ordinal', scale: { scheme: 'viridis' }, legend: { title: 'N' } };
  // Grey to black with growing N, as in the paper's Fig. 1c.
  const nColor = { field: 'N', type: 'ordinal', scale: { range: widths.map((_, i) => `hsl(0, 0%, ${Math.round(75 - (75 * i) / Math.max(1, widths.length - 1))}%)`) }, legend: { title: 'N' } };

  // a: activity across layers for a sub-critical, critical and super-critical net.
  const prof = profileRows(rows, Nplot, kcOf.get(Nplot) ?? null);
  if (prof.length) {
    const data = prof.flatMap(({ label, row }) => row.activity!.map((a, l) => ({ layer: l, activity: a, net: `${label} (κ = ${row.kappa.toFixed(4)})` })).filter((d) => d.activity > 0 && Number.isFinite(d.activity)));
    out.push({
      svg: await renderSvg({ width: 640, height: 300, data: { values: data }, mark: { type: 'line', strokeWidth: 1.5 },
        encoding: { x: { field: 'layer', type: 'quantitative', title: 'layer l' }, y: { field: 'activity', type: 'quantitative', scale: { type: 'log' }, title: 'activity a_l = mean |x_l|' },
          color: { field: 'net', type: 'nominal', sort: data.length ? prof.map((q) => `${q.label} (κ = ${q.row.kappa.toFixed(4)})`) : undefined, scale: { range: ['#8c510a', '#01665e', '#80cdc1'] }, legend: { title: null, orient: 'bottom' } } } }),
      caption: `a. Activity across the ${s.config.depth} layers of N = ${Nplot} networks (seed 0) below, at and above the critical coupling (input U[-1e-3, 1e-3]). Activity that underflows f32 (sub-critical) ends the line.`,
    });
  }

  // b: σ, Σ, λ0, Δ versus κ / κ_mf per N (seed means as lines, seeds as points).
  const metric = (field: 'sigma' | 'Sigma' | 'lambda0' | 'Delta', title: string, log: boolean): VegaLiteSpec => {
    const pts = finiteOrNull(rows.map((r) => ({ N: r.N, kappaRel: r.kappaRel, value: num(r[field]) })));
    const mean = widths.flatMap((N) => seedAverage(rows.filter((r) => r.N === N), (r) => num(r[field])).map((a) => ({ N, kappaRel: a.kappa / meanFieldKappa(N), value: Number.isFinite(a.y) ? a.y : null })));
    const keep = (d: { value: number | null }) => d.value !== null && (!log || d.value > 0);
    return {
      width: 300, height: 210, title,
      layer: [
        { data: { values: mean.filter(keep) }, mark: { type: 'line', strokeWidth: 1.3 }, encoding: { x: { field: 'kappaRel', type: 'quantitative', title: 'κ / κ_mf(N)', scale: { type: 'log', nice: false } }, y: { field: 'value', type: 'quantitative', title, scale: log ? { type: 'log' } : {} }, color: colorN } },
        { data: { values: pts.filter(keep) }, mark: { type: 'point', size: 12, opacity: 0.6 }, encoding: { x: { field: 'kappaRel', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, color: colorN } },
        ...(field === 'lambda0' ? [{ mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { datum: 0 } } }] : []),
        ...(field === 'sigma' ? [{ mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { datum: 1 } } }] : []),
      ],
    } as VegaLiteSpec;
  };
  out.push({
    svg: await renderSvg({ hconcat: [metric('sigma', 'σ = a_out / a_in', true), metric('Sigma', 'Σ = |1 − σ|', true)], resolve: { scale: { color: 'shared' } } }),
    caption: 'b. Branching parameter σ and distance to criticality Σ versus the coupling (relative to the mean-field κ_mf = 30.29/√N); lines: seed means, points: single networks.',
  });
  out.push({
    svg: await renderSvg({ hconcat: [metric('lambda0', 'λ0 = log Λ0 / L', false), metric('Delta', 'dynamic range Δ (dB)', false)], resolve: { scale: { color: 'shared' } } }),
    caption: 'b (cont.). Largest Lyapunov exponent λ0 (zero at the critical coupling) and dynamic range Δ versus the coupling.',
  });

  // b inset: normalised stimulus-response curves for N_plot, seed 0, every κ whose response is neither empty
  // (f32 underflow) nor saturated (Δ = 0), with the 10% / 90% points that define Δ.
  const grid = stimulusGrid(s.config.stimulusPerDecade);
  const resp = rows.filter((r) => r.N === Nplot && r.seed === 0 && r.response.length === grid.length && num(r.Delta) > 0).sort((a, b) => a.kappa - b.kappa);
  if (resp.length) {
    const label = (r: Fig1Row) => +r.kappaRel.toFixed(4);
    const curves = resp.flatMap((r) => {
      const v = r.response.map(num), lo = Math.min(...v), hi = Math.max(...v);
      return v.map((x, g) => ({ s: grid[g], r: (x - lo) / (hi - lo), kappaRel: label(r) }));
    });
    const marks = resp.flatMap((r) => [{ s: num(r.s10), r: 0.1 }, { s: num(r.s90), r: 0.9 }]).filter((d) => Number.isFinite(d.s));
    out.push({
      svg: await renderSvg({ width: 520, height: 260, layer: [
        { data: { values: curves }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x: { field: 's', type: 'quantitative', scale: { type: 'log', nice: false }, title: 'stimulus s', axis: { format: '.0e' } }, y: { field: 'r', type: 'quantitative', title: '(r − r_0) / (r_max − r_0)' }, color: { field: 'kappaRel', type: 'ordinal', scale: { scheme: 'brownbluegreen' }, legend: { title: 'κ/κ_mf' } } } },
        { data: { values: marks }, mark: { type: 'point', shape: 'cross', size: 70, filled: true, color: 'black' }, encoding: { x: { field: 's', type: 'quantitative' }, y: { field: 'r', type: 'quantitative' } } },
      ] }),
      caption: `Normalised stimulus-response curves of N = ${Nplot} networks (seed 0): input s·u, u ~ U[-1, 1]^N, response r = output activity after ${s.config.depth} layers; crosses mark s_0.1 and s_0.9, Δ = 10 log10(s_0.9 / s_0.1). Sub-critical nets respond in proportion to s (Δ ≈ 10-12 dB); near κ_c the response spreads over more decades before it saturates; super-critical nets are saturated for every stimulus (Δ = 0, not drawn), and far below κ_c the response underflows f32 (not drawn).`,
    });
  }

  // c left: mean activity versus κ per N with κ_c marked.
  const act = widths.flatMap((N) => seedAverage(rows.filter((r) => r.N === N), (r) => num(r.meanActivity)).map((a) => ({ N, kappa: a.kappa, activity: a.y })));
  const rules = s.critical.filter((c) => c.kappaC !== null).map((c) => ({ N: c.N, kappa: c.kappaC }));
  out.push({
    svg: await renderSvg({ width: 520, height: 280, layer: [
      { data: { values: finiteOrNull(act).filter((d) => d.activity !== null && (d.activity as number) > 0) }, mark: { type: 'line', point: { size: 14 } }, encoding: { x: { field: 'kappa', type: 'quantitative', scale: { type: 'log', nice: false }, title: 'coupling κ' }, y: { field: 'activity', type: 'quantitative', scale: { type: 'log' }, title: 'mean activity over layers' }, color: nColor } },
      { data: { values: rules }, mark: { type: 'rule', strokeDash: [5, 3] }, encoding: { x: { field: 'kappa', type: 'quantitative' }, color: nColor } },
    ] }),
    caption: 'c (left). Mean activity over the layers (seed mean) versus the coupling: it rises sharply at the critical coupling κ_c (dashed, where λ0 = 0); smaller networks (light) cross at larger κ.',
  });

  // c right: κ_c versus N with the fits and mean-field theory.
  const pts = s.critical.filter((c) => c.kappaC !== null).map((c) => ({ N: c.N, kappaC: c.kappaC, lo: c.kappaC! - 2 * (c.se ?? 0), hi: c.kappaC! + 2 * (c.se ?? 0) }));
  const lastPts = s.critical.filter((c) => c.lastCrossing.kappaC !== null).map((c) => ({ N: c.N, kappaC: c.lastCrossing.kappaC }));
  const Ns = Array.from({ length: 60 }, (_, i) => 20 * (2000 / 20) ** (i / 59)).filter((N) => N >= widths[0] * 0.8 && N <= widths[widths.length - 1] * 1.25);
  const curve = (name: string, f: (N: number) => number) => Ns.map((N) => ({ N, kappa: f(N), curve: name }));
  const lines = [
    ...curve('mean field 30.29/√N', (N) => 30.29 / Math.sqrt(N)),
    ...curve(`paper fit, k = ${PAPER_FIT.k}`, (N) => PAPER_FIT.c0 + PAPER_FIT.c1 * N ** PAPER_FIT.k),
    ...(s.fit ? curve(`fit, all N: k = ${s.fit.k.toFixed(3)}`, (N) => s.fit!.c0 + s.fit!.c1 * N ** s.fit!.k) : []),
    ...(s.fitLast ? curve(`last crossings: k = ${s.fitLast.k.toFixed(3)}`, (N) => s.fitLast!.c0 + s.fitLast!.c1 * N ** s.fitLast!.k) : []),
  ];
  out.push({
    svg: await renderSvg({ width: 520, height: 320, layer: [
      { data: { values: lines }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x: { field: 'N', type: 'quantitative', scale: { type: 'log', nice: false }, title: 'neurons per layer N' }, y: { field: 'kappa', type: 'quantitative', scale: { type: 'log', nice: false }, title: 'critical coupling κ_c' }, color: { field: 'curve', type: 'nominal', sort: null, scale: { range: ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'] }, legend: { title: null, orient: 'bottom-left' } } } },
      { data: { values: pts }, mark: { type: 'errorbar' }, encoding: { x: { field: 'N', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative', title: 'critical coupling κ_c' }, y2: { field: 'hi' } } },
      { data: { values: lastPts }, mark: { type: 'point', shape: 'triangle-up', size: 40, color: '#9467bd' }, encoding: { x: { field: 'N', type: 'quantitative' }, y: { field: 'kappaC', type: 'quantitative' } } },
      { data: { values: pts }, mark: { type: 'point', filled: true, size: 50, color: 'black' }, encoding: { x: { field: 'N', type: 'quantitative' }, y: { field: 'kappaC', type: 'quantitative' } } },
    ] }),
    caption: 'c (right). Critical coupling κ_c(N) (black points, ±2 SE over seeds) with its Levenberg-Marquardt fit c0 + c1 N^k, the paper\'s fit and mean-field theory; purple triangles: the last zero crossing of the measured seed-averaged λ0 and its fit (above κ_c at small N, where the saturated state\'s λ0 dips below 0 again before it turns positive for good).',
  });
  return out;
}

/** Writes rows.csv, fig1.json and index.html into dir; returns the summary. */
export async function writeReport(dir: string, s: Fig1Summary, rows: Fig1Row[]): Promise<void> {
  const sorted = [...rows].sort((a, b) => a.N - b.N || a.kappa - b.kappa || a.seed - b.seed);
  writeFileAtomic(join(dir, 'rows.csv'), toCsv(sorted, CSV_COLUMNS));
  writeFileAtomic(join(dir, 'fig1.json'), JSON.stringify({ ...s, rows: sorted }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));

  const figs = await plots(s, sorted);
  const kcRows = s.critical.map((c) => [
    c.N, c.seeds, c.kappaC === null ? '–' : `${fmt(c.kappaC, 5)} ± ${fmt(c.se, 2)}`, fmt(c.meanField, 5), pct(c.relToMeanField),
    mark(c.relToMeanField !== null && Math.abs(c.relToMeanField) <= 0.03), pct(c.finiteN / c.meanField - 1),
    fmt(c.firstCrossing.kappaC, 5), pct(c.firstCrossing.relToMeanField),
    c.lastCrossing.kappaC === null ? '–' : `${fmt(c.lastCrossing.kappaC, 5)} ± ${fmt(c.lastCrossing.se, 2)}`, pct(c.lastCrossing.relToMeanField), fmt(c.paper, 4),
  ]);
  const pm = (f: PowerLawFit | null, k: 'c0' | 'c1' | 'k') => (f ? `${fmt(f[k])} ± ${fmt(f.se[k], 2)}` : '–');
  const fitRows = s.fit ? (['c0', 'c1', 'k'] as const).map((k) => [k, pm(s.fit, k), pm(s.fitLast, k), pm(s.fitLastLarge, k), fmt(PAPER_FIT[k]), { c0: '0', c1: '30.29', k: '−0.5' }[k]]) : [];
  const perN = s.critical.map((c) => {
    const mine = rows.filter((r) => r.N === c.N);
    return [c.N, mine.length, new Set(mine.map((r) => r.kappa)).size, Math.max(...mine.map((r) => r.iterations)), mine.filter((r) => !r.converged).length];
  });
  const cfg = s.config;
  const sections: Section[] = [
    { title: 'Critical coupling κ_c(N)', body: [
      table(['N', 'seeds', 'κ_c ± SE', 'mean field κ_mf = 30.29/√N', 'κ_c / κ_mf − 1', 'within 3%', 'finite-N theory / κ_mf − 1', 'measured first crossing', '/ κ_mf − 1', 'measured last crossing ± SE', '/ κ_mf − 1', 'paper fit'], kcRows),
      p('κ_c is the edge of the ordered phase: where the seed-averaged λ0, coming from the ordered side, first crosses zero (and σ jumps across 1). Below κ_c a net\'s activity decays and it stays in the linear range of tanh, where J = (g\'(0) κ)<sup>L</sup> ∏ W̃, so λ0 = log(κ/κ<sub>s</sub>) exactly for seed s and κ<sub>s</sub> = κ e<sup>−λ0</sup> follows from any decaying net (the one nearest the transition is used). The seed-averaged λ0 of this branch is zero at the geometric mean of the κ<sub>s</sub>; SE: spread of the κ<sub>s</sub>. Finite-N theory: κ_mf · exp(−(ψ(N/2) − log(N/2))/2), the top Lyapunov exponent of products of random N x N matrices (at L = 1,000 the top singular value of a finite product also exceeds the asymptotic growth by about log(N)/L, which lowers κ_c by 0.3-0.7%).'),
      p('Measured crossings: where the measured seed-averaged λ0 crosses zero upwards on the κ grid (linear interpolation in log κ), first and last; the grid is refined around both. The first agrees with κ_c. Above κ_c the activity grows until tanh saturates, and in the saturated state the exponent is only weakly positive: mean-field theory of tanh networks without bias gives λ0 ≈ 0.6 (κ/κ_mf − 1)² just above κ_mf. The finite-N shift of about −1/(2N) pulls it back below zero when N is small: λ0(κ) crosses 0 at κ_c, dips, and turns positive for good only well above κ_c for N = 25 and 50 (the last crossing; SE from the seeds\' own last crossings). For N ≥ 100 the two agree within about 1%.'),
    ] },
    { title: 'Fit κ_c(N) = c0 + c1 N^k', body: s.fit ? [
      table(['parameter', `κ_c, all N (± SE)`, 'last crossings, all N', 'last crossings, N ≥ 100', 'paper', 'mean field'], fitRows),
      p(`Levenberg-Marquardt over N = ${s.checks.fitWidths.join(', ')} (${s.fit.points} points, RSS ${fmt(s.fit.rss, 3)}); standard errors as SciPy curve_fit (s²(JᵀJ)⁻¹). The other columns fit the last crossings of the measured λ0 (see above), over all N and without N = 25 and 50.`),
      table(['check', 'result'], [['exponent k in [−0.55, −0.47]', mark(!!s.checks.exponentInRange, s.fit.k.toFixed(4))], ...s.checks.within3pct.map((w) => [`κ_c(${w.N}) within 3% of 30.29/√N`, mark(w.ok, pct(w.rel))])]),
    ] : [p(`Too few widths with a critical coupling for a 3-parameter fit (${s.checks.fitWidths.length}).`)] },
    { title: 'Figures', body: figs.map((f) => figure(f.svg, f.caption)) },
    { title: 'Runs', body: [
      table(['N', 'networks', 'κ values', 'max power iterations', 'not converged'], perN),
      p(`Settings: L = ${cfg.depth}, seeds ${cfg.seeds}${cfg.seedsFrom ? ` (${Object.entries(cfg.seedsFrom).map(([w, k]) => `${k} from N = ${w}`).join(', ')})` : ''}, first κ grid ${cfg.grid.join(', ')} × κ_mf, refinement steps ${cfg.refine.join(', ')}, ${cfg.stimulusPerDecade} stimulus points per decade, power-iteration tolerance ${cfg.tol} in log Λ0 (max ${cfg.maxIterations}). Adapter: ${esc(s.adapter)}. Compute time: ${(s.seconds / 60).toFixed(1)} min.`),
      p('Files: <code>rows.csv</code> (tidy, one row per network), <code>fig1.json</code> (everything, including the response curves and activity profiles), <code>rows.json</code> (the resumable store).'),
    ] },
  ];
  const intro = [
    p('Deep random MLPs (L layers of N neurons, no bias, W<sub>ij</sub> ~ U[−0.05, 0.05]·κ, g(x) = 1.7159 tanh(0.6666 x), input U[−10<sup>−3</sup>, 10<sup>−3</sup>]) pass through a critical phase transition as the coupling κ grows: σ ≈ 1, Σ ≈ 0 and λ0 ≈ 0 at κ_c, where the dynamic range Δ peaks. Reproduces Fig. 1 of <i>Critical dynamics governs deep learning</i>, with weights generated inside the GPU kernels from a counter-based RNG (never stored) and many (κ, seed) networks per dispatch.'),
  ];
  writeFileAtomic(join(dir, 'index.html'), page('crit: the critical phase transition of deep MLPs (paper Fig. 1)', intro, sections));
}
