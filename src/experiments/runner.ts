// A small declarative runner: an experiment is a list of jobs, each of which produces a known set of rows
// (by key). Jobs whose rows are all stored already are skipped, so a killed run resumes where it stopped;
// each finished job's rows are written at once (atomically, see store.ts). Progress goes to stderr.
import { RowStore } from './store.js';

export interface Job<R> {
  /** Shown in progress lines. */
  label: string;
  /** Keys of the rows this job produces. */
  keys: string[];
  /** Runs the job; must return a row for every key. */
  run(log: (msg: string) => void): Promise<R[]>;
}

export interface RunnerOptions {
  /** Progress lines (default: stderr with the experiment's name and elapsed time). */
  log?: (msg: string) => void;
  name?: string;
}

export class Runner<R extends { key: string }> {
  private t0 = performance.now();
  done = 0;
  skipped = 0;
  readonly log: (msg: string) => void;
  constructor(readonly store: RowStore<R>, opts: RunnerOptions = {}) {
    const name = opts.name ?? 'run';
    this.log = opts.log ?? ((m) => process.stderr.write(`[${name} ${((performance.now() - this.t0) / 1000).toFixed(0).padStart(5)} s] ${m}\n`));
  }

  /** The rows of a job: from the store when all are there, else by running it (and storing them). */
  async run(job: Job<R>): Promise<R[]> {
    if (job.keys.every((k) => this.store.has(k))) {
      this.skipped++;
      return job.keys.map((k) => this.store.get(k)!);
    }
    const t = performance.now();
    this.log(`${job.label}: running`);
    const rows = await job.run(this.log);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const missing = job.keys.filter((k) => !byKey.has(k));
    if (missing.length) throw new Error(`job ${job.label} did not produce rows ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}`);
    this.store.add(rows);
    this.done++;
    this.log(`${job.label}: done in ${((performance.now() - t) / 1000).toFixed(1)} s (${this.store.size} rows stored)`);
    return job.keys.map((k) => byKey.get(k)!);
  }
}
