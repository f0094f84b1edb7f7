import { resolve } from 'node:path';
import type { CliCommand } from '../command.js';
import { numberFlag, numberList, parseFlags } from '../flags.js';
import { UsageError } from '../command.js';
import { init } from '../../api.js';
import { profileOptions, profileUsage, withProfiling } from '../profiling.js';
import { runFig1, QUICK, FULL, type Fig1Config } from '../../experiments/fig1/index.js';

const usage = `usage: crit fig1 [--quick | --full] [--out DIR] [--widths 25,50,...] [--depth L] [--seeds S]
                 [--kappas 0.5,0.8,...] [--refine 0.01,0.002] [--stimulus-per-decade K]
                 [--tol T] [--max-iterations M] [--fresh] [--report-only] [--adapter A] [--profile]

The phase transition of deep random MLPs (paper Fig. 1): for every width N, L-layer networks with
W_ij ~ U[-0.05, 0.05]·κ, g = 1.7159 tanh(0.6666 x) and input U[-1e-3, 1e-3] are measured over a κ grid
(σ, Σ, log Λ0, λ0 by Jacobian power iteration, Δ, activity per layer), then κ is refined around κ_c and
around the last zero crossing of the seed-averaged λ0. κ_c(N), the edge of the ordered phase, is where the
seed-averaged λ0 first reaches 0, exact from the decaying (linear) nets; the measured first and last
crossings are reported beside it (they differ at small N, where saturated nets have λ0 slightly below 0
until well above κ_c). κ_c(N) is fitted with c0 + c1 N^k (Levenberg-Marquardt).

  --full (default)    N = 25..1600, L = 1000, 8 seeds (6 for N = 400, 4 for 800, 3 for 1600)
  --quick             N = 25..400, L = 1000, 2 seeds: a few minutes on 2 CPU cores (npm start)
  --out DIR           output folder (default out/fig1, or out/fig1-quick): rows.json (resumable store),
                      rows.csv (tidy), fig1.json (all numbers), index.html (report with inline SVG plots)
  --widths, --depth, --seeds   override the preset (seeds are 0..S-1)
  --kappas            first κ grid as multiples of the mean-field κ_mf = 30.29/√N
  --refine            refinement steps: each round adds κ_c*(1 ± step) around the current crossing
  --stimulus-per-decade  stimulus points per decade over 10^-9..10^0 for Δ (0 skips Δ; default 2)
  --tol, --max-iterations  power iteration: stop when a half step gains < T in log Λ0 (default 1e-3)
  --fresh             discard the rows stored in DIR and start over (default: resume)
  --report-only       rebuild the report from DIR/rows.json without computing

A run is resumable: kill it and start it again with the same settings; rows are written as each job
(one width, round and seed chunk) finishes. Progress goes to stderr.

${profileUsage}`;



export const fig1: CliCommand = {
  name: 'fig1',
  summary: 'paper Fig. 1: the critical phase transition of deep MLPs, κ_c(N) and its power-law fit (HTML report)',
  usage,
  async run(args) {
    const { values } = parseFlags(args, {
      quick: { type: 'boolean' }, full: { type: 'boolean' }, out: { type: 'string' }, widths: { type: 'string' }, depth: { type: 'string' },
      seeds: { type: 'string' }, kappas: { type: 'string' }, refine: { type: 'string' }, 'stimulus-per-decade': { type: 'string' },
      tol: { type: 'string' }, 'max-iterations': { type: 'string' }, fresh: { type: 'boolean' }, 'report-only': { type: 'boolean' },
      adapter: { type: 'string' }, ...profileOptions,
    }, usage);
    if (values.quick && values.full) throw new UsageError('--quick and --full exclude each other');
    const base = values.quick ? QUICK : FULL;
    const cfg: Fig1Config = { ...base, grid: [...base.grid], refine: [...base.refine], widths: [...base.widths] };
    if (values.widths) cfg.widths = numberList('--widths', values.widths, { int: true, above: 0 });
    if (values.depth) cfg.depth = numberFlag('--depth', values.depth, { int: true, above: 0 })!;
    if (values.seeds) { cfg.seeds = numberFlag('--seeds', values.seeds, { int: true, above: 0 })!; delete cfg.seedsFrom; }
    if (values.kappas) cfg.grid = numberList('--kappas', values.kappas, { above: 0 }).sort((a, b) => a - b);
    if (values.refine !== undefined) cfg.refine = values.refine === '' || values.refine === 'none' ? [] : numberList('--refine', values.refine, { above: 0 });
    if (values['stimulus-per-decade'] !== undefined) cfg.stimulusPerDecade = numberFlag('--stimulus-per-decade', values['stimulus-per-decade'], { int: true, min: 0 })!;
    if (values.tol) cfg.tol = numberFlag('--tol', values.tol, { above: 0 })!;
    if (values['max-iterations']) cfg.maxIterations = numberFlag('--max-iterations', values['max-iterations'], { int: true, above: 0 })!;
    const out = resolve(values.out ?? (values.quick ? 'out/fig1-quick' : 'out/fig1'));
    const eng = await init({ prefer: values.adapter });
    process.stderr.write(`crit fig1: ${eng.adapter.description} (${eng.adapter.kind}); N = ${cfg.widths.join(', ')}, L = ${cfg.depth}; output ${out}\n`);
    const s = await withProfiling(eng, values, () => runFig1(cfg, { out, fresh: values.fresh, reportOnly: values['report-only'] }));
    const rel = (v: number | null) => (v === null ? '–' : `${v >= 0 ? '+' : ''}${(100 * v).toFixed(2)}%`);
    const lines = s.critical.map((c) => `  N=${String(c.N).padStart(5)}  κ_c = ${c.kappaC === null ? 'none' : `${c.kappaC.toFixed(5)} ± ${(c.se ?? NaN).toFixed(5)}`}  mean field ${c.meanField.toFixed(5)}  (${rel(c.relToMeanField)})  measured crossings of λ0: first ${c.firstCrossing.kappaC?.toFixed(5) ?? 'none'} (${rel(c.firstCrossing.relToMeanField)}), last ${c.lastCrossing.kappaC?.toFixed(5) ?? 'none'} (${rel(c.lastCrossing.relToMeanField)})`);
    console.log(`critical couplings:\n${lines.join('\n')}`);
    if (s.fit) console.log(`fit κ_c = c0 + c1 N^k: c0 = ${s.fit.c0.toPrecision(4)} ± ${s.fit.se.c0.toPrecision(2)}, c1 = ${s.fit.c1.toPrecision(4)} ± ${s.fit.se.c1.toPrecision(2)}, k = ${s.fit.k.toFixed(4)} ± ${s.fit.se.k.toPrecision(2)} (paper: 8.12e-3, 31.4, -0.545)`);
    console.log(`report: ${resolve(out, 'index.html')}`);
    eng.destroy();
    return 0;
  },
};
