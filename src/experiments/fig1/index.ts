// `crit fig1`: the phase transition of deep random MLPs (paper Fig. 1), as a resumable experiment. Rows go to
// DIR/rows.json as jobs finish; the report (rows.csv, fig1.json, index.html) is rebuilt after each width and
// at the end, so an interrupted run still leaves a report of what it has.
import { join } from 'node:path';
import { engine } from '../../tensor/tensor.js';
import { RowStore } from '../store.js';
import { Runner } from '../runner.js';
import { type Fig1Config, checkConfig, storeMeta } from './config.js';
import { type Fig1Row, num } from './analysis.js';
import { dynamicRange, stimulusGrid } from '../../criticality/dynamic-range.js';
import { sweepWidth, type SweepContext } from './run.js';
import { summarize, writeReport, type Fig1Summary } from './report.js';

export { QUICK, FULL, type Fig1Config } from './config.js';
export { type Fig1Summary } from './report.js';
export { type Fig1Row } from './analysis.js';

export interface Fig1RunOptions {
  out: string;
  /** Discard stored rows and start over. */
  fresh?: boolean;
  /** Only rebuild the report from the stored rows. */
  reportOnly?: boolean;
  log?: (msg: string) => void;
}

export async function runFig1(cfg: Fig1Config, opts: Fig1RunOptions): Promise<Fig1Summary> {
  checkConfig(cfg);
  const store = new RowStore<Fig1Row>(join(opts.out, 'rows.json'), storeMeta(cfg), 'crit-fig1-rows-v1', opts.fresh);
  const runner = new Runner(store, { name: 'fig1', log: opts.log });
  const t0 = performance.now();
  const adapter = (() => { const a = engine().adapter; return `${a.description} (${a.kind})`; })();
  const grid = cfg.stimulusPerDecade > 0 ? stimulusGrid(cfg.stimulusPerDecade) : null;
  const report = async () => {
    // Δ is derived from the stored response curves (the store keeps measurements; derived numbers follow the
    // current definition, see dynamic-range.ts).
    const rows = store.all().filter((r) => cfg.widths.includes(r.N)).map((r) => {
      if (!grid || r.response.length !== grid.length) return r;
      const d = dynamicRange(grid, r.response.map(num));
      return { ...r, Delta: d.Delta, s10: d.s10, s90: d.s90 };
    });
    const s = summarize(cfg, rows, adapter, (performance.now() - t0) / 1000);
    await writeReport(opts.out, s, rows);
    return s;
  };
  if (store.resumed) runner.log(`resuming: ${store.resumed} rows already in ${store.path}`);
  if (!opts.reportOnly) {
    const ctx: SweepContext = { cfg, runner, vectors: new Map(), log: runner.log };
    for (const N of cfg.widths) {
      await sweepWidth(ctx, N);
      const s = await report();
      const c = s.critical.find((x) => x.N === N)!;
      runner.log(`N=${N}: κ_c = ${c.kappaC?.toFixed(5) ?? 'none'} (mean field ${c.meanField.toFixed(5)}, ${c.relToMeanField === null ? '–' : `${(100 * c.relToMeanField).toFixed(2)}%`})`);
    }
  }
  const s = await report();
  runner.log(`report: ${join(opts.out, 'index.html')}`);
  return s;
}
