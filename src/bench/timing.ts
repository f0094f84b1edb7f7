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
  /** Repetitions to measure (after the warm-up). */
  reps: number;
  /** Stop early once this much time went by, but only after `minReps` repetitions. */
  budgetMs: number;
  minReps?: number;
}

/**
 * Runs `once` (which returns its own measured milliseconds) up to `reps` times. A slow engine at a large size
 * stops at the time budget, so one slow side cannot make the whole benchmark take minutes.
 */
export async function repeat(once: () => Promise<number>, { reps, budgetMs, minReps = 2 }: RepeatOptions): Promise<number[]> {
  const out: number[] = [];
  const t0 = performance.now();
  while (out.length < reps) {
    out.push(await once());
    if (out.length >= Math.min(minReps, reps) && performance.now() - t0 > budgetMs) break;
  }
  return out;
}
