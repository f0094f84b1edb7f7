// Model-zoo networks against torchvision 0.14 (scripts/make-torchvision-fixture.py): small ResNets (basic and
// grouped bottleneck blocks), a small VisionTransformer, VGG with batch norm and AlexNet (adaptive pooling that
// averages overlapping windows and one that replicates a 1x1 map), built from torchvision's own classes, with
// randomised batch-norm statistics, loaded from the state_dict PyTorch wrote (num_batches_tracked included).
// Checked in eval mode: logits, the cross-entropy's gradient for every parameter, the number of leaf modules m,
// and Λ0 per input by power iteration against the SVD of torch's Jacobian.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as crit from '../../src/index.node.js';
import { measureModel } from '../../src/experiments/measure.js';
import { TORCHVISION_MODELS } from '../../src/experiments/zoo/table.js';
import { relErr } from './rel-err.js';

interface Golden {
  arch: string; modules: number; files: { weights: string; inputs: string }; float_names: string[]; int_names: string[];
  labels: number[]; logits: number[][]; ce: number; ce_grads: string; Lambda0: number[];
}
const dir = 'test/fixtures/torch';
const NETS = ['resnet-basic', 'resnet-bottleneck', 'vit', 'vgg-bn', 'alexnet', 'regnet-y', 'regnet-x', 'mobilenet-v2', 'efficientnet', 'squeezenet', 'mnasnet', 'mobilenet-v3', 'shufflenet', 'densenet', 'convnext', 'swin', 'swin-v2', 'googlenet', 'inception-v3', 'maxvit'];


test.before(async () => { await crit.init(); });

for (const name of NETS) {
  test(`${name}: module count, logits, cross-entropy gradients and Λ0 match torchvision`, async () => {
    const g = JSON.parse(readFileSync(`${dir}/tv-${name}.json`, 'utf8')) as Golden;
    const model = crit.buildNetwork(g.arch);
    assert.is(model.arch, g.arch, 'the spec prints back as given');
    assert.is(model.depth, g.modules, 'm = torchvision\'s number of leaf modules');
    const file = crit.readSafetensorsFile(`${dir}/${g.files.weights}`);
    const { params: host, unused } = crit.matchParams(model, file.tensors);
    assert.equal(unused, g.int_names, 'only num_batches_tracked is left over');
    assert.equal([...model.paramNames].sort(), [...g.float_names].sort(), 'the state_dict\'s float tensors, by name');
    const params = crit.uploadAll(host);
    const xs = crit.readInputsFile(`${dir}/${g.files.inputs}`, model.inputSize);
    const x = crit.Tensor.from(xs.data, xs.shape);

    const eL = relErr(await model.forward(params, x).readF32(), g.logits.flat());
    assert.ok(eL < 2e-5, `logits: ${eL.toExponential(2)} of the largest`);

    const want = crit.readSafetensorsFile(`${dir}/${g.ce_grads}`).tensors;
    const names = Object.keys(want);
    const y = crit.intTensor(g.labels);
    const { value, grads } = crit.valueAndGrad((...ps: crit.Tensor[]) => {
      const p = { ...params, ...Object.fromEntries(names.map((n, i) => [n, ps[i]])) };
      return crit.crossEntropy(model.forward(p, x), y);
    }, names.map((n) => params[n]));
    assert.ok(Math.abs(await value.item() - g.ce) < 1e-5, `CE ${await value.item()} vs ${g.ce}`);
    // Per tensor, relative to its largest entry; a tensor whose gradient is tiny because its terms cancel (Swin V2's
    // attention temperatures: 3e-4 of the largest gradient) also gets an absolute allowance of 2e-6 of the largest
    // gradient entry of the whole net (f32 rounding of the cancelling terms; a wrong rule is off by O(1)).
    const largest = Math.max(...names.map((n) => Math.max(...Array.from(want[n].data, Math.abs))));
    let worst = 0;
    for (const [i, n] of names.entries()) {
      const got = await grads[i].readF32(), w = want[n].data;
      const scale = Math.max(...Array.from(w, Math.abs));
      const e = relErr(got, w), abs = e * (scale > 0 ? scale : 1);
      assert.ok(abs <= 2e-4 * scale + 2e-6 * largest, `dCE/d${n}: ${e.toExponential(2)} of its largest entry (${abs.toExponential(2)} absolute, largest gradient ${largest.toExponential(2)})`);
      worst = Math.max(worst, e);
    }

    // Λ0 to 1e-6 in log (the check is 1e-4 relative): fewer steps than 1e-7, each a JVP and a VJP through every block.
    const r = await measureModel(model, params, x, { tol: 1e-6, maxIterations: 3000 });
    assert.ok(r.converged, `power iteration converged (${r.iterations} steps)`);
    let worstL = 0;
    r.inputs.forEach((p, b) => {
      const e = Math.abs(p.Lambda0 / g.Lambda0[b] - 1);
      assert.ok(e < 1e-4, `input ${b}: Λ0 ${p.Lambda0} vs torch ${g.Lambda0[b]}`);
      assert.ok(Math.abs(p.lambda0 - Math.log(g.Lambda0[b]) / g.modules) < 1e-5, 'λ0 = log Λ0 / m');
      worstL = Math.max(worstL, e);
    });
    console.log(`  ${g.arch}: logits ${eL.toExponential(1)}, dCE/dθ ${worst.toExponential(1)}, Λ0 ${worstL.toExponential(1)} (${r.iterations} power steps)`);
  });
}

