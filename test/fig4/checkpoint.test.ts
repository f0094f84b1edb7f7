// Checkpoints of runs in progress: the optimizers' state round-trips, and a Fig. 4 run killed after epoch 2
// resumes from its checkpoint to the very same numbers as a run that was never interrupted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as crit from '../../src/index.node.js';
import { rejects } from '../rejects.js';
import { runFig4, presets, type Fig4Config } from '../../src/experiments/fig4/index.js';
import type { EpochRecord } from '../../src/experiments/fig4/run.js';
import { readCheckpoint, restoreTraining, writeCheckpoint } from '../../src/experiments/checkpoint.js';

const cfg: Fig4Config = {
  ...presets.quick, preset: 'custom', arch: 'mlp:784-16-10:scaled-tanh', inits: ['init0'], alphas: [10], lambdaTargets: [0],
  reps: 1, epochs: 3, batchSize: 16, optimizer: 'adam', lr: 1e-3, trainSize: 64, testSize: 32, lambdaInputs: 8, vectors: 'power', coldIterations: 4, warmIterations: 1,
};

test('setup', async () => { await crit.init(); });

test('optimizer state round-trips: a restored SGD (momentum) or Adam takes the same next step, bit for bit', async () => {
  for (const make of [(p: crit.Params) => new crit.SGD(p, { lr: 0.1, momentum: 0.9 }), (p: crit.Params) => new crit.Adam(p, { lr: 0.01 })]) {
    const params = { w: crit.tensor([0.5, -1, 2, 0.25], [2, 2]), b: crit.tensor([0.1, -0.2], [2]) };
    const grads = (k: number) => ({ w: crit.tensor([0.3 * k, -0.1, 0.2, 0.05 * k], [2, 2]), b: crit.tensor([-0.4, 0.1 * k], [2]) });
    const a = make(params);
    a.step(grads(1)); a.step(grads(2));
    const dir = mkdtempSync(join(tmpdir(), 'crit-ckpt-'));
    await writeCheckpoint(join(dir, 'c.safetensors'), { params, optimizer: a }, { note: 'x' });
    const ck = readCheckpoint<{ note: string }>(join(dir, 'c.safetensors'))!;
    assert.is(ck.steps, 2);
    assert.equal(ck.meta, { note: 'x' });
    const copy = { w: crit.zeros([2, 2]), b: crit.zeros([2]) };
    const b = make(copy);
    restoreTraining(ck, { params: copy, optimizer: b });
    assert.is(b.steps, 2);
    a.step(grads(3)); b.step(grads(3));
    for (const n of ['w', 'b'] as const) assert.equal(Array.from(await copy[n].readF32()), Array.from(await params[n].readF32()), `${a.constructor.name} ${n}`);
    // Errors name what does not fit.
    assert.throws(() => b.restoreState({}, 1), /saved state lacks w\./);
    assert.throws(() => restoreTraining({ ...ck, params: { w: ck.params.w } }, { params: copy, optimizer: b }), /parameters \(w\) are not the model's \(w, b\)/);
    assert.throws(() => b.restoreState({ ...ck.optimizer, 'w.nope': ck.optimizer[Object.keys(ck.optimizer)[0]] }, 1), /saved state has w\.nope/);
    a.dispose(); b.dispose();
  }
});

const strip = (rs: EpochRecord[]) => rs.map(({ seconds: _s, ...r }) => r);

test('a run killed after epoch 2 resumes from its checkpoint to the numbers of an uninterrupted run', async () => {
  const quiet = () => {};
  const straight = mkdtempSync(join(tmpdir(), 'crit-fig4-straight-'));
  await runFig4(cfg, { out: straight, log: quiet, checkpointEverySeconds: 0 });
  const ref = readFileSync(join(straight, 'epochs.json'), 'utf8');
  const out = mkdtempSync(join(tmpdir(), 'crit-fig4-killed-'));
  const ckpt = join(out, 'checkpoints', 'init0-CritL-a10-t0-rep0.safetensors');
  // "Kill" the CritL run right after its epoch-2 checkpoint (the progress line of epoch 2 comes after the save).
  await rejects(runFig4(cfg, { out, checkpointEverySeconds: 0, log: (m) => { if (/CritL.* epoch 2:/.test(m)) throw new Error('killed'); } }), /killed/);
  assert.ok(existsSync(ckpt), 'the checkpoint is there after the kill');
  assert.is(readCheckpoint<{ epoch: number }>(ckpt)!.meta.epoch, 2);
  const logs: string[] = [];
  await runFig4(cfg, { out, checkpointEverySeconds: 0, log: (m) => logs.push(m) });
  assert.ok(logs.some((m) => /resumed from its checkpoint after epoch 2/.test(m)), logs.join('\n'));
  assert.ok(!logs.some((m) => /CEL-rep0: running/.test(m)), 'the stored CEL run is not run again');
  assert.not.ok(existsSync(ckpt), 'the checkpoint is removed once the run is stored');
  const got = JSON.parse(readFileSync(join(out, 'epochs.json'), 'utf8')) as EpochRecord[];
  assert.equal(strip(got), strip(JSON.parse(ref)), 'every per-epoch number equals the uninterrupted run');
});

test('a file that is not a checkpoint is an error that names it; checkpoints of other runs are ignored', async () => {
  const out = mkdtempSync(join(tmpdir(), 'crit-fig4-badckpt-'));
  mkdirSync(join(out, 'checkpoints'));
  const bad = join(out, 'checkpoints', 'init0-CEL-rep0.safetensors');
  writeFileSync(bad, crit.writeSafetensors({ x: { shape: [1], data: new Float32Array([1]) } }, { format: 'pt' }));
  await rejects(runFig4(cfg, { out, log: () => {} }), (e: Error) => e.message.includes(bad) && /not a crit training checkpoint/.test(e.message));
  // A checkpoint written for another run (a renamed file) is not resumed: the run starts over and says so.
  const params = { W1: crit.zeros([16, 784]) };
  const sgd = new crit.SGD(params, { lr: 0.1 });
  await writeCheckpoint(bad, { params, optimizer: sgd }, { run: 'init3-CEL-rep0', settings: {}, epoch: 1, epochs: [], seconds: 1 });
  sgd.dispose();
  const logs: string[] = [];
  await runFig4(cfg, { out, log: (m) => logs.push(m) });
  assert.ok(logs.some((m) => m.includes('ignoring') && m.includes('written for run init3-CEL-rep0')), logs.join('\n'));
  assert.not.ok(existsSync(bad));
});

test.run();
