// `crit stats`: the paper's statistics on a CSV file: linear mixed models (lme4/lmerTest semantics, with the
// all-subsets table), Spearman, Wilcoxon signed-rank, Mann-Whitney U, one-way ANOVA, and the power-law fit
// κ_c(N) = c0 + c1·N^k. Human-readable tables by default, --json for machines.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type CliCommand, UsageError } from '../command.js';
import {
  type Alternative, type CsvTable, type LmmFit, type SubsetRow, ALTERNATIVES, CsvError, DataError, FormulaError,
  fitPowerLaw, lmm, lmmAllSubsets, mannWhitneyU, oneWayAnova, parseCsv, parseFormula, spearman, wilcoxon,
} from '../../stats/index.js';

const SUBCOMMANDS = ['lmm', 'spearman', 'wilcoxon', 'mannwhitney', 'anova', 'powerlaw'] as const;
type Sub = (typeof SUBCOMMANDS)[number];

const usage = `usage: crit stats <test> --csv FILE [options] [--json]

  crit stats lmm --csv FILE --formula "acc ~ lambda0 + Sigma + (1|model_type)" [--ml] [--scale] [--all-subsets [--include-empty]]
      Linear mixed model with one random intercept, as lmerTest::lmer + summary(): REML (default) or ML
      (--ml), fixed effects, SE, Satterthwaite df, t, p, variance components, logLik/AIC/BIC as lme4,
      Nakagawa R2 (marginal, conditional). --scale z-scores every predictor (R scale(): sd with n-1);
      scale(x) in the formula z-scores one. --all-subsets fits every non-empty subset of the formula's
      predictors and lists them by AIC with BIC and both R2 (--include-empty adds the intercept-only model).
  crit stats spearman --csv FILE --columns x,y [--alternative two-sided|less|greater]
      Spearman rank correlation with SciPy 1.10.1's p-value.
  crit stats wilcoxon --csv FILE --columns x[,y] [--alternative ...] [--zero-method wilcox|pratt|zsplit]
                      [--correction] [--method auto|exact|approx]
      Wilcoxon signed-rank test of x - y (paired) or of x against 0 (scipy.stats.wilcoxon defaults).
  crit stats mannwhitney --csv FILE (--columns x,y | --columns value --by group) [--alternative ...]
                         [--method auto|exact|asymptotic] [--no-continuity]
      Mann-Whitney U test of two independent samples (empty cells end a shorter column).
  crit stats anova --csv FILE (--columns a,b[,c...] | --columns value --by group)
      One-way ANOVA F test (scipy.stats.f_oneway).
  crit stats powerlaw --csv FILE --columns N,kc
      Levenberg-Marquardt fit of kc = c0 + c1 * N^k with standard errors.

  --json prints one JSON object (NaN and infinities become null). Field names of lmm: beta, se,
  df_satterthwaite, t, p, theta, sigma, sigma_b, logLik, AIC, BIC, REMLcrit, R2m, R2c, ...`;

interface Opts {
  csv?: string; formula?: string; columns?: string; by?: string; alternative?: string; json?: boolean;
  ml?: boolean; scale?: boolean; 'all-subsets'?: boolean; 'include-empty'?: boolean;
  'zero-method'?: string; correction?: boolean; method?: string; 'no-continuity'?: boolean;
}

function readTable(file: string): CsvTable {
  let text: string;
  try { text = readFileSync(file, 'utf8'); }
  catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read '${file}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}`);
  }
  try { return parseCsv(text); }
  catch (e) { if (e instanceof CsvError) throw new UsageError(`${file}: ${e.message}`); throw e; }
}

/** Turns library errors about the data into UsageErrors that name the file, column, row and line. */
function userError(e: unknown, file: string, table: CsvTable): never {
  if (e instanceof DataError) {
    const line = e.row !== undefined ? ` (line ${table.lines[e.row]} of ${file})` : '';
    throw new UsageError(`${file}: ${e.message}${line}`);
  }
  if (e instanceof FormulaError) throw new UsageError(e.message);
  if (e instanceof RangeError) throw new UsageError(`${file}: ${e.message}`);
  throw e;
}

