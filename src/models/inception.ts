// torchvision's GoogLeNet and Inception v3 in eval mode, from their state_dicts (conv1.conv.weight,
// inception3a.branch2.1.bn.running_var, …; Conv2d_1a_3x3.conv.weight, Mixed_5b.branch5x5_2.bn.bias, …):
// BasicConv2d units (bias-free convolution, batch norm with eps 1e-3, ReLU) in parallel branches whose outputs
// are concatenated. Both pretrained weights expect transform_input (ImageNet-normalised images re-scaled to
// [-1, 1]-style statistics inside the model), on by default here as in torchvision's builders. GoogLeNet is the
// model torchvision builds for its weights (no auxiliary classifiers; the file's aux1/aux2 tensors are left
// unused); Inception v3 keeps its AuxLogits module (inactive in eval mode), so its tensors are parameters here too.
//
// Specs: googlenet, inception_v3, with :transform_input=0|1, :input=3xHxW (default 224, Inception v3 299),
// :classes=1000 and, for small test nets, :divide=N (every channel count divided by N).
import type { Tensor } from '../tensor/tensor.js';
import { concat, slice } from '../ops/layout.js';
import { add, relu, scale } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { maxPool2d, avgPool2d } from '../ops/conv.js';
import { CritError } from '../util/errors.js';
import type { Params } from '../nn/mlp.js';
import { ImageClassifier, formatSpec, archOptions, positiveInt, imageShape, type Layer, type ParamBuilder } from './layers.js';

export interface InceptionSpec { kind: 'googlenet' | 'inception_v3'; name: string; transformInput: boolean; divide: number; classes: number; input: [number, number, number] }

export function isInceptionArch(spec: string): boolean { const n = spec.trim().split(':')[0]; return n === 'googlenet' || n === 'inception_v3'; }

export function parseInceptionArch(spec: string): InceptionSpec {
  const [name, ...rest] = spec.trim().split(':');
  if (name !== 'googlenet' && name !== 'inception_v3') throw new CritError(`architecture '${spec}': not GoogLeNet or Inception v3`);
  const o = archOptions(spec, rest, { transform_input: '1', divide: '1', input: name === 'googlenet' ? '3x224x224' : '3x299x299', classes: '1000' });
  if (o.transform_input !== undefined && o.transform_input !== '0' && o.transform_input !== '1') throw new CritError(`architecture '${spec}': transform_input must be 0 or 1`);
  const divide = o.divide ? positiveInt(spec, 'divide', o.divide) : 1;
  if (![8, 4, 2, 1].includes(divide)) throw new CritError(`architecture '${spec}': divide must be 1, 2, 4 or 8 (every channel count is a multiple of 8)`);
  return {
    kind: name, name, transformInput: o.transform_input !== '0', divide, classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000,
    input: o.input ? imageShape(spec, o.input) : name === 'googlenet' ? [3, 224, 224] : [3, 299, 299],
  };
}

export function formatInceptionArch(s: InceptionSpec): string {
  const parts = [s.name];
  if (!s.transformInput) parts.push('transform_input=0');
  if (s.divide !== 1) parts.push(`divide=${s.divide}`);
  return formatSpec(parts.join(':'), s, s.kind === 'googlenet' ? '3x224x224' : '3x299x299');
}

/** torchvision's _transform_input: channel c becomes x · (std_c / 0.5) + (mean_c − 0.5) / 0.5. */
function transformInput(x: Tensor): Tensor {
  const [B, , H, W] = x.shape;
  const stats: [number, number][] = [[0.485, 0.229], [0.456, 0.224], [0.406, 0.225]];
  return concat(stats.map(([m, sd], c) => add(scale(slice(x, [0, c, 0, 0], [B, c + 1, H, W]), sd / 0.5), (m - 0.5) / 0.5)), 1);
}

/** BasicConv2d: <name>.conv (no bias), <name>.bn (eps 1e-3), then ReLU. */
function basic(b: ParamBuilder, name: string, cin: number, cout: number, k: number | [number, number], o: { stride?: number; padding?: number | [number, number] } = {}): Layer {
  const conv = b.conv(`${name}.conv`, cin, cout, k, o), bn = b.batchNorm(`${name}.bn`, cout, 1e-3);
  return (p, x) => relu(bn(p, conv(p, x)));
}

const branches = (...fs: Layer[]): Layer => (p, x) => concat(fs.map((f) => f(p, x)), 1);
const chain = (...fs: Layer[]): Layer => (p, x) => fs.reduce((h, f) => f(p, h), x);
const pooled = (pool: (x: Tensor) => Tensor, f: Layer | null): Layer => (f ? (p, x) => f(p, pool(x)) : (_p, x) => pool(x));

export class InceptionNet extends ImageClassifier<InceptionSpec> {
  readonly kind: 'googlenet' | 'inception_v3';

