// What Fig. 4 concludes from the runs: the summary row of each run, the check (every CritL run with
// α >= 1 ends with λ0 within 0.05 of λ_t), offsets per (α, λ_t), the paired accuracy gains CritL − CEL,
// per-init averages, and the paper's linear mixed models accuracy ~ ∂L_λ/∂e + λ0 (or |λ0|) + (1 | configuration).
import { lmm, wilcoxon, mean as avg, sampleVariance, type LmmFit } from '../../stats/index.js';
import { groupBy } from '../../util/group.js';
import { configurationOf, type LossKind } from './config.js';
import type { RunResult } from './run.js';

export interface SummaryRow {
  run: string;
  init: string;
  loss: LossKind;
  alpha: number | null;
  lambda_t: number | null;
  rep: number;
  configuration: string;
  /** λ0 at initialisation (epoch 0), mean over the λ0 test inputs. */
  initial_lambda0: number;
  final_lambda0: number;
  /** Exact mean λ0 over as many training inputs at the end (NaN in stores written before it existed). */
  final_train_lambda0: number;
  final_test_acc: number;
  /** Test accuracy averaged over the last 10 epochs (or all, if fewer), as the paper's Fig. 4b inset. */
  last10_test_acc: number;
  /** ∂L_λ/∂e (CritL): mean |L_λ(e) − L_λ(e−1)|. */
  dLde: number | null;
  final_L_lambda: number | null;
  seconds: number;
}

export function summaryRow(r: RunResult): SummaryRow {
  const s = r.spec, last = r.epochs[r.epochs.length - 1];
  return {
    run: r.id, init: s.init, loss: s.loss, alpha: s.alpha, lambda_t: s.lambdaT, rep: s.rep, configuration: configurationOf(s),
    initial_lambda0: r.epochs[0].lambda0, final_lambda0: r.final_lambda0, final_train_lambda0: last.train_lambda0_exact ?? NaN, final_test_acc: r.final_test_acc,
    last10_test_acc: avg(r.epochs.slice(1).slice(-10).map((e) => e.test_acc)),
    dLde: r.dLde, final_L_lambda: last.L_lambda, seconds: r.seconds,
  };
}

/** The done-when tolerance on |λ0 − λ_t| for CritL runs with α >= 1. */
export const TARGET_TOLERANCE = 0.05;

export interface TargetCheck {
  run: string;
  init: string;
  alpha: number;
  lambda_t: number;
  final_lambda0: number;
  ok: boolean;
}

export function targetChecks(rows: SummaryRow[]): TargetCheck[] {
  return rows.filter((r) => r.loss === 'CritL' && r.alpha! >= 1).map((r) => ({
    run: r.run, init: r.init, alpha: r.alpha!, lambda_t: r.lambda_t!, final_lambda0: r.final_lambda0,
    ok: Math.abs(r.final_lambda0 - r.lambda_t!) <= TARGET_TOLERANCE,
  }));
}

export interface TargetOffset {
  alpha: number;
  lambda_t: number;
  runs: number;
  /** Mean of λ0 − λ_t over inits and repetitions, and the largest |λ0 − λ_t| (λ0 on the test inputs). */
  mean: number;
  maxAbs: number;
  /** Mean of λ0 − λ_t on the training inputs the penalty acts on. */
  meanTrain: number;
}

/** CritL rows grouped by configuration (α, λ_t), in order of first appearance. */
function byConfiguration(rows: SummaryRow[]): SummaryRow[][] {
  return [...groupBy(rows.filter((r) => r.loss === 'CritL'), (r) => `${r.alpha}|${r.lambda_t}`).values()];
}

/**
 * λ0 − λ_t of the CritL runs per (α, λ_t), on the test and on the training inputs. The cross-entropy pushes λ0
 * up and the penalty pulls with a force ∝ α, so a weak penalty leaves λ0 above a low target (the paper's
 * Fig. 4c: α and λ_t together set the post-training λ0; docs/fig4.md says why in each regime).
 */
export function targetOffsets(rows: SummaryRow[]): TargetOffset[] {
  return byConfiguration(rows.filter((r) => Number.isFinite(r.final_lambda0))).map((rs) => {
    const d = rs.map((r) => r.final_lambda0 - r.lambda_t!);
    return {
      alpha: rs[0].alpha!, lambda_t: rs[0].lambda_t!, runs: rs.length, mean: avg(d), maxAbs: Math.max(...d.map(Math.abs)),
      meanTrain: avg(rs.map((r) => r.final_train_lambda0 - r.lambda_t!)),
    };
  }).sort((a, b) => a.alpha - b.alpha || a.lambda_t - b.lambda_t);
}

