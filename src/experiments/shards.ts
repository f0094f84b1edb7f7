// Sharding an experiment's grid over processes (one per GPU, or machines sharing a folder): shard K of N runs
// grid items K, K + N, ...; each shard keeps its own result store, DIR/<name>.shard-K-of-N.json (an unsharded
// run: DIR/<name>.json), and every report merges all stores in DIR that were written with the same settings.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CritError } from '../util/errors.js';
import { RowStore } from './store.js';

export interface Shard { index: number; count: number }

export function checkShard(what: string, shard: Shard | undefined): void {
  if (shard && !(Number.isInteger(shard.count) && shard.count >= 1 && Number.isInteger(shard.index) && shard.index >= 0 && shard.index < shard.count)) {
    throw new CritError(`${what}: shard ${shard.index} of ${shard.count}: needs integers 0 <= index < count`);
  }
}

/** The grid items a shard runs (all without a shard). */
export function shardOf<T>(grid: T[], shard?: Shard): T[] {
  return shard ? grid.filter((_, i) => i % shard.count === shard.index) : grid;
}

/** The file names of an experiment's stores: <name>.json and <name>.shard-K-of-N.json. */
function storePattern(name: string): RegExp {
  return new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\.shard-\\d+-of-\\d+)?\\.json$`);
}

/**
 * --fresh: a shard starts over on its own runs only (their checkpoints; its store is opened fresh), the whole
 * experiment drops every store in DIR and the checkpoints folder.
 */
export function startFresh(o: { dir: string; name: string; shard?: Shard; checkpoints: string; mine: string[] }): void {
  if (o.shard) for (const f of o.mine) rmSync(f, { force: true });
  else {
    rmSync(o.checkpoints, { recursive: true, force: true });
    const stores = storePattern(o.name);
    if (existsSync(o.dir)) for (const f of readdirSync(o.dir)) if (stores.test(f)) rmSync(join(o.dir, f), { force: true });
  }
}

/** This process's store in DIR and read access to the others. */
export class ShardedStores<R extends { key: string }> {
  readonly mine: RowStore<R>;
  readonly file: string;
  private readonly pattern: RegExp;

  constructor(readonly dir: string, readonly name: string, private readonly settings: unknown, private readonly format: string, shard?: Shard, fresh = false) {
    this.pattern = storePattern(name);
    this.file = shard ? `${name}.shard-${shard.index}-of-${shard.count}.json` : `${name}.json`;
    this.mine = new RowStore<R>(join(dir, this.file), settings, format, fresh);
  }

  /** The store files in DIR (this one and every shard's), sorted. */
  files(): string[] {
    return existsSync(this.dir) ? readdirSync(this.dir).filter((f) => this.pattern.test(f)).sort() : [];
  }

  /** Rows stored by other processes (other shards, or an unsharded run) with the same settings. */
  others(): Map<string, R> {
    const byKey = new Map<string, R>();
    for (const f of this.files()) if (f !== this.file) for (const r of new RowStore<R>(join(this.dir, f), this.settings, this.format).all()) byKey.set(r.key, r);
    return byKey;
  }

  /** Every row in DIR: the others', then this process's (which wins on a shared key). */
  all(): Map<string, R> {
    const byKey = this.others();
    for (const r of this.mine.all()) byKey.set(r.key, r);
    return byKey;
  }
}