  constructor(spec: InceptionSpec | string) {
    const s = typeof spec === 'string' ? parseInceptionArch(spec) : spec;
    super(s, formatInceptionArch(s), s.input);
    this.kind = s.kind;
    const inputOf: Layer = s.transformInput ? (_p, x) => transformInput(x) : (_p, x) => x;
    if (s.kind === 'googlenet') this.googlenet(s, inputOf); else this.inceptionV3(s, inputOf);
  }

  private googlenet(s: InceptionSpec, inputOf: Layer): void {
    const b = this.b, d = (c: number) => c / s.divide;
    const pool = (k: number, stride: number) => (x: Tensor) => maxPool2d(x, { kernel: k, stride, ceilMode: true });
    const stem = chain(inputOf, basic(b, 'conv1', s.input[0], d(64), 7, { stride: 2, padding: 3 }), pooled(pool(3, 2), null),
      basic(b, 'conv2', d(64), d(64), 1), basic(b, 'conv3', d(64), d(192), 3, { padding: 1 }), pooled(pool(3, 2), null));
    this.blocks.push(stem);
    // Leaf modules: conv1-3 (conv, bn) 6, four max pools, per Inception block 13, avgpool, dropout, fc.
    let modules = 6 + 4 + 3;
    const inception = (name: string, cin: number, c1: number, c3r: number, c3: number, c5r: number, c5: number, pp: number): Layer => {
      modules += 13;
      return branches(
        basic(b, `${name}.branch1`, cin, d(c1), 1),
        chain(basic(b, `${name}.branch2.0`, cin, d(c3r), 1), basic(b, `${name}.branch2.1`, d(c3r), d(c3), 3, { padding: 1 })),
        chain(basic(b, `${name}.branch3.0`, cin, d(c5r), 1), basic(b, `${name}.branch3.1`, d(c5r), d(c5), 3, { padding: 1 })),
        pooled((x) => maxPool2d(x, { kernel: 3, stride: 1, padding: 1, ceilMode: true }), basic(b, `${name}.branch4.1`, cin, d(pp), 1)),
      );
    };
    const cfg: [string, number, number, number, number, number, number, number][] = [
      ['inception3a', 192, 64, 96, 128, 16, 32, 32], ['inception3b', 256, 128, 128, 192, 32, 96, 64],
      ['inception4a', 480, 192, 96, 208, 16, 48, 64], ['inception4b', 512, 160, 112, 224, 24, 64, 64],
      ['inception4c', 512, 128, 128, 256, 24, 64, 64], ['inception4d', 512, 112, 144, 288, 32, 64, 64],
      ['inception4e', 528, 256, 160, 320, 32, 128, 128], ['inception5a', 832, 256, 160, 320, 32, 128, 128],
      ['inception5b', 832, 384, 192, 384, 48, 128, 128],
    ];
    for (const [name, cin, ...rest] of cfg) {
      const blk = inception(name, d(cin), ...(rest as [number, number, number, number, number, number]));
      // maxpool3 after 3b, maxpool4 after 4e (2x2).
      this.blocks.push(name === 'inception3b' ? chain(blk, pooled(pool(3, 2), null)) : name === 'inception4e' ? chain(blk, pooled(pool(2, 2), null)) : blk);
    }
    const fc = b.linear('fc', d(1024), s.classes);
    this.blocks.push((p, x) => fc(p, mean(x, [2, 3])));
    this.modules = modules;
  }

