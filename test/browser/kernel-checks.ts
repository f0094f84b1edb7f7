// The kernel checks that run both in Node (Dawn) and in headless Chromium (the browser bundle), on the same
// seeded inputs: the counter-based RNG gives bit-identical uniforms everywhere, so any difference in the
// results comes from the kernels and the adapters. The crit module is passed in, so the in-page code runs
// the real dist/browser bundle rather than a second copy of the sources.
import type * as Crit from '../../src/api.js';

export interface CheckResult { name: string; shape: number[]; data: number[] }

/** Sizes that are not multiples of the kernels' tiles (matmul 32x64 blocks, 64-wide workgroups). */
export async function runKernelChecks(crit: typeof Crit): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const u = (shape: number[], seed: number, lo = -1, hi = 1) => crit.uniform(shape, lo, hi, { seed, stream: 3 });
  const put = async (name: string, t: Crit.Tensor) => { out.push({ name, shape: [...t.shape], data: Array.from(await t.read()) }); };
  await crit.scopeAsync(async () => {
    const a = u([37, 53], 1), b = u([53, 29], 2), bt = u([29, 53], 3), at = u([53, 37], 4);
    await put('uniform[37,53]', a);
    await put('matmul', crit.matmul(a, b));
    await put('matmul transB', crit.matmul(a, bt, { transB: true }));
    await put('matmul transA', crit.matmul(at, b, { transA: true }));
    await put('matmul transA transB', crit.matmul(at, bt, { transA: true, transB: true }));
    await put('matmul batched', crit.matmul(u([3, 17, 19], 5), u([3, 19, 23], 6)));
    await put('matmul broadcast batch', crit.matmul(u([3, 17, 19], 7), u([19, 23], 8)));
    const row = u([53], 9), col = u([37, 1], 10), pos = u([37, 53], 11, 0.1, 2);
    await put('add broadcast row', crit.add(a, row));
    await put('sub broadcast col', crit.sub(a, col));
    await put('mul', crit.mul(a, pos));
    await put('div', crit.div(a, pos));
    await put('exp', crit.exp(a));
    await put('log', crit.log(pos));
    await put('sqrt', crit.sqrt(pos));
    await put('scaled tanh', crit.scaledTanh(crit.scale(a, 3)));
    await put('scaled tanh grad', crit.scaledTanhGrad(crit.scale(a, 3)));
    await put('sigmoid', crit.sigmoid(crit.scale(a, 4)));
    await put('gelu', crit.gelu(crit.scale(a, 3)));
    await put('relu', crit.relu(a));
    await put('sum axis 0', crit.sum(a, 0));
    await put('sum axis 1', crit.sum(a, 1));
    await put('sum long axis (tree)', crit.sum(u([5, 1000], 12), 1));
    await put('max axis 1', crit.max(a, 1));
    await put('mean', crit.mean(a));
    await put('l2norm axis 0', crit.l2norm(a, 0));
    await put('softmax', crit.softmax(crit.scale(a, 5)));
    await put('logSoftmax', crit.logSoftmax(crit.scale(a, 5)));
    const labels = crit.intTensor(Array.from({ length: 37 }, (_, i) => (i * 7) % 53));
    await put('crossEntropy none', crit.crossEntropy(crit.scale(a, 5), labels, 'none'));
    await put('crossEntropy mean', crit.crossEntropy(crit.scale(a, 5), labels));
    // A two-layer scaled-tanh MLP with a cross-entropy loss: reverse mode (vjp) and forward mode (jvp).
    const w1 = u([53, 31], 13, -0.3, 0.3), w2 = u([31, 11], 14, -0.3, 0.3);
    const lab = crit.intTensor(Array.from({ length: 37 }, (_, i) => i % 11));
    const mlp = (x: Crit.Tensor, p: Crit.Tensor, q: Crit.Tensor) => crit.matmul(crit.scaledTanh(crit.matmul(x, p)), q);
    const { value, grads } = crit.valueAndGrad((p, q) => crit.crossEntropy(mlp(a, p, q), lab), [w1, w2]);
    await put('vjp loss', value);
    await put('vjp dL/dW1', grads[0]);
    await put('vjp dL/dW2', grads[1]);
    const { output, tangent } = crit.jvp((x) => mlp(x, w1, w2), [a], [u([37, 53], 15)]);
    await put('jvp output', output);
    await put('jvp tangent', tangent);
    // Convolution, pooling and the model zoo (seeded init): logits and a cross-entropy gradient.
    const img = u([2, 3, 16, 16], 17);
    await put('conv2d stride 2 padding 1', crit.conv2d(img, u([5, 3, 3, 3], 18), u([5], 19), { stride: 2, padding: 1 }));
    await put('maxPool2d 3/2/1', crit.maxPool2d(img, { kernel: 3, stride: 2, padding: 1 }));
    await put('avgPool2d 2', crit.avgPool2d(img, { kernel: 2 }));
    for (const arch of ['cnn:3x16x16:4k3-6k3:8-4:relu', 'resnet:block=basic:layers=1-1:input=3x16x16:classes=4:base=4', 'vit:image=16:patch=4:layers=1:heads=2:hidden=8:mlp=12:classes=4']) {
      const net = crit.buildNetwork(arch);
      const p = net.init({ seed: 7 });
      const y = crit.intTensor([1, 3]);
      const first = net.paramNames[0];
      const r = crit.valueAndGrad((w) => crit.crossEntropy(net.forward({ ...p, [first]: w }, img), y), [p[first]]);
      await put(`${arch}: logits`, net.forward(p, img));
      await put(`${arch}: dCE/d${first}`, r.grads[0]);
    }
  });
  // Two epochs of criticality-loss training through the real loop (seeded init and shuffling, exact singular
  // vectors from the Gram matrix, reverse over forward, Adam): the whole Fig. 4 training step, both places.
  const model = crit.buildModel('mlp:16-12-8-10:scaled-tanh');
  const params = model.init({ scheme: 'torch', seed: 5 });
  const xs = await crit.uniform([24, 16], -1, 1, { seed: 16, stream: 3 }).readF32();
  const data = new crit.Dataset(xs, Int32Array.from({ length: 24 }, (_, i) => (i * 3) % 10), [16], 10, 'checks');
  const optimizer = new crit.Adam(params, { lr: 1e-2 });
  const losses: number[] = [];
  await crit.trainModel({
    model, params, optimizer, data, epochs: 2, batchSize: 8, seed: 3,
    loss: crit.criticalityLoss(model, { alpha: 10, lambdaTarget: 0, vectors: 'exact' }),
    onEpoch: (m) => { losses.push(m.trainLoss, m.extra.L_lambda, m.extra.lambda0); },
  });
  out.push({ name: 'CritL training: epoch losses, L_λ, λ0', shape: [losses.length], data: losses });
  for (const n of model.paramNames) await put(`CritL training: ${n}`, params[n]);
  optimizer.dispose();
  crit.disposeParams(params);
  // Continual backpropagation through the loop (SGD with momentum, units replaced from step 3 on): the same units
  // replaced at the same steps, and the same weights after.
  const cnn = crit.buildNetwork('cnn:1x8x8:3k3:6-4-2:relu') as Crit.CNN;
  const cp = cnn.init({ scheme: 'torch', seed: 6 });
  const cxs = await crit.uniform([24, 64], -1, 1, { seed: 17, stream: 3 }).readF32();
  const cdata = new crit.Dataset(cxs, Int32Array.from({ length: 24 }, (_, i) => i % 2), [1, 8, 8], 2, 'cbp checks');
  const sgd = new crit.SGD(cp, { lr: 0.05, momentum: 0.9 });
  const events: number[] = [];
  const cbp = new crit.ContinualBackprop(crit.unitLayers(cnn), cp, sgd, { replacementRate: 0.2, maturity: 2, utility: 'adaptable_contribution', seed: 8, onReplace: (l, us) => events.push(l, ...us) });
  await crit.trainModel({ model: cnn, params: cp, optimizer: sgd, data: cdata, epochs: 3, batchSize: 8, seed: 4, loss: crit.crossEntropyLoss(cnn, { hidden: true }), afterStep: cbp });
  out.push({ name: 'CBP training: replaced units (layer, units...)', shape: [events.length], data: events });
  for (const n of cnn.paramNames) await put(`CBP training: ${n}`, cp[n]);
  cbp.dispose();
  sgd.dispose();
  crit.disposeParams(cp);
  return out;
}