function column(table: CsvTable, file: string, name: string, opts: { allowEmptyTail?: boolean } = {}): number[] {
  const col = table.columns[name];
  if (!col) throw new UsageError(`${file}: no column '${name}' (columns: ${table.header.join(', ')})`);
  const out: number[] = [];
  let ended = -1;
  col.forEach((cell, i) => {
    const s = cell.trim();
    if (s === '' && opts.allowEmptyTail) { if (ended < 0) ended = i; return; }
    const where = `column '${name}', row ${i + 1} (line ${table.lines[i]} of ${file})`;
    if (ended >= 0) throw new UsageError(`${file}: column '${name}' has a value on row ${i + 1} (line ${table.lines[i]}) after an empty cell on row ${ended + 1}`);
    if (s === '') throw new UsageError(`${file}: ${where}: empty cell`);
    const v = Number(s);
    if (Number.isNaN(v) || /^(nan|NaN|NA)$/.test(s)) throw new UsageError(`${file}: ${where}: '${cell}' is not a number`);
    if (!Number.isFinite(v)) throw new UsageError(`${file}: ${where}: '${cell}' is not finite`);
    out.push(v);
  });
  return out;
}

function columnsList(o: Opts, min: number, max: number, sub: string): string[] {
  if (!o.columns) throw new UsageError(`crit stats ${sub}: --columns is required`);
  const cols = o.columns.split(',').map((s) => s.trim()).filter(Boolean);
  if (cols.length < min || cols.length > max) {
    throw new UsageError(`crit stats ${sub}: --columns needs ${min === max ? min : `${min} to ${max === Infinity ? 'any number of' : max}`} column name${max === 1 ? '' : 's'}, got ${cols.length}`);
  }
  return cols;
}

function groupsBy(table: CsvTable, file: string, valueCol: string, byCol: string): { labels: string[]; groups: number[][] } {
  const values = column(table, file, valueCol);
  const by = table.columns[byCol];
  if (!by) throw new UsageError(`${file}: no column '${byCol}' (columns: ${table.header.join(', ')})`);
  const map = new Map<string, number[]>();
  by.forEach((g, i) => {
    const key = g.trim();
    if (key === '') throw new UsageError(`${file}: column '${byCol}', row ${i + 1} (line ${table.lines[i]}): empty group label`);
    if (!map.has(key)) map.set(key, []);
    map.get(key)!.push(values[i]);
  });
  const labels = [...map.keys()].sort();
  return { labels, groups: labels.map((l) => map.get(l)!) };
}

function alternativeOf(o: Opts): Alternative {
  const a = o.alternative ?? 'two-sided';
  if (!(ALTERNATIVES as readonly string[]).includes(a)) throw new UsageError(`--alternative must be one of ${ALTERNATIVES.join(', ')}, not '${a}'`);
  return a as Alternative;
}