test('DenseNet checkpoints with the old norm.1 names load as torchvision\'s loader renames them', () => {
  const g = JSON.parse(readFileSync(`${dir}/tv-densenet.json`, 'utf8')) as Golden;
  const model = crit.buildNetwork(g.arch);
  const old = crit.readWeightsFile(`${dir}/tv-densenet.old-names.pth`).tensors;
  assert.ok(Object.keys(old).some((k) => k.includes('denselayer1.norm.1.weight')), 'the file has the old names');
  const { params, source } = crit.matchParams(model, old);
  assert.is(source['features.denseblock1.denselayer1.norm1.weight'], 'features.denseblock1.denselayer1.norm.1.weight');
  const ref = crit.readSafetensorsFile(`${dir}/${g.files.weights}`).tensors;
  for (const n of model.paramNames) assert.equal(Array.from(params[n].data), Array.from(ref[n].data), n);
});

test('every torchvision classifier crit builds has torchvision\'s parameter count and leaf modules', () => {
  // The table (src/experiments/zoo/torchvision-models.json) was made by torchvision 0.14.1 itself.
  let built = 0;
  for (const m of TORCHVISION_MODELS) {
    let net: crit.Network;
    try { net = crit.buildNetwork(m.model); } catch { continue; }
    built++;
    const statistics = Object.entries(net.paramShapes).filter(([k]) => /(running_(mean|var)|relative_coords_table)$/.test(k)).reduce((n, [, sh]) => n + sh.reduce((a, b) => a * b, 1), 0);
    assert.is(net.paramCount - statistics, m.params, `${m.model}: parameters`);
    assert.is(net.depth, m.modules, `${m.model}: leaf modules m`);
  }
  assert.ok(built >= 39, `${built} architectures built`);
});

test('bad model-zoo specs name the problem', () => {
  assert.throws(() => crit.buildNetwork('resnet19'), /unknown kind 'resnet19'/);
  assert.throws(() => crit.buildNetwork('resnet18:classes=0'), /classes must be a positive integer/);
  assert.throws(() => crit.buildNetwork('resnet18:layers=1-1'), /fixes block and layers/);
  assert.throws(() => crit.buildNetwork('resnet:block=basic'), /needs block=basic\|bottleneck and layers/);
  assert.throws(() => crit.buildNetwork('resnet18:depth=3'), /option 'depth=3' is not one of/);
  assert.throws(() => crit.buildNetwork('resnet:block=basic:layers=1-1-1-1:groups=2'), /basic blocks support only groups=1/);
  assert.throws(() => crit.buildNetwork('vit_b_16:layers=3'), /vit_b_16 fixes layers/);
  assert.throws(() => crit.buildNetwork('vit:image=32:patch=8'), /a custom ViT needs image=, patch=, layers=, heads=, hidden=, mlp=/);
  assert.throws(() => crit.buildNetwork('vit:image=30:patch=8:layers=1:heads=2:hidden=16:mlp=8'), /image 30 is not a multiple of the patch size 8/);
  assert.throws(() => crit.buildNetwork('vit:image=32:patch=8:layers=1:heads=3:hidden=16:mlp=8'), /hidden 16 is not a multiple of heads 3/);
  assert.throws(() => crit.buildNetwork('vgg16:bn'), /vgg16 fixes cfg and batch norm/);
  assert.throws(() => crit.buildNetwork('vgg:hidden=8'), /custom VGG needs cfg=/);
  assert.throws(() => crit.buildNetwork('vgg:cfg=M-8'), /pooling before the first convolution/);
  assert.throws(() => crit.buildNetwork('alexnet:channels=4-4'), /five convolutions/);
  assert.throws(() => crit.buildNetwork('regnet_y_8gf:se'), /fixes its stem and stages/);
  assert.throws(() => crit.buildNetwork('regnet:stem=8:stages=1x10x4'), /group width 4 does not divide width 10/);
  assert.throws(() => crit.buildNetwork('regnet:stem=8:stages=1x8'), /must be <blocks>x<width>x<group width>/);
  const m = crit.buildNetwork('resnet18:input=3x32x32:classes=10:base=4');
  assert.throws(() => m.forward({}, crit.zeros([2, 3, 28, 28])), /input \[2, 3, 28, 28\] does not match/);
});

test.run();
