// Small helpers shared by the benchmarks: repetition under a time budget and summaries.

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** GFLOP/s of `flops` done in `ms` milliseconds. */
export const gflops = (flops: number, ms: number): number => flops / ms / 1e6;

export interface RepeatOptions {
  /** Rounds to measure (after the warm-up). */
  reps: number;
  /** Stop early once this much time went by, but only after `minReps` rounds. */
  budgetMs: number;
  minReps?: number;
}

/**
 * Times the runners in turn, one run each per round, and returns each runner's times. Alternating keeps the
 * comparison fair on a shared machine whose load drifts; the time budget keeps a slow side at a large size
 * from making the whole benchmark take minutes.
 */
export async function alternate(runners: readonly (() => Promise<number>)[], { reps, budgetMs, minReps = 2 }: RepeatOptions): Promise<number[][]> {
  const out: number[][] = runners.map(() => []);
  const t0 = performance.now();
  for (let round = 0; round < reps; round++) {
    for (const [i, once] of runners.entries()) out[i].push(await once());
    if (round + 1 >= Math.min(minReps, reps) && performance.now() - t0 > budgetMs) break;
  }
  return out;
}