  private inceptionV3(s: InceptionSpec, inputOf: Layer): void {
    const b = this.b, d = (c: number) => c / s.divide;
    const mp = (x: Tensor) => maxPool2d(x, { kernel: 3, stride: 2 });
    const ap = (x: Tensor) => avgPool2d(x, { kernel: 3, stride: 1, padding: 1 });
    this.blocks.push(chain(inputOf, basic(b, 'Conv2d_1a_3x3', s.input[0], d(32), 3, { stride: 2 }), basic(b, 'Conv2d_2a_3x3', d(32), d(32), 3),
      basic(b, 'Conv2d_2b_3x3', d(32), d(64), 3, { padding: 1 }), pooled(mp, null),
      basic(b, 'Conv2d_3b_1x1', d(64), d(80), 1), basic(b, 'Conv2d_4a_3x3', d(80), d(192), 3), pooled(mp, null)));
    // Leaf modules: five stem BasicConv2d (2 each), two max pools; per block 2 per BasicConv2d; AuxLogits 5;
    // avgpool, dropout, fc.
    let units = 5;
    const u = (name: string, cin: number, cout: number, k: number | [number, number], o: { stride?: number; padding?: number | [number, number] } = {}) => { units++; return basic(b, name, cin, cout, k, o); };
    const A = (n: string, cin: number, pf: number) => branches(
      u(`${n}.branch1x1`, cin, d(64), 1),
      chain(u(`${n}.branch5x5_1`, cin, d(48), 1), u(`${n}.branch5x5_2`, d(48), d(64), 5, { padding: 2 })),
      chain(u(`${n}.branch3x3dbl_1`, cin, d(64), 1), u(`${n}.branch3x3dbl_2`, d(64), d(96), 3, { padding: 1 }), u(`${n}.branch3x3dbl_3`, d(96), d(96), 3, { padding: 1 })),
      pooled(ap, u(`${n}.branch_pool`, cin, d(pf), 1)));
    const Bb = (n: string, cin: number) => branches(
      u(`${n}.branch3x3`, cin, d(384), 3, { stride: 2 }),
      chain(u(`${n}.branch3x3dbl_1`, cin, d(64), 1), u(`${n}.branch3x3dbl_2`, d(64), d(96), 3, { padding: 1 }), u(`${n}.branch3x3dbl_3`, d(96), d(96), 3, { stride: 2 })),
      pooled(mp, null));
    const C = (n: string, cin: number, c7: number) => branches(
      u(`${n}.branch1x1`, cin, d(192), 1),
      chain(u(`${n}.branch7x7_1`, cin, d(c7), 1), u(`${n}.branch7x7_2`, d(c7), d(c7), [1, 7], { padding: [0, 3] }), u(`${n}.branch7x7_3`, d(c7), d(192), [7, 1], { padding: [3, 0] })),
      chain(u(`${n}.branch7x7dbl_1`, cin, d(c7), 1), u(`${n}.branch7x7dbl_2`, d(c7), d(c7), [7, 1], { padding: [3, 0] }), u(`${n}.branch7x7dbl_3`, d(c7), d(c7), [1, 7], { padding: [0, 3] }),
        u(`${n}.branch7x7dbl_4`, d(c7), d(c7), [7, 1], { padding: [3, 0] }), u(`${n}.branch7x7dbl_5`, d(c7), d(192), [1, 7], { padding: [0, 3] })),
      pooled(ap, u(`${n}.branch_pool`, cin, d(192), 1)));
    const D = (n: string, cin: number) => branches(
      chain(u(`${n}.branch3x3_1`, cin, d(192), 1), u(`${n}.branch3x3_2`, d(192), d(320), 3, { stride: 2 })),
      chain(u(`${n}.branch7x7x3_1`, cin, d(192), 1), u(`${n}.branch7x7x3_2`, d(192), d(192), [1, 7], { padding: [0, 3] }),
        u(`${n}.branch7x7x3_3`, d(192), d(192), [7, 1], { padding: [3, 0] }), u(`${n}.branch7x7x3_4`, d(192), d(192), 3, { stride: 2 })),
      pooled(mp, null));
    const E = (n: string, cin: number) => {
      const b1 = u(`${n}.branch1x1`, cin, d(320), 1);
      const b3 = u(`${n}.branch3x3_1`, cin, d(384), 1), b3a = u(`${n}.branch3x3_2a`, d(384), d(384), [1, 3], { padding: [0, 1] }), b3b = u(`${n}.branch3x3_2b`, d(384), d(384), [3, 1], { padding: [1, 0] });
      const d1 = u(`${n}.branch3x3dbl_1`, cin, d(448), 1), d2 = u(`${n}.branch3x3dbl_2`, d(448), d(384), 3, { padding: 1 });
      const d3a = u(`${n}.branch3x3dbl_3a`, d(384), d(384), [1, 3], { padding: [0, 1] }), d3b = u(`${n}.branch3x3dbl_3b`, d(384), d(384), [3, 1], { padding: [1, 0] });
      const bp = u(`${n}.branch_pool`, cin, d(192), 1);
      return (p: Params, x: Tensor) => {
        const t = b3(p, x), dd = d2(p, d1(p, x));
        return concat([b1(p, x), b3a(p, t), b3b(p, t), d3a(p, dd), d3b(p, dd), bp(p, ap(x))], 1);
      };
    };
    this.blocks.push(A('Mixed_5b', d(192), 32), A('Mixed_5c', d(256), 64), A('Mixed_5d', d(288), 64), Bb('Mixed_6a', d(288)),
      C('Mixed_6b', d(768), 128), C('Mixed_6c', d(768), 160), C('Mixed_6d', d(768), 160), C('Mixed_6e', d(768), 192),
      D('Mixed_7a', d(768)), E('Mixed_7b', d(1280)), E('Mixed_7c', d(2048)));
    // AuxLogits (inactive in eval mode): declared so that its tensors load and count as torchvision counts them.
    basic(b, 'AuxLogits.conv0', d(768), d(128), 1);
    basic(b, 'AuxLogits.conv1', d(128), d(768), 5);
    b.linear('AuxLogits.fc', d(768), s.classes);
    const fc = b.linear('fc', d(2048), s.classes);
    this.blocks.push((p, x) => fc(p, mean(x, [2, 3])));
    this.modules = 2 * units + 2 + 5 + 3;
  }
}