export interface Mismatch { name: string; index: number; node: number; browser: number; err: number }

/**
 * Compares two runs: |x - y| <= atol + rtol * scale, where scale is the largest |value| of the check in
 * Node (an f32 result carries error relative to its magnitudes, not to each element).
 */
export function compareChecks(node: CheckResult[], browser: CheckResult[], rtol: number, atol: number): { worst: Record<string, number>; mismatches: Mismatch[]; missing: string[] } {
  const worst: Record<string, number> = {};
  const mismatches: Mismatch[] = [];
  const missing: string[] = [];
  for (const n of node) {
    const b = browser.find((r) => r.name === n.name);
    if (!b || b.data.length !== n.data.length || b.shape.join() !== n.shape.join()) { missing.push(n.name); continue; }
    const scale = Math.max(1e-30, ...n.data.map(Math.abs));
    let w = 0;
    n.data.forEach((x, i) => {
      const err = Math.abs(x - b.data[i]);
      const rel = err / scale;
      if (!(rel <= w)) w = Number.isNaN(rel) ? Infinity : rel;
      if (!(err <= atol + rtol * scale)) mismatches.push({ name: n.name, index: i, node: x, browser: b.data[i], err });
    });
    worst[n.name] = w;
  }
  return { worst, mismatches, missing };
}
