// torchvision's plain convolutional stacks, VGG (vgg11 … vgg19, with or without batch norm) and AlexNet, as pure
// functions of their state_dicts (features.<i>.weight, classifier.<i>.bias, …) in inference mode (dropout off):
// a feature extractor of convolutions, ReLUs and max pooling, adaptive average pooling, a three-layer classifier.
//
// Specs: vgg11, vgg11_bn, …, vgg19_bn, alexnet; custom ones vgg:cfg=64-M-128-M:hidden=4096[:bn] and
// alexnet:channels=64-192-384-256-256:hidden=4096; all take :input=3x224x224 and :classes=1000.
import type { Tensor } from '../tensor/tensor.js';
import { reshape } from '../ops/layout.js';
import { relu } from '../ops/elementwise.js';
import { maxPool2d, adaptiveAvgPool2d } from '../ops/conv.js';
import { CritError } from '../util/errors.js';
import { ImageClassifier, formatSpec, archOptions, positiveInt, imageShape, type Layer } from './layers.js';

export interface PlainSpec {
  kind: 'vgg' | 'alexnet';
  /** The torchvision name, or 'vgg' / 'alexnet' for a custom one. */
  name: string;
  /** VGG: conv widths and 'M' (2x2 max pool); AlexNet: its five conv widths. */
  cfg: (number | 'M')[];
  batchNorm: boolean;
  hidden: number;
  classes: number;
  input: [number, number, number];
}

