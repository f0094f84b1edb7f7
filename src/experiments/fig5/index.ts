// `crit fig5`: continual learning with BP, CBP and CritL (paper Fig. 5) as a resumable experiment. Every finished
// task of every run is added to DIR/tasks-store.json at once (atomically) and the run checkpointed, so a killed
// experiment resumes at the next task; the report is rebuilt after every run. `shard` spreads the grid's runs
// over processes sharing DIR (one per GPU).
import { join } from 'node:path';
import { engine } from '../../tensor/tensor.js';
import { ShardedStores, checkShard, shardOf, startFresh, type Shard } from '../shards.js';
import { CritError } from '../../util/errors.js';
import { type Fig5Config, checkConfig, gridRuns, runId } from './config.js';
import { type ClassSource, classesFrom, embeddedDigitClasses } from './tasks.js';
import { trainRun, taskKey, type TaskRecord } from './run.js';
import { summarize, writeReport, type Fig5Summary } from './report.js';

export { presets, gridRuns, runId, type Fig5Config, type RunSpec, type Method } from './config.js';
export { type Fig5Summary } from './report.js';
export { type TaskRecord } from './run.js';
export { classOrder, makeTask, classFolder, idxClasses, classesFrom, embeddedDigitClasses, type ClassSource, type Task } from './tasks.js';

export interface Fig5RunOptions {
  out: string;
  /** Continual ImageNet's folder of <class>.npy files, or an MNIST-format IDX folder; default: the embedded MNIST digits. */
  data?: string;
  fresh?: boolean;
  reportOnly?: boolean;
  log?: (msg: string) => void;
  /**
   * Run only every count-th run of the grid, starting at index (one process per GPU, sharing DIR): each shard keeps
   * its own store, DIR/tasks-store.shard-<index>-of-<count>.json; the report merges every store in DIR.
   */
  shard?: Shard;
}

const STORE_FORMAT = 'crit-fig5-tasks-v1';
const STORE_NAME = 'tasks-store';

/**
 * What a stored task depends on: a store written with other settings is refused (or --fresh). Not the grid, the
 * number of tasks (a task's result does not depend on how many follow; more tasks continue the stream) or the
 * report's binning.
 */
function storeMeta(cfg: Fig5Config, data: string): Record<string, unknown> {
  const { preset: _p, rhos: _r, alphas: _a, lambdaTargets: _t, penaltyRows: _k, bp: _b, reps: _n, bin: _bin, tasks: _tasks, ...rest } = cfg;
  return { ...rest, data };
}

export async function loadClasses(data?: string): Promise<ClassSource> {
  return data ? classesFrom(data) : embeddedDigitClasses();
}

export async function runFig5(cfg: Fig5Config, opts: Fig5RunOptions): Promise<Fig5Summary> {
  checkConfig(cfg);
  checkShard('fig5', opts.shard);
  const settings = storeMeta(cfg, opts.data ? `classes:${opts.data}` : 'embedded-digits');
  const checkpoints = join(opts.out, 'checkpoints');
  const checkpointOf = (id: string) => join(checkpoints, `${id}.safetensors`);
  const grid = gridRuns(cfg);
  const mine = shardOf(grid, opts.shard);
  if (opts.fresh) startFresh({ dir: opts.out, name: STORE_NAME, shard: opts.shard, checkpoints, mine: mine.map((r) => checkpointOf(runId(r))) });
  const stores = new ShardedStores<TaskRecord>(opts.out, STORE_NAME, settings, STORE_FORMAT, opts.shard, opts.fresh);
  const store = stores.mine;
  const t0 = performance.now();
  const log = opts.log ?? ((m: string) => process.stderr.write(`[fig5 ${((performance.now() - t0) / 1000).toFixed(0).padStart(5)} s] ${m}\n`));
  const a = engine().adapter;
  const adapter = `${a.description} (${a.kind})`;
  const keys = (id: string) => Array.from({ length: cfg.tasks }, (_, t) => taskKey(id, t));
  let dataDescription = opts.data ? `classes in ${opts.data}` : 'embedded MNIST digits';
  const report = async () => {
    const ids = new Set(grid.map(runId));
    const rows = [...stores.all().values()].filter((r) => ids.has(r.run) && r.task < cfg.tasks);
    const s = summarize(cfg, rows, { adapter, data: dataDescription, expectedRuns: grid.length });
    await writeReport(opts.out, s, rows);
    return s;
  };
  if (store.resumed) log(`resuming: ${store.resumed} tasks already in ${store.path}`);
  if (opts.shard) log(`shard ${opts.shard.index} of ${opts.shard.count}: ${mine.length} of the grid's ${grid.length} runs`);
  const stored = stores.all();
  const todo = mine.filter((r) => !keys(runId(r)).every((k) => stored.has(k)));
  if (!opts.reportOnly && todo.length) {
    const src = await loadClasses(opts.data);
    dataDescription = src.description;
    if (src.classes < 2) throw new CritError(`fig5: ${src.description} has fewer than two classes`);
    log(`${todo.length} of ${mine.length} runs to do; ${src.description}`);
    for (const [i, spec] of todo.entries()) {
      const id = runId(spec);
      log(`[${i + 1}/${todo.length}] ${id}: running`);
      const t = performance.now();
      await trainRun(spec, { cfg, src, store, checkpoint: checkpointOf(id), settings, log });
      log(`[${i + 1}/${todo.length}] ${id}: done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      await report();
    }
  }
  const s = await report();
  log(`report: ${join(opts.out, 'index.html')} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  return s;
}
