// PyTorch checkpoints read without Python (scripts/make-torchvision-fixture.py wrote them with torch.save):
// a torchvision state_dict in the ZIP format and in the legacy format, a checkpoint dict with views, f16, f64,
// int64, bool and 0-d tensors, and a pickled module, which must be refused by name.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as crit from '../../src/index.node.js';
import { measure } from '../../src/cli/commands/measure.js';

const dir = 'test/fixtures/torch';

test('a torchvision state_dict reads the same from torch.save ZIP, legacy torch.save and safetensors', () => {
  const ref = crit.readSafetensorsFile(`${dir}/tv-resnet-basic.safetensors`);
  for (const fmt of ['zip', 'legacy']) {
    const f = crit.readWeightsFile(`${dir}/tv-resnet-basic.${fmt}.pth`);
    assert.is(f.format, `pytorch-${fmt}`);
    assert.equal(Object.keys(f.tensors).sort(), Object.keys(ref.tensors).sort(), `${fmt}: the same tensor names`);
    for (const [k, t] of Object.entries(ref.tensors)) {
      assert.equal(f.tensors[k].shape, t.shape, `${fmt} ${k}: shape`);
      assert.equal(Array.from(f.tensors[k].data), Array.from(t.data), `${fmt} ${k}: values bit for bit`);
    }
    assert.is(f.dtypes['bn1.num_batches_tracked'], 'I64');
    assert.is(f.dtypes['conv1.weight'], 'F32');
  }
});

test('views, f16, f64, int64, bool and 0-d tensors inside a checkpoint dict', () => {
  const want = JSON.parse(readFileSync(`${dir}/odd.pth.json`, 'utf8')) as Record<string, { shape: number[]; values: number[] }>;
  for (const fmt of ['zip', 'legacy']) {
    const f = crit.readWeightsFile(`${dir}/odd.${fmt}.pth`);
    assert.equal(Object.keys(f.tensors).sort(), Object.keys(want).sort(), `${fmt}: tensors of state_dict, the epoch and note skipped`);
    for (const [k, w] of Object.entries(want)) {
      assert.equal(f.tensors[k].shape, w.shape, `${fmt} ${k}: shape`);
      assert.equal(Array.from(f.tensors[k].data), w.values.map(Math.fround), `${fmt} ${k}: values (strides followed)`);
    }
  }
});

test('a pickled module, a truncated archive and a damaged pickle give errors that say what is wrong', () => {
  assert.throws(() => crit.readWeightsFile(`${dir}/module.pth`), /pickled Python object \(torch\.nn\.modules\.linear\.Linear\), not a state_dict: save model\.state_dict\(\)/);
  const tmp = mkdtempSync(join(tmpdir(), 'crit-pth-'));
  try {
    const zip = readFileSync(`${dir}/tv-resnet-basic.zip.pth`);
    writeFileSync(join(tmp, 'cut.pth'), zip.subarray(0, zip.length >> 1));
    assert.throws(() => crit.readWeightsFile(join(tmp, 'cut.pth')), /no ZIP end-of-central-directory record: truncated/);
    const legacy = readFileSync(`${dir}/tv-resnet-basic.legacy.pth`);
    writeFileSync(join(tmp, 'cut-legacy.pth'), legacy.subarray(0, legacy.length - 1000));
    assert.throws(() => crit.readWeightsFile(join(tmp, 'cut-legacy.pth')), /runs past the end: truncated file|is missing: truncated file/);
    const bad = Buffer.from(legacy);
    bad[40] = 0xfe; // an opcode no pickle has
    writeFileSync(join(tmp, 'bad.pth'), bad.subarray(0, 200));
    assert.throws(() => crit.readWeightsFile(join(tmp, 'bad.pth')), /bad\.pth: (pickle opcode 0xfe|pickle data ends early|corrupt pickle)/);
  } finally { rmSync(tmp, { recursive: true, force: true }); }
});

test('crit measure takes a torchvision .pth directly (legacy format) and gives torch\'s Λ0', async () => {
  const g = JSON.parse(readFileSync(`${dir}/tv-resnet-basic.json`, 'utf8')) as { arch: string; modules: number; Lambda0: number[]; files: { inputs: string } };
  await crit.init();
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  let code: number;
  try {
    code = await measure.run(['--arch', g.arch, '--weights', `${dir}/tv-resnet-basic.legacy.pth`, '--inputs', `${dir}/${g.files.inputs}`, '--json']);
  } finally { console.log = log; }
  assert.is(code, 0);
  const r = JSON.parse(lines.join('\n'));
  assert.equal(r.unused_tensors, Object.keys(crit.readWeightsFile(`${dir}/tv-resnet-basic.zip.pth`).tensors).filter((k) => k.endsWith('num_batches_tracked')));
  r.inputs.forEach((p: { Lambda0: number; lambda0: number }, b: number) => {
    assert.ok(Math.abs(p.Lambda0 / g.Lambda0[b] - 1) < 1e-4, `Λ0 ${p.Lambda0} vs torch ${g.Lambda0[b]}`);
    assert.ok(Math.abs(p.lambda0 - Math.log(g.Lambda0[b]) / g.modules) < 1e-5);
  });
});

test.run();
