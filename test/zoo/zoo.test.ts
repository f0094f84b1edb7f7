// `crit zoo` on a manifest of the small torchvision-built nets of test/fixtures/torch (the same images PyTorch
// measured): Λ0 per image as torch's Jacobian SVD, a model under two "recipes", resuming, the report, and errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as crit from '../../src/index.node.js';
import { runZoo } from '../../src/experiments/zoo/run.js';
import { manifestEntries, torchvisionEntries, archForSide } from '../../src/experiments/zoo/entries.js';
import { writeZooReport } from '../../src/experiments/zoo/report.js';
import { TORCHVISION_MODELS } from '../../src/experiments/zoo/table.js';

const fx = resolve('test/fixtures/torch');
const golden = (name: string) => JSON.parse(readFileSync(`${fx}/tv-${name}.json`, 'utf8')) as { arch: string; Lambda0: number[]; modules: number };
const tmp = mkdtempSync(join(tmpdir(), 'crit-zoo-'));
const manifest = join(tmp, 'models.csv');
writeFileSync(manifest, [
  'name,model,arch,weights,accuracy,family,year,recipe',
  `tiny-resnet.V1,tiny-resnet,${golden('resnet-basic').arch},${fx}/tv-resnet-basic.safetensors,60,ResNet,2015,V1`,
  `tiny-resnet.V2,tiny-resnet,${golden('resnet-basic').arch},${fx}/tv-resnet-basic.zip.pth,62.5,ResNet,2015,V2`,
  `tiny-resnext,tiny-resnext,${golden('resnet-bottleneck').arch},${fx}/tv-resnet-bottleneck.safetensors,64,ResNeXt,2016,V1`,
  `tiny-vit,tiny-vit,${golden('vit').arch},${fx}/tv-vit.safetensors,70,ViT,2020,V1`,
  `tiny-vgg,tiny-vgg,${golden('vgg-bn').arch},${fx}/tv-vgg-bn.safetensors,55,VGG,2014,V1`,
].join('\n'));
const inputs = `${fx}/tv-images-32.npy`;
const expect: Record<string, string> = { 'tiny-resnet.V1': 'resnet-basic', 'tiny-resnet.V2': 'resnet-basic', 'tiny-resnext': 'resnet-bottleneck', 'tiny-vit': 'vit', 'tiny-vgg': 'vgg-bn' };

test.before(async () => { await crit.init(); });
test.after(() => rmSync(tmp, { recursive: true, force: true }));

test('measures every model of a manifest as PyTorch does, resumes, and reports Figs. 2-3', async () => {
  const entries = manifestEntries(manifest);
  const out = join(tmp, 'out');
  const logs: string[] = [];
  const opts = { entries, inputs, out, tol: 1e-7, maxIterations: 500, log: (s: string) => logs.push(s) };
  const r = await runZoo(opts);
  assert.is(r.failures.length, 0, JSON.stringify(r.failures));
  assert.is(r.rows.length, 5);
  for (const row of r.rows) {
    const g = golden(expect[row.key]);
    assert.is(row.modules, g.modules, `${row.key}: m`);
    const want = Math.exp(g.Lambda0.reduce((s, v) => s + Math.log(v), 0) / g.Lambda0.length);
    assert.ok(Math.abs(row.Lambda0 / want - 1) < 1e-4, `${row.key}: Λ0 ${row.Lambda0} vs torch ${want} (geometric mean over the 3 images)`);
    row.logLambda0.forEach((l, i) => assert.ok(Math.abs(Math.exp(l) / g.Lambda0[i] - 1) < 1e-4, `${row.key} image ${i}`));
  }
  // The same weights read from safetensors and from torch.save give the same numbers bit for bit.
  const [v1, v2] = ['tiny-resnet.V1', 'tiny-resnet.V2'].map((k) => r.rows.find((x) => x.key === k)!);
  assert.equal(v2.logLambda0, v1.logLambda0);

  // Resume: nothing is measured again.
  logs.length = 0;
  const again = await runZoo(opts);
  assert.ok(logs[0].includes('5 already in'), logs[0]);
  assert.is(logs.length, 1, 'no model measured twice');
  assert.equal(again.rows.map((x) => x.lambda0).sort(), r.rows.map((x) => x.lambda0).sort());
  // Other settings in the same folder are refused, not mixed.
  let refused = '';
  try { await runZoo({ ...opts, tol: 1e-3 }); } catch (e) { refused = (e as Error).message; }
  assert.match(refused, /other settings \(tol: stored 1e-7, now 0.001\)/);

  const a = await writeZooReport(out, r.rows, { inputs: r.inputs, inputsPath: inputs, failures: [], adapter: 'test' });
  const pair = a.recipes.pairs[0];
  assert.is(a.recipes.pairs.length, 1);
  assert.equal([pair.model, pair.from, pair.to, pair.dAccuracy, pair.dSigma, pair.dLambda0], ['tiny-resnet', 'V1', 'V2', 2.5, 0, 0]);
  const acc = a.correlations.find((c) => c.x === 'year' && c.y === 'accuracy')!;
  assert.is(acc.n, 5);
  assert.ok(Math.abs(acc.rho - crit.stats.spearman([2015, 2015, 2016, 2020, 2014], [60, 62.5, 64, 70, 55]).statistic) < 1e-12);
  assert.match(a.models.note ?? '', /at least 8 models/);
  const csv = readFileSync(join(out, 'zoo.csv'), 'utf8').trim().split('\n');
  assert.is(csv.length, 6);
  assert.ok(existsSync(join(out, 'index.html')) && readFileSync(join(out, 'index.html'), 'utf8').includes('Spearman correlations'));
});

