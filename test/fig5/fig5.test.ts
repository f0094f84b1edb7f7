// The Fig. 5 experiment on a tiny class folder (Continual ImageNet's layout, <class>.npy): the task stream, BP,
// CBP and CritL runs end to end with the report, resuming a killed experiment to the same numbers, and the
// errors for bad data and settings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as crit from '../../src/index.node.js';
import { runFig5, presets, classOrder, classFolder, classesFrom, makeTask, type Fig5Config, type TaskRecord } from '../../src/experiments/fig5/index.js';
import { fig5 } from '../../src/cli/commands/fig5.js';
import { UsageError } from '../../src/cli/command.js';
import { rejects } from '../rejects.js';

const CLASSES = 5, PER_CLASS = 14, SHAPE = [1, 8, 8];

/** CLASSES classes of PER_CLASS 8x8 images: a class-specific blob plus seeded noise, as <class>.npy files. */
function classDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'crit-fig5-data-'));
  mkdirSync(join(dir, 'classes'));
  for (let c = 0; c < CLASSES; c++) {
    const noise = crit.uniformHost(PER_CLASS * 64, -0.5, 0.5, { seed: 3, stream: c });
    const data = Float32Array.from(noise, (v, i) => v + ((i % 64) % (c + 2) === 0 ? 1 : 0));
    writeFileSync(join(dir, 'classes', `${c}.npy`), crit.writeNpy({ shape: [PER_CLASS, ...SHAPE], data }));
  }
  return dir;
}

const cfg: Fig5Config = {
  ...presets.quick, preset: 'custom', arch: 'cnn:1x8x8:3k3:6-2:scaled-tanh', tasks: 3, epochsPerTask: 2, batchSize: 4, lr: 0.05,
  rhos: [0.05], alphas: [0.5], lambdaTargets: [0], bp: true, reps: 1, maturity: 2, trainPerClass: 10, testPerClass: 4,
  lambdaInputs: 6, coldIterations: 4, warmIterations: 2, measureIterations: 40, bin: 1,
};
const quiet = () => {};
const withoutTimes = (rows: TaskRecord[]) => rows.map(({ seconds: _s, ...r }) => r);
const read = (dir: string, f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
let data = '';

test('setup', async () => { await crit.init(); data = classDir(); });

test('the task stream: seeded class orders (a new permutation per pass), two classes per task, the first images train and the next test', () => {
  const a = classOrder(10, 7, 1, 0), b = classOrder(10, 7, 1, 0), other = classOrder(10, 7, 1, 1);
  assert.equal(a, b, 'a seed and repetition fix the order');
  assert.not.equal(Array.from(a), Array.from(other), 'repetitions get their own order');
  assert.equal([...a.subarray(0, 10)].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'every class once per pass');
  assert.is(a.length, 14);
  assert.not.equal(Array.from(a.subarray(10)), Array.from(a.subarray(0, 4)), 'the next pass pairs the classes anew');
  assert.equal(classOrder(10, 10, 1, 0).subarray(0, 14), a, 'more tasks extend the same order');
  const src = classFolder(data);
  assert.is(src.classes, CLASSES);
  assert.equal(src.sampleShape, SHAPE);
  const t = makeTask(src, Int32Array.from([3, 1]), 0, 10, 4);
  assert.equal(t.classes, [3, 1]);
  assert.equal(t.train.classCounts(), [10, 10]);
  assert.equal(t.test.classCounts(), [4, 4]);
  assert.equal(Array.from(t.train.x.subarray(0, 64)), Array.from(src.images(3).subarray(0, 64)), 'label 0 = the first class of the pair, its first image');
  assert.equal(Array.from(t.test.x.subarray(4 * 64, 5 * 64)), Array.from(src.images(1).subarray(10 * 64, 11 * 64)), 'test images follow the training images');
});

test("an MNIST-format IDX folder is a class source: the training split's images of a class, then the test split's", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crit-fig5-idx-'));
  // 3 classes: training images 0..35 (label i % 3), test images 0..11 (label i % 3); pixel value = image number.
  const write = (prefix: string, n: number, first: number) => {
    writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), crit.writeIdx({ type: 'u8', dims: [n, 4, 4], data: Uint8Array.from({ length: n * 16 }, (_, i) => first + Math.floor(i / 16)) }));
    writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), crit.writeIdx({ type: 'u8', dims: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 3) }));
  };
  write('train', 36, 0);
  write('t10k', 12, 100);
  const src = await classesFrom(dir);
  assert.is(src.classes, 3);
  assert.equal(src.sampleShape, [1, 4, 4]);
  const firstPixels = (c: number) => Array.from({ length: src.images(c).length / 16 }, (_, k) => Math.round((src.images(c)[16 * k] + 1) * 127.5));
  assert.equal(firstPixels(1), [1, 4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 34, 101, 104, 107, 110], 'class 1: its 12 training images, then its 4 test images');
  const t = makeTask(src, Int32Array.from([2, 0]), 0, 12, 4);
  assert.equal(t.test.classCounts(), [4, 4]);
});

