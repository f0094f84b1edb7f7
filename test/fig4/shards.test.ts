// Sharding the Fig. 4 grid over processes (--shard K/N): each shard runs every N-th run into its own store,
// the report merges all stores, and the merged result is the unsharded one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as crit from '../../src/index.node.js';
import { runFig4, presets, type Fig4Config } from '../../src/experiments/fig4/index.js';
import { fig4 } from '../../src/cli/commands/fig4.js';
import { UsageError } from '../../src/cli/command.js';
import { rejects } from '../rejects.js';

const cfg: Fig4Config = {
  ...presets.quick, preset: 'custom', arch: 'mlp:784-16-10:scaled-tanh', inits: ['init0', 'init3'], alphas: [10], lambdaTargets: [0],
  reps: 1, epochs: 2, batchSize: 32, optimizer: 'adam', lr: 1e-3, trainSize: 64, testSize: 32, lambdaInputs: 8, vectors: 'exact',
};
const quiet = () => {};
const withoutTimes = (rows: Record<string, unknown>[]) => rows.map(({ seconds: _s, ...r }) => r);
const read = (dir: string, f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

test('setup', async () => { await crit.init(); });

test('two shards fill one folder; the merged report equals the unsharded run; an unsharded rerun runs nothing', async () => {
  const straight = mkdtempSync(join(tmpdir(), 'crit-fig4-straight-'));
  await runFig4(cfg, { out: straight, log: quiet });
  const out = mkdtempSync(join(tmpdir(), 'crit-fig4-shards-'));
  const logs: string[] = [];
  const first = await runFig4(cfg, { out, log: (m) => logs.push(m), shard: { index: 0, count: 2 } });
  assert.is(first.runs, 2, 'shard 0 of 2 ran runs 0 and 2 of 4');
  assert.ok(logs.some((m) => m.includes('shard 0 of 2: 2 of the grid\'s 4 runs')), logs.join('\n'));
  assert.equal(read(out, 'runs.shard-0-of-2.json').rows.map((r: { key: string }) => r.key), ['init0-CEL-rep0', 'init3-CEL-rep0']);
  const merged = await runFig4(cfg, { out, log: quiet, shard: { index: 1, count: 2 } });
  assert.is(merged.runs, 4, 'the second shard\'s report holds all four runs');
  assert.equal(withoutTimes(read(out, 'epochs.json')), withoutTimes(read(straight, 'epochs.json')), 'the same numbers as one process');
  assert.equal(read(out, 'summary.json').map((r: { run: string }) => r.run), read(straight, 'summary.json').map((r: { run: string }) => r.run));
  // The plain command in the same folder finds every run stored (in the shards' files) and only reports.
  const again: string[] = [];
  const s = await runFig4(cfg, { out, log: (m) => again.push(m) });
  assert.is(s.runs, 4);
  assert.not.ok(again.some((m) => m.includes(': running')), again.join('\n'));
  assert.not.ok(existsSync(join(out, 'runs.json')) && read(out, 'runs.json').rows.length > 0, 'nothing was run into runs.json');
});

test('--shard is checked: K/N with 0 <= K < N', async () => {
  for (const bad of ['2/2', '1', 'a/b', '-1/3']) {
    await rejects(fig4.run(['--quick', '--shard', bad, '--out', mkdtempSync(join(tmpdir(), 'crit-fig4-badshard-'))]), (e) => e instanceof UsageError && /--shard takes K\/N/.test(e.message));
  }
  await rejects(runFig4(cfg, { out: mkdtempSync(join(tmpdir(), 'crit-fig4-badshard-')), log: quiet, shard: { index: 3, count: 2 } }), (e) => e instanceof crit.CritError && /shard 3 of 2/.test(e.message));
});

test.run();