test('a model the images do not fit is skipped with the reason; bad manifests are named', async () => {
  const bad = join(tmp, 'bad.json');
  writeFileSync(bad, JSON.stringify([{ name: 'alexnet-64', arch: golden('alexnet').arch, weights: `${fx}/tv-alexnet.safetensors`, accuracy: 50, family: 'AlexNet' }]));
  const r = await runZoo({ entries: manifestEntries(bad), inputs, out: join(tmp, 'out-bad') });
  assert.is(r.rows.length, 0);
  assert.match(r.failures[0].error, /takes 12288 values per input, the images have 3x32x32/);
  writeFileSync(join(tmp, 'nocol.csv'), 'name,arch\nx,resnet18\n');
  assert.throws(() => manifestEntries(join(tmp, 'nocol.csv')), /CSV without column\(s\) weights/);
  writeFileSync(join(tmp, 'dup.json'), JSON.stringify([{ name: 'a', arch: 'resnet18', weights: 'w' }, { name: 'a', arch: 'resnet18', weights: 'w' }]));
  assert.throws(() => manifestEntries(join(tmp, 'dup.json')), /name 'a' appears twice/);
  writeFileSync(join(tmp, 'acc.json'), JSON.stringify([{ name: 'a', arch: 'resnet18', weights: 'w', accuracy: 'high' }]));
  assert.throws(() => manifestEntries(join(tmp, 'acc.json')), /'accuracy' is 'high', not a number/);
});

test('torchvision checkpoints are found by torch.hub file name; the table holds torchvision 0.14\'s 80 classifiers', () => {
  assert.is(TORCHVISION_MODELS.length, 80);
  const r18 = TORCHVISION_MODELS.find((m) => m.model === 'resnet18')!;
  assert.equal([r18.params, r18.modules, r18.weights[0].file, r18.weights[0].acc1], [11689512, 52, 'resnet18-f37072fd.pth', 69.758]);
  const dir = join(tmp, 'hub');
  rmSync(dir, { recursive: true, force: true });
  crit.writeFileAtomic(join(dir, 'resnet50-11ad3fa6.pth'), 'x');
  crit.writeFileAtomic(join(dir, 'vit_b_16.IMAGENET1K_V1.safetensors'), 'x');
  crit.writeFileAtomic(join(dir, 'notes.txt'), 'x');
  const found = torchvisionEntries(dir);
  assert.equal(found.map((e) => `${e.key} ${e.accuracy}`), ['resnet50.IMAGENET1K_V2 80.858', 'vit_b_16.IMAGENET1K_V1 81.072']);
  assert.throws(() => torchvisionEntries(dir, ['resnet19']), /'resnet19' is not a torchvision classifier/);
  // Each family's own default size must not leak into another image size.
  const swin = { ...found[0], key: 'swin_v2_t.IMAGENET1K_V1', model: 'swin_v2_t', arch: 'swin_v2_t', family: 'Swin Transformer V2' };
  assert.is(crit.buildNetwork(archForSide(swin, 224)).inputSize, 3 * 224 * 224);
  assert.is(crit.buildNetwork(archForSide(swin, 256)).arch, 'swin_v2_t');
  assert.is(crit.buildNetwork(archForSide({ ...found[1] }, 224)).arch, 'vit_b_16');
});

test.run();