function oneOf<T extends string>(flag: string, v: string | undefined, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, not '${v}'`);
  return v as T;
}

// ------------------------------------------------------------------ formatting

/** `digits` significant digits (R's summary prints about 5), exponent form for very small or large values. */
function num(x: number | null | undefined, digits = 5): string {
  if (x === null || x === undefined || Number.isNaN(x)) return 'NA';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e9)) return x.toExponential(digits - 1);
  return Number(x.toPrecision(digits)).toString();
}

/** Fixed decimals for criteria (AIC, BIC, logLik). */
function fix(x: number, d = 2): string {
  return Number.isFinite(x) ? x.toFixed(d) : num(x);
}

/** R's format.pval with its `< 2e-16` floor. */
export function formatP(p: number): string {
  if (Number.isNaN(p)) return 'NA';
  if (p < 2.2e-16) return '< 2e-16';
  if (p < 1e-4) return p.toExponential(2);
  return p.toPrecision(3);
}

function stars(p: number): string {
  return p < 0.001 ? '***' : p < 0.01 ? '**' : p < 0.05 ? '*' : p < 0.1 ? '.' : '';
}

function table(rows: string[][], alignLeft = 1): string {
  const w = rows[0].map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length)));
  return rows.map((r) => r.map((c, j) => (j < alignLeft ? c.padEnd(w[j]) : c.padStart(w[j]))).join('  ').trimEnd()).join('\n');
}

export function formatLmm(fit: LmmFit, file: string): string {
  const lines: string[] = [];
  lines.push(`Linear mixed model fit by ${fit.REML ? 'REML' : 'maximum likelihood'}. t-tests use Satterthwaite's method`);
  lines.push(`Formula: ${fit.formula}`);
  lines.push(`   Data: ${file}`);
  if (Object.keys(fit.scaled).length) lines.push(` Scaled: ${Object.entries(fit.scaled).map(([k, s]) => `${k} (mean ${num(s.center)}, sd ${num(s.scale)})`).join(', ')}`);
  lines.push('');
  lines.push(table([
    ['AIC', 'BIC', 'logLik', fit.REML ? 'REMLcrit' : 'deviance', 'df.resid'],
    [fix(fit.AIC), fix(fit.BIC), fix(fit.logLik), fix(fit.REML ? fit.REMLcrit : fit.deviance), String(fit.nobs - fit.npar)],
  ], 0));
  lines.push('');
  lines.push('Random effects:');
  lines.push(table([
    [' Groups', 'Name', 'Variance', 'Std.Dev.'],
    [` ${fit.group}`, '(Intercept)', num(fit.var_random_intercept), num(fit.sigma_b)],
    [' Residual', '', num(fit.sigma2_residual), num(fit.sigma)],
  ], 2));
  lines.push(`Number of obs: ${fit.nobs}, groups:  ${fit.group}, ${fit.ngroups}`);
  lines.push('');
  lines.push('Fixed effects:');
  const rows = [['', 'Estimate', 'Std. Error', 'df', 't value', 'Pr(>|t|)', '']];
  for (const k of fit.coefNames) rows.push([k, num(fit.beta[k]), num(fit.se[k]), num(fit.df_satterthwaite[k]), num(fit.t[k], 4), formatP(fit.p[k]), stars(fit.p[k])]);
  lines.push(table(rows));
  lines.push('---');
  lines.push("Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1");
  lines.push('');
  lines.push(`R2 (Nakagawa): marginal ${fix(fit.R2m, 4)}, conditional ${fit.R2c === null ? 'NA' : fix(fit.R2c, 4)}`);
  lines.push(`theta (sigma_b/sigma) = ${num(fit.theta, 6)}${fit.isSingular ? '  (singular fit)' : ''}`);
  for (const w of fit.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

export function formatSubsets(rows: SubsetRow[], file: string, reml: boolean): string {
  const out = [`All-subsets random-intercept models (${reml ? 'REML' : 'ML'} fits), ordered by AIC`, `   Data: ${file}`, ''];
  const t = [['rank', 'predictors', 'npar', 'logLik', 'AIC', 'dAIC', 'BIC', 'R2m', 'R2c']];
  rows.forEach((r, i) => t.push([String(i + 1), r.predictors.length ? r.predictors.join(' + ') : '(intercept only)', String(r.npar), fix(r.logLik), fix(r.AIC), fix(r.deltaAIC), fix(r.BIC), fix(r.R2m, 4), r.R2c === null ? 'NA' : fix(r.R2c, 4)]));
  out.push(table(t, 2));
  if (reml) out.push('', 'note: REML likelihoods of models with different fixed effects are not strictly comparable (lme4\'s anova() refits with ML); use --ml for likelihood-based comparisons.');
  const sing = rows.filter((r) => r.isSingular);
  if (sing.length) out.push(`singular fits: ${sing.map((r) => r.formula).join('; ')}`);
  return out.join('\n');
}

function testText(title: string, fields: [string, string][], warnings: string[] = []): string {
  const w = Math.max(...fields.map(([k]) => k.length));
  return [title, ...fields.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`), ...warnings.map((x) => `warning: ${x}`)].join('\n');
}

function jsonOut(obj: unknown): string {
  return JSON.stringify(obj, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
}

// ------------------------------------------------------------------ the command

/** Runs `crit stats ...` and returns the exit code; output goes to `write`. */
export async function runStats(args: string[], write: (s: string) => void = (s) => console.log(s)): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new UsageError(sub ? `crit stats: unknown test '${sub}' (one of ${SUBCOMMANDS.join(', ')})\n\n${usage}` : usage);
  }
  let o: Opts;
  try {
    o = parseArgs({
      args: rest,
      strict: true,
      allowPositionals: false,
      options: {
        csv: { type: 'string' }, formula: { type: 'string' }, columns: { type: 'string' }, by: { type: 'string' },
        alternative: { type: 'string' }, json: { type: 'boolean' }, ml: { type: 'boolean' }, scale: { type: 'boolean' },
        'all-subsets': { type: 'boolean' }, 'include-empty': { type: 'boolean' }, 'zero-method': { type: 'string' },
        correction: { type: 'boolean' }, method: { type: 'string' }, 'no-continuity': { type: 'boolean' },
      },
    }).values as Opts;
  } catch (e) {
    throw new UsageError(`crit stats ${sub}: ${(e as Error).message}`);
  }
  if (!o.csv) throw new UsageError(`crit stats ${sub}: --csv FILE is required`);
  const file = o.csv;
  const t = readTable(file);
  if (t.rows.length === 0) throw new UsageError(`${file}: no data rows`);
  const s = sub as Sub;
  try {
    if (s === 'lmm') {
      if (!o.formula) throw new UsageError('crit stats lmm: --formula is required, e.g. --formula "acc ~ lambda0 + Sigma + (1|model_type)"');
      const formula = parseFormula(o.formula);
      const opts = { REML: !o.ml, scale: o.scale ?? false };
      if (o['all-subsets']) {
        const rows = lmmAllSubsets(formula, t.columns, { ...opts, includeEmpty: o['include-empty'] });
        if (o.json) {
          write(jsonOut({
            test: 'lmm-all-subsets', file, REML: opts.REML, scaled: rows[0]?.fit.scaled ?? {},
            models: rows.map((r) => ({
              predictors: r.predictors, formula: r.formula, npar: r.npar, logLik: r.logLik, AIC: r.AIC, deltaAIC: r.deltaAIC, BIC: r.BIC,
              R2m: r.R2m, R2c: r.R2c, isSingular: r.isSingular, theta: r.fit.theta, sigma: r.fit.sigma, sigma_b: r.fit.sigma_b,
              beta: r.fit.beta, se: r.fit.se, df_satterthwaite: r.fit.df_satterthwaite, t: r.fit.t, p: r.fit.p, REMLcrit: r.fit.REMLcrit, deviance: r.fit.deviance, warnings: r.fit.warnings,
            })),
          }));
        } else write(formatSubsets(rows, file, opts.REML));
        return 0;
      }
      const fit = lmm(formula, t.columns, opts);
      write(o.json ? jsonOut({ test: 'lmm', file, ...fit }) : formatLmm(fit, file));
      return 0;
    }
    if (s === 'spearman') {
      const [a, b] = columnsList(o, 2, 2, s);
      const r = spearman(column(t, file, a), column(t, file, b), { alternative: alternativeOf(o) });
      const out = { test: 'spearman', file, columns: [a, b], n: t.rows.length, alternative: alternativeOf(o), statistic: r.statistic, rho: r.statistic, pvalue: r.pvalue, df: r.df, warnings: r.warnings };
      write(o.json ? jsonOut(out) : testText(`Spearman rank correlation: ${a} vs ${b}`, [['n', String(out.n)], ['rho', num(r.statistic, 6)], ['p-value', formatP(r.pvalue)], ['alternative', out.alternative]], r.warnings));
      return 0;
    }
    if (s === 'wilcoxon') {
      const cols = columnsList(o, 1, 2, s);
      const x = column(t, file, cols[0]);
      const y = cols[1] ? column(t, file, cols[1]) : null;
      const zeroMethod = oneOf('zero-method', o['zero-method'], ['wilcox', 'pratt', 'zsplit'] as const, 'wilcox');
      const method = oneOf('method', o.method, ['auto', 'exact', 'approx'] as const, 'auto');
      const r = wilcoxon(x, y, { alternative: alternativeOf(o), zeroMethod, correction: o.correction ?? false, method });
      const out = { test: 'wilcoxon', file, columns: cols, n: x.length, alternative: alternativeOf(o), zero_method: zeroMethod, correction: o.correction ?? false, method: r.method, statistic: r.statistic, pvalue: r.pvalue, zstatistic: r.zstatistic, warnings: r.warnings };
      write(o.json ? jsonOut(out) : testText(`Wilcoxon signed-rank test: ${y ? `${cols[0]} - ${cols[1]}` : cols[0]}`, [['n', String(x.length)], ['statistic', num(r.statistic, 6)], ['p-value', formatP(r.pvalue)], ['method', r.method], ['alternative', out.alternative]], r.warnings));
      return 0;
    }
    if (s === 'mannwhitney') {
      let x: number[], y: number[], names: string[];
      if (o.by) {
        const [v] = columnsList(o, 1, 1, s);
        const g = groupsBy(t, file, v, o.by);
        if (g.groups.length !== 2) throw new UsageError(`${file}: column '${o.by}' has ${g.groups.length} level${g.groups.length === 1 ? '' : 's'} (${g.labels.join(', ')}); Mann-Whitney needs exactly 2`);
        [x, y] = g.groups; names = g.labels.map((l) => `${v}[${o.by}=${l}]`);
      } else {
        const [a, b] = columnsList(o, 2, 2, s);
        x = column(t, file, a, { allowEmptyTail: true }); y = column(t, file, b, { allowEmptyTail: true }); names = [a, b];
      }
      if (!x.length || !y.length) throw new UsageError(`${file}: a sample is empty`);
      const method = oneOf('method', o.method, ['auto', 'exact', 'asymptotic'] as const, 'auto');
      const r = mannWhitneyU(x, y, { alternative: alternativeOf(o), method, useContinuity: !o['no-continuity'] });
      const out = { test: 'mannwhitney', file, samples: names, n1: x.length, n2: y.length, alternative: alternativeOf(o), method: r.method, use_continuity: !o['no-continuity'], statistic: r.statistic, U1: r.statistic, U2: r.U2, pvalue: r.pvalue, warnings: r.warnings };
      write(o.json ? jsonOut(out) : testText(`Mann-Whitney U test: ${names[0]} vs ${names[1]}`, [['n1, n2', `${x.length}, ${y.length}`], ['U1', num(r.statistic, 6)], ['p-value', formatP(r.pvalue)], ['method', r.method], ['alternative', out.alternative]], r.warnings));
      return 0;
    }
    if (s === 'anova') {
      let groups: number[][], names: string[];
      if (o.by) {
        const [v] = columnsList(o, 1, 1, s);
        const g = groupsBy(t, file, v, o.by);
        if (g.groups.length < 2) throw new UsageError(`${file}: column '${o.by}' has only one level ('${g.labels[0]}'); ANOVA needs at least 2 groups`);
        groups = g.groups; names = g.labels;
      } else {
        names = columnsList(o, 2, Infinity, s);
        groups = names.map((c) => column(t, file, c, { allowEmptyTail: true }));
      }
      const r = oneWayAnova(groups);
      const out = { test: 'anova', file, groups: names, sizes: groups.map((g) => g.length), statistic: r.statistic, F: r.statistic, pvalue: r.pvalue, df_between: r.dfBetween, df_within: r.dfWithin, ss_between: r.ssBetween, ss_within: r.ssWithin, warnings: r.warnings };
      write(o.json ? jsonOut(out) : testText(`One-way ANOVA: ${names.length} groups${o.by ? ` of ${o.columns} by ${o.by}` : ''}`, [['F', `${num(r.statistic, 6)} on ${r.dfBetween} and ${r.dfWithin} df`], ['p-value', formatP(r.pvalue)]], r.warnings));
      return 0;
    }
    // powerlaw
    const [nc, kc] = columnsList(o, 2, 2, s);
    const N = column(t, file, nc), K = column(t, file, kc);
    if (N.length < 4) throw new UsageError(`${file}: the power-law fit needs at least 4 rows (3 parameters), got ${N.length}`);
    if (N.some((v) => !(v > 0))) throw new UsageError(`${file}: column '${nc}' must be positive for N^k`);
    const r = fitPowerLaw(N, K);
    const out = { test: 'powerlaw', file, model: `${kc} = c0 + c1 * ${nc}^k`, params: { c0: r.c0, c1: r.c1, k: r.k }, se: { c0: r.se[0], c1: r.se[1], k: r.se[2] }, covariance: r.covariance, rss: r.rss, dof: r.dof, converged: r.converged, iterations: r.iterations, message: r.message };
    write(o.json ? jsonOut(out) : testText(`Power-law fit (Levenberg-Marquardt): ${out.model}`, [['c0', `${num(r.c0, 6)} ± ${num(r.se[0], 3)}`], ['c1', `${num(r.c1, 6)} ± ${num(r.se[1], 3)}`], ['k', `${num(r.k, 6)} ± ${num(r.se[2], 3)}`], ['RSS', `${num(r.rss, 6)} on ${r.dof} df`]], r.converged ? [] : [r.message]));
    return 0;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    userError(e, file, t);
  }
}

export const stats: CliCommand = {
  name: 'stats',
  summary: 'Statistics of the paper on a CSV: LMM (lme4/lmerTest), Spearman, Wilcoxon, Mann-Whitney, ANOVA, power-law fit',
  usage,
  run: (args) => runStats(args),
};