export interface AccuracyGain {
  alpha: number;
  lambda_t: number;
  /** Pairs (CritL run, CEL run of the same init and repetition: the same initial weights). */
  pairs: number;
  /** Mean and standard error of CritL − CEL in last-10-epoch test accuracy (fractions). */
  mean: number;
  se: number;
  /** Two-sided Wilcoxon signed-rank p over the pairs (SciPy's defaults); null with fewer than 2 non-zero pairs. */
  p: number | null;
}

/**
 * The paper's Fig. 4b comparison, paired: for each (α, λ_t), CritL − CEL in test accuracy averaged over the last
 * 10 epochs, each CritL run against the CEL run that started from the same weights.
 */
export function accuracyGains(rows: SummaryRow[]): AccuracyGain[] {
  const cel = new Map(rows.filter((r) => r.loss === 'CEL').map((r) => [`${r.init}|${r.rep}`, r]));
  const paired = rows.filter((r) => Number.isFinite(r.last10_test_acc) && Number.isFinite(cel.get(`${r.init}|${r.rep}`)?.last10_test_acc ?? NaN));
  return byConfiguration(paired).map((rs) => {
    const d = rs.map((r) => r.last10_test_acc - cel.get(`${r.init}|${r.rep}`)!.last10_test_acc);
    const p = d.filter((v) => v !== 0).length >= 2 ? wilcoxon(d).pvalue : null;
    return { alpha: rs[0].alpha!, lambda_t: rs[0].lambda_t!, pairs: d.length, mean: avg(d), se: Math.sqrt(sampleVariance(d) / d.length), p };
  }).sort((a, b) => a.lambda_t - b.lambda_t || a.alpha - b.alpha);
}

export interface MixedModel {
  formula: string;
  n: number;
  groups: number;
  fit: LmmFit | null;
  error: string | null;
}

/**
 * accuracy (%) ~ scale(dLde) + scale(λ0) + (1 | configuration) over the CritL runs, configuration = (λ_t, α) as in
 * the paper; REML (lmerTest). Predictors z-scored as in the paper's Table S6 (its intercept is the mean accuracy,
 * uncorrelated with the slopes), so estimates are accuracy points per standard deviation. `abs`: the paper's
 * text speaks of |λ0| ("smaller absolute Lyapunov exponents ... improved performance"), its table and the issue
 * of λ0; the report shows both. With too few runs or configurations the error is reported instead of a fit.
 */
export function mixedModel(rows: SummaryRow[], o: { abs?: boolean } = {}): MixedModel {
  const use = rows.filter((r) => r.loss === 'CritL' && r.dLde !== null && Number.isFinite(r.dLde) && Number.isFinite(r.final_lambda0) && Number.isFinite(r.final_test_acc));
  const term = o.abs ? 'abs_lambda0' : 'lambda0';
  const formula = `accuracy ~ scale(dLde) + scale(${term}) + (1 | configuration)`;
  const groups = new Set(use.map((r) => r.configuration)).size;
  const data = {
    accuracy: use.map((r) => 100 * r.final_test_acc),
    dLde: use.map((r) => r.dLde!),
    [term]: use.map((r) => (o.abs ? Math.abs(r.final_lambda0) : r.final_lambda0)),
    configuration: use.map((r) => r.configuration),
  };
  try {
    return { formula, n: use.length, groups, fit: lmm(formula, data), error: null };
  } catch (e) {
    return { formula, n: use.length, groups, fit: null, error: (e as Error).message };
  }
}

export interface InitSummary {
  init: string;
  initial_lambda0: number;
  cel: { lambda0: number; acc: number; n: number } | null;
  /** Mean over repetitions per CritL configuration. */
  critl: { alpha: number; lambda_t: number; lambda0: number; acc: number; n: number }[];
}


export function initSummaries(rows: SummaryRow[], inits: string[]): InitSummary[] {
  return inits.map((init) => {
    const mine = rows.filter((r) => r.init === init);
    const cel = mine.filter((r) => r.loss === 'CEL');
    const critl = byConfiguration(mine).map((rs) => ({
      alpha: rs[0].alpha!, lambda_t: rs[0].lambda_t!, lambda0: avg(rs.map((r) => r.final_lambda0)), acc: avg(rs.map((r) => r.final_test_acc)), n: rs.length,
    })).sort((a, b) => a.lambda_t - b.lambda_t || a.alpha - b.alpha);
    return {
      init, initial_lambda0: mine.length ? avg(mine.map((r) => r.initial_lambda0)) : NaN,
      cel: cel.length ? { lambda0: avg(cel.map((r) => r.final_lambda0)), acc: avg(cel.map((r) => r.final_test_acc)), n: cel.length } : null,
      critl,
    };
  });
}