test('BP, CBP and CritL over a task stream: every task stored, the report written, and a rerun runs nothing', async () => {
  const out = mkdtempSync(join(tmpdir(), 'crit-fig5-'));
  const s = await runFig5(cfg, { out, data, log: quiet });
  assert.is(s.runs, 3);
  assert.is(s.tasks, 9);
  const rows = read(out, 'tasks.json') as TaskRecord[];
  for (const r of rows) {
    for (const k of ['test_acc', 'train_loss', 'lambda0', 'sigma'] as const) assert.ok(Number.isFinite(r[k]), `${r.run} task ${r.task}: ${k} ${r[k]}`);
    assert.ok(r.test_acc >= 0 && r.test_acc <= 1);
  }
  const of = (m: string) => rows.filter((r) => r.method === m);
  assert.equal(of('BP').map((r) => [r.class_a, r.class_b]), of('CBP').map((r) => [r.class_a, r.class_b]), 'the same task stream for every method');
  assert.ok(of('CBP').reduce((n, r) => n + r.replaced, 0) > 0, 'CBP replaced units');
  assert.ok(of('BP').every((r) => r.replaced === 0 && r.dLde === null));
  assert.ok(of('CritL').every((r) => Number.isFinite(r.L_lambda) && Number.isFinite(r.dLde)), 'CritL has L_λ and ∂L_λ/∂e per task');
  for (const f of ['index.html', 'tasks.csv', 'fig5.json', 'tasks-store.json']) assert.ok(existsSync(join(out, f)), f);
  assert.ok(existsSync(join(out, 'checkpoints', 'BP-rep0.safetensors')), 'finished runs keep their last state');
  const html = readFileSync(join(out, 'index.html'), 'utf8');
  assert.ok(html.includes('<svg') && html.includes('CBP ρ=0.05'), 'plots and the CBP series');
  const logs: string[] = [];
  await runFig5(cfg, { out, data, log: (m) => logs.push(m) });
  assert.ok(!logs.some((m) => m.includes('running')), logs.join('\n'));
});

test('a killed experiment resumes at the next task and gives the same numbers', async () => {
  const straight = mkdtempSync(join(tmpdir(), 'crit-fig5-straight-'));
  await runFig5(cfg, { out: straight, data, log: quiet });
  const out = mkdtempSync(join(tmpdir(), 'crit-fig5-killed-'));
  // Kill CBP's and CritL's runs after their second task (the checkpoint holds weights, momentum, CBP's state).
  for (const victim of ['CBP-rho0.05-rep0 task 2/3', 'CritL-a0.5-t0-rep0 task 2/3']) {
    await rejects(runFig5(cfg, { out, data, log: (m) => { if (m.includes(victim)) throw new Error('killed'); } }), /killed/);
  }
  const logs: string[] = [];
  await runFig5(cfg, { out, data, log: (m) => logs.push(m) });
  assert.ok(logs.some((m) => m.includes('CritL-a0.5-t0-rep0: resumed from its checkpoint before task 2')), logs.join('\n'));
  const key = (r: TaskRecord) => r.key;
  const sorted = (rows: TaskRecord[]) => withoutTimes([...rows].sort((a, b) => key(a).localeCompare(key(b))));
  assert.equal(sorted(read(out, 'tasks.json')), sorted(read(straight, 'tasks.json')));
});

test('more tasks continue a finished stream: 2 tasks, then 3, give the 3-task run', async () => {
  const straight = mkdtempSync(join(tmpdir(), 'crit-fig5-straight-'));
  await runFig5(cfg, { out: straight, data, log: quiet });
  const out = mkdtempSync(join(tmpdir(), 'crit-fig5-more-'));
  await runFig5({ ...cfg, tasks: 2 }, { out, data, log: quiet });
  const logs: string[] = [];
  const s = await runFig5(cfg, { out, data, log: (m) => logs.push(m) });
  assert.is(s.tasks, 9);
  assert.ok(logs.some((m) => m.includes('CBP-rho0.05-rep0: resumed from its checkpoint before task 2')), logs.join('\n'));
  const key = (r: TaskRecord) => r.key;
  const sorted = (rows: TaskRecord[]) => withoutTimes([...rows].sort((a, b) => key(a).localeCompare(key(b))));
  assert.equal(sorted(read(out, 'tasks.json')), sorted(read(straight, 'tasks.json')));
  // Fewer tasks than stored: the report shows the first ones; the runs are complete, nothing runs.
  const fewer = await runFig5({ ...cfg, tasks: 1 }, { out, data, log: quiet });
  assert.is(fewer.tasks, 3);
});

