// What Fig. 5 concludes from the task rows: per configuration, test accuracy and λ0 over the task stream in bins
// of tasks (b, c); the collapse of accuracy against |λ0| for all methods (d, top) with its rank correlation;
// accuracy against ∂L_λ/∂e for CritL (d, bottom); and the paper's mixed model (Table S7): accuracy ~ ∂L_λ/∂e + λ0
// + (1 | configuration) over CritL's tasks, and the same with |λ0| as its text states.
import { lmm, spearman, mean as avg, sampleVariance } from '../../stats/index.js';
import { groupBy } from '../../util/group.js';
import type { MixedModel } from '../fig4/analysis.js';
import { configurationOf } from './config.js';
import type { TaskRecord } from './run.js';

export interface BinPoint {
  configuration: string;
  method: string;
  bin: number;
  /** First and last task (0-based) of the bin. */
  from: number;
  to: number;
  acc: number;
  accSe: number;
  lambda0: number;
  lambda0Se: number;
  n: number;
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * |λ0| of a task: +∞ when every measured input had a zero Jacobian (a dead network: as far from criticality as it
 * gets; stores keep λ0 = −∞ as null), else |mean λ0| over the live inputs.
 */
export const distance = (r: TaskRecord): number => (r.dead >= 1 ? Infinity : finite(r.lambda0) ? Math.abs(r.lambda0) : NaN);
const se = (xs: number[]) => (xs.length > 1 ? Math.sqrt(sampleVariance(xs) / xs.length) : 0);

/** Mean (± standard error over tasks and repetitions) of test accuracy and λ0 per configuration and bin of tasks. */
export function binnedCurves(rows: TaskRecord[], bin: number): BinPoint[] {
  const groups = groupBy(rows, (r) => `${configurationOf(r)}|${Math.floor(r.task / bin)}`);
  return [...groups.values()].map((rs) => {
    const b = Math.floor(rs[0].task / bin);
    const acc = rs.map((r) => r.test_acc).filter(finite), lam = rs.map((r) => r.lambda0).filter(finite);
    return {
      configuration: configurationOf(rs[0]), method: rs[0].method, bin: b, from: b * bin, to: b * bin + bin - 1,
      acc: acc.length ? avg(acc) : NaN, accSe: se(acc), lambda0: lam.length ? avg(lam) : NaN, lambda0Se: se(lam), n: rs.length,
    };
  }).sort((a, b) => a.configuration.localeCompare(b.configuration) || a.bin - b.bin);
}

export interface ConfigSummary {
  /** Tasks after which every measured input had a zero Jacobian (their λ0 is −∞ and left out of the λ0 means). */
  deadTasks: number;
  /** The first (0-based) task after which the network was dead, or null. */
  firstDead: number | null;
  configuration: string;
  method: string;
  rho: number | null;
  alpha: number | null;
  lambda_t: number | null;
  tasks: number;
  /** Over all tasks, and over the last bin of tasks (the end of the stream). */
  acc: number;
  lastAcc: number;
  lambda0: number;
  lastLambda0: number;
  /** CBP: units replaced per task; CritL: mean ∂L_λ/∂e. */
  replacedPerTask: number;
  dLde: number | null;
}

export function configSummaries(rows: TaskRecord[], bin: number): ConfigSummary[] {
  return [...groupBy(rows, configurationOf).entries()].map(([configuration, rs]) => {
    const lastTask = Math.max(...rs.map((r) => r.task));
    const last = rs.filter((r) => r.task > lastTask - bin);
    const m = (xs: TaskRecord[], f: (r: TaskRecord) => number | null) => { const v = xs.map(f).filter(finite); return v.length ? avg(v) : NaN; };
    const d = rs.map((r) => r.dLde).filter(finite);
    const dead = rs.filter((r) => r.dead >= 1).map((r) => r.task);
    return {
      configuration, method: rs[0].method, rho: rs[0].rho, alpha: rs[0].alpha, lambda_t: rs[0].lambda_t, tasks: rs.length,
      acc: m(rs, (r) => r.test_acc), lastAcc: m(last, (r) => r.test_acc), lambda0: m(rs, (r) => r.lambda0), lastLambda0: m(last, (r) => r.lambda0),
      replacedPerTask: m(rs, (r) => r.replaced), dLde: d.length ? avg(d) : null, deadTasks: dead.length,
      firstDead: dead.length ? Math.min(...dead) : null,
    };
  }).sort((a, b) => order(a) - order(b) || a.configuration.localeCompare(b.configuration));
}

const order = (c: { method: string; rho: number | null }) => (c.method === 'BP' ? 0 : c.method === 'CBP' ? 1 - (c.rho ?? 0) : 2);

export interface Collapse {
  /** Spearman's ρ of task accuracy against |λ0| over every task of every run (BP, CBP and CritL together). */
  n: number;
  rho: number;
  p: number;
  /** Tasks after which the network was dead for every measured input (ranked as |λ0| = ∞). */
  dead: number;
}

export function collapse(rows: TaskRecord[]): Collapse | null {
  const use = rows.filter((r) => finite(r.test_acc) && !Number.isNaN(distance(r)));
  if (use.length < 3) return null;
  const s = spearman(use.map((r) => Math.min(distance(r), Number.MAX_VALUE)), use.map((r) => r.test_acc));
  return { n: use.length, rho: s.statistic, p: s.pvalue, dead: use.filter((r) => distance(r) === Infinity).length };
}

export type { MixedModel };

/**
 * accuracy (%) ~ scale(dLde) + scale(λ0 or |λ0|) + (1 | configuration) over the CritL tasks (one observation per
 * task, as the paper's 36,000 = 18 configurations x 2,000 tasks), REML; too few tasks or configurations give the
 * error instead of a fit. Tasks with no finite λ0 (a dead network) cannot enter a linear model: the report counts
 * them (ConfigSummary.deadTasks).
 */
export function mixedModel(rows: TaskRecord[], o: { abs?: boolean } = {}): MixedModel {
  const use = rows.filter((r) => r.method === 'CritL' && finite(r.dLde) && finite(r.lambda0) && finite(r.test_acc));
  const term = o.abs ? 'abs_lambda0' : 'lambda0';
  const formula = `accuracy ~ scale(dLde) + scale(${term}) + (1 | configuration)`;
  const groups = new Set(use.map((r) => configurationOf(r))).size;
  if (use.length === 0) return { formula, n: 0, groups: 0, fit: null, error: 'no CritL tasks with a finite λ0 and ∂L_λ/∂e (CritL runs of 2+ epochs per task)' };
  const data = {
    accuracy: use.map((r) => 100 * r.test_acc),
    dLde: use.map((r) => r.dLde!),
    [term]: use.map((r) => (o.abs ? Math.abs(r.lambda0) : r.lambda0)),
    configuration: use.map((r) => configurationOf(r)),
  };
  try {
    return { formula, n: use.length, groups, fit: lmm(formula, data), error: null };
  } catch (e) {
    return { formula, n: use.length, groups, fit: null, error: (e as Error).message };
  }
}
