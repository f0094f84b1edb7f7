// Results of an experiment as rows keyed by configuration, kept in one JSON file that is rewritten atomically
// (write a temporary file, then rename) after every finished job: a killed run leaves either the old file or
// the new one, never half of one, and a restarted run skips every row already there.
import { readFileSync, existsSync } from 'node:fs';
import { writeFileAtomic } from '../io/files.js';
import { CritError } from '../util/errors.js';

export interface StoredFile<M> { format: string; meta: M; rows: Record<string, unknown>[] }

export class RowStore<R extends { key: string }, M = unknown> {
  private rows = new Map<string, R>();
  /** Rows as they were when the store was opened (resumed), for progress messages. */
  readonly resumed: number;

  /**
   * Opens (or starts) the store at path. `meta` describes the experiment; a file written with different meta
   * (another configuration) is refused rather than mixed, unless `fresh` starts over.
   */
  constructor(readonly path: string, private meta: M, private format: string, fresh = false) {
    if (!fresh && existsSync(path)) {
      let data: StoredFile<M>;
      try { data = JSON.parse(readFileSync(path, 'utf8')); } catch (e) { throw new CritError(`${path}: not a readable results file (${(e as Error).message}); use a new --out folder or --fresh`); }
      if (data.format !== format) throw new CritError(`${path}: holds '${data.format}' results, not '${format}'; use a new --out folder or --fresh`);
      if (JSON.stringify(data.meta) !== JSON.stringify(meta)) {
        const stored = (data.meta ?? {}) as Record<string, unknown>, now = meta as Record<string, unknown>;
        const show = (v: unknown) => (v === undefined ? 'not set' : JSON.stringify(v));
        const diff = [...new Set([...Object.keys(stored), ...Object.keys(now)])]
          .filter((k) => JSON.stringify(stored[k]) !== JSON.stringify(now[k]))
          .map((k) => `${k}: stored ${show(stored[k])}, now ${show(now[k])}`);
        throw new CritError(`${path}: was written with other settings (${diff.join('; ')}); to resume, repeat them; else use a new --out folder or --fresh`);
      }
      for (const r of data.rows as R[]) this.rows.set(r.key, r);
    }
    this.resumed = this.rows.size;
  }

  has(key: string): boolean { return this.rows.has(key); }
  get(key: string): R | undefined { return this.rows.get(key); }
  all(): R[] { return [...this.rows.values()]; }
  get size(): number { return this.rows.size; }

  /** Adds (or replaces) rows and rewrites the file atomically. */
  add(rows: R[]): void {
    for (const r of rows) this.rows.set(r.key, r);
    writeFileAtomic(this.path, JSON.stringify({ format: this.format, meta: this.meta, rows: this.all() }));
  }
}