test('two shards fill one folder and their merged report is the unsharded run', async () => {
  const straight = mkdtempSync(join(tmpdir(), 'crit-fig5-straight-'));
  await runFig5(cfg, { out: straight, data, log: quiet });
  const out = mkdtempSync(join(tmpdir(), 'crit-fig5-shards-'));
  const first = await runFig5(cfg, { out, data, log: quiet, shard: { index: 0, count: 2 } });
  assert.is(first.runs, 2, 'shard 0 of 2 ran runs 0 and 2 of 3 (BP and CritL)');
  assert.ok(existsSync(join(out, 'tasks-store.shard-0-of-2.json')));
  const merged = await runFig5(cfg, { out, data, log: quiet, shard: { index: 1, count: 2 } });
  assert.is(merged.runs, 3, 'the second shard\'s report holds all three runs');
  const key = (r: TaskRecord) => r.key;
  const sorted = (rows: TaskRecord[]) => withoutTimes([...rows].sort((a, b) => key(a).localeCompare(key(b))));
  assert.equal(sorted(read(out, 'tasks.json')), sorted(read(straight, 'tasks.json')));
  const logs: string[] = [];
  await runFig5(cfg, { out, data, log: (m) => logs.push(m) });
  assert.ok(!logs.some((m) => m.includes('running')), 'an unsharded rerun finds every run stored');
  await rejects(runFig5(cfg, { out, data, log: quiet, shard: { index: 2, count: 2 } }), /shard 2 of 2: needs integers 0 <= index < count/);
  await rejects(fig5.run(['--quick', '--shard', '3/2']), (e) => e instanceof UsageError && /--shard takes K\/N/.test(e.message));
});

test('CritL with the penalty on part of each batch is a run of its own, added to a stored experiment', async () => {
  const out = mkdtempSync(join(tmpdir(), 'crit-fig5-rows-'));
  const base: Fig5Config = { ...cfg, tasks: 2, rhos: [], bp: false };
  await runFig5(base, { out, data, log: quiet });
  const before = withoutTimes(read(out, 'tasks.json') as TaskRecord[]);
  const logs: string[] = [];
  await runFig5({ ...base, penaltyRows: 2 }, { out, data, log: (m) => logs.push(m) });
  const rows = withoutTimes(read(out, 'tasks-store.json').rows as TaskRecord[]);
  const ran = logs.filter((m) => m.includes('running'));
  assert.ok(ran.length === 1 && ran[0].includes('CritL-a0.5-t0-k2-rep0'), ran.join('\n'));
  assert.equal(rows.filter((r) => r.penalty_rows === null), before, 'the stored CritL run is kept as it was');
  const part = rows.filter((r) => r.penalty_rows === 2);
  assert.is(part.length, 2);
  assert.ok(part.every((r) => r.run === 'CritL-a0.5-t0-k2-rep0' && Number.isFinite(r.L_lambda)));
  assert.ok(part[1].lambda0 !== before[1].lambda0, 'a penalty on 2 of 4 rows trains another network');
  assert.ok(readFileSync(join(out, 'index.html'), 'utf8').includes('CritL λt=0,α=0.5,K=2'), 'its own series in the report');
  assert.equal((read(out, 'tasks.json') as TaskRecord[]).map((r) => r.run), part.map((r) => r.run), 'the report shows the grid asked for');
  await rejects(runFig5({ ...base, penaltyRows: 0 }, { out, data, log: quiet }), /penaltyRows must be an integer >= 1/);
});

test('bad data and settings give errors that name the problem', async () => {
  const out = mkdtempSync(join(tmpdir(), 'crit-fig5-bad-'));
  await rejects(runFig5({ ...cfg, arch: 'cnn:1x8x8:3k3:6-3:scaled-tanh' }, { out, data, log: quiet }), /has 3 outputs; a task has 2 classes/);
  await rejects(runFig5({ ...cfg, arch: 'mlp:32-4-2:relu' }, { out, data, log: quiet }), /takes 32 inputs, the data's images have 64 \(1x8x8\)/);
  await rejects(runFig5({ ...cfg, trainPerClass: 12 }, { out: mkdtempSync(join(tmpdir(), 'crit-fig5-bad-')), data, log: quiet }), /class \d has 14 images, a task takes 12 \+ 4 per class/);
  await rejects(runFig5({ ...cfg, rhos: [0] }, { out, data, log: quiet }), /replacement rate ρ must be in \(0, 1\]/);
  await rejects(runFig5(cfg, { out, data: join(out, 'nowhere'), log: quiet }), /is not a folder/);
  const gap = mkdtempSync(join(tmpdir(), 'crit-fig5-gap-'));
  for (const c of [0, 2]) writeFileSync(join(gap, `${c}.npy`), crit.writeNpy({ shape: [PER_CLASS, ...SHAPE], data: new Float32Array(PER_CLASS * 64) }));
  await rejects(runFig5(cfg, { out, data: gap, log: quiet }), /has no 1\.npy \(classes must be numbered 0\.\.1\)/);
  await rejects(fig5.run(['--full']), (e) => e instanceof UsageError && /--data DIR/.test(e.message));
  await rejects(fig5.run(['--quick', '--utility', 'random']), (e) => e instanceof UsageError && /--utility must be/.test(e.message));
});

test.run();