const A = [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'];
const B = [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'];
const D = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];
const E = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'];
export const VGGS: Record<string, { cfg: (number | 'M')[]; batchNorm: boolean }> = {
  vgg11: { cfg: A as (number | 'M')[], batchNorm: false }, vgg11_bn: { cfg: A as (number | 'M')[], batchNorm: true },
  vgg13: { cfg: B as (number | 'M')[], batchNorm: false }, vgg13_bn: { cfg: B as (number | 'M')[], batchNorm: true },
  vgg16: { cfg: D as (number | 'M')[], batchNorm: false }, vgg16_bn: { cfg: D as (number | 'M')[], batchNorm: true },
  vgg19: { cfg: E as (number | 'M')[], batchNorm: false }, vgg19_bn: { cfg: E as (number | 'M')[], batchNorm: true },
};
const ALEXNET = [64, 192, 384, 256, 256];
const OPTIONS = { input: '3x224x224', classes: '1000', hidden: '4096', cfg: '64-M-128-M', channels: '64-192-384-256-256', bn: '' };

export function isPlainArch(spec: string): boolean {
  const name = spec.trim().split(':')[0];
  return name === 'vgg' || name === 'alexnet' || name in VGGS;
}

export function parsePlainArch(spec: string): PlainSpec {
  const [name, ...rest] = spec.trim().split(':');
  const flags = rest.filter((r) => r === 'bn');
  const o = archOptions(spec, rest.filter((r) => r !== 'bn'), OPTIONS);
  const common = {
    hidden: o.hidden ? positiveInt(spec, 'hidden', o.hidden) : 4096,
    classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000,
    input: o.input ? imageShape(spec, o.input) : [3, 224, 224] as [number, number, number],
  };
  if (name === 'alexnet') {
    if (o.cfg || flags.length) throw new CritError(`architecture '${spec}': AlexNet takes channels=, hidden=, input=, classes= (no cfg or bn)`);
    const cfg = o.channels ? o.channels.split('-').map((v) => positiveInt(spec, 'channels', v)) : ALEXNET;
    if (cfg.length !== 5) throw new CritError(`architecture '${spec}': AlexNet has five convolutions, channels= lists ${cfg.length}`);
    return { kind: 'alexnet', name, cfg, batchNorm: false, ...common };
  }
  const named = VGGS[name];
  if (!named && name !== 'vgg') throw new CritError(`architecture '${spec}': unknown VGG '${name}' (known: ${Object.keys(VGGS).join(', ')}, or vgg:cfg=...)`);
  if (o.channels) throw new CritError(`architecture '${spec}': channels= is AlexNet's; VGG takes cfg=`);
  if (named && (o.cfg || flags.length)) throw new CritError(`architecture '${spec}': ${name} fixes cfg and batch norm; use vgg:cfg=...[:bn]`);
  if (!named && !o.cfg) throw new CritError(`architecture '${spec}': a custom VGG needs cfg=<width>-M-<width>-... (M = 2x2 max pooling)`);
  const cfg = o.cfg ? o.cfg.split('-').map((v) => (v === 'M' ? 'M' as const : positiveInt(spec, 'cfg', v))) : named.cfg;
  return { kind: 'vgg', name, cfg, batchNorm: named ? named.batchNorm : flags.length > 0, ...common };
}

export function formatPlainArch(s: PlainSpec): string {
  const named = s.kind === 'vgg' ? VGGS[s.name] : s.name === 'alexnet' && s.cfg.join('-') === ALEXNET.join('-');
  const parts = [named ? s.name : s.kind === 'vgg' ? `vgg:cfg=${s.cfg.join('-')}` : `alexnet:channels=${s.cfg.join('-')}`];
  if (!named && s.kind === 'vgg' && s.batchNorm) parts.push('bn');
  if (s.hidden !== 4096) parts.push(`hidden=${s.hidden}`);
  return formatSpec(parts.join(':'), s);
}

export class PlainConvNet extends ImageClassifier<PlainSpec> {
  readonly kind: 'vgg' | 'alexnet';

  constructor(spec: PlainSpec | string) {
    const s = typeof spec === 'string' ? parsePlainArch(spec) : spec;
    super(s, formatPlainArch(s), s.input);
    this.kind = s.kind;
    const b = this.b;
    // One layer per convolution (with its ReLU and any pooling after it), then the classifier's three.
    let index = 0, C = s.input[0];
    const pools: ((x: Tensor) => Tensor)[][] = [];
    const convs: Layer[] = [];
    const addConv = (out: number, k: number, stride: number, padding: number) => {
      const conv = b.conv(`features.${index++}`, C, out, k, { stride, padding, bias: true });
      const bn = s.batchNorm ? b.batchNorm(`features.${index++}`, out) : null;
      index++; // ReLU
      convs.push(bn ? (p, x) => relu(bn(p, conv(p, x))) : (p, x) => relu(conv(p, x)));
      pools.push([]);
      C = out;
    };
    const addPool = (kernel: number, stride: number) => {
      if (!convs.length) throw new CritError(`${b.arch}: pooling before the first convolution`);
      pools[pools.length - 1].push((x) => maxPool2d(x, { kernel, stride }));
      index++;
    };
    let pooled: [number, number];
    if (s.kind === 'vgg') {
      for (const c of s.cfg) if (c === 'M') addPool(2, 2); else addConv(c, 3, 1, 1);
      pooled = [7, 7];
    } else {
      const [c1, c2, c3, c4, c5] = s.cfg as number[];
      addConv(c1, 11, 4, 2); addPool(3, 2);
      addConv(c2, 5, 1, 2); addPool(3, 2);
      addConv(c3, 3, 1, 1); addConv(c4, 3, 1, 1); addConv(c5, 3, 1, 1); addPool(3, 2);
      pooled = [6, 6];
    }
    convs.forEach((conv, i) => this.blocks.push((p, x) => pools[i].reduce((h, pool) => pool(h), conv(p, x))));
    // Classifier: VGG Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear; AlexNet Dropout first, no last Dropout.
    const at = s.kind === 'vgg' ? [0, 3, 6] : [1, 4, 6];
    const fc1 = b.linear(`classifier.${at[0]}`, C * pooled[0] * pooled[1], s.hidden);
    const fc2 = b.linear(`classifier.${at[1]}`, s.hidden, s.hidden);
    const fc3 = b.linear(`classifier.${at[2]}`, s.hidden, s.classes);
    this.blocks.push((p, x) => relu(fc1(p, reshape(adaptiveAvgPool2d(x, pooled), [x.shape[0], C * pooled[0] * pooled[1]]))));
    this.blocks.push((p, x) => relu(fc2(p, x)));
    this.blocks.push((p, x) => fc3(p, x));
    // torchvision's leaf modules: the features, the adaptive pool, the classifier's seven.
    this.modules = index + 1 + 7;
  }
}
