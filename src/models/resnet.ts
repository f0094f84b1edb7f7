// torchvision's ResNet family (resnet18 … resnet152, resnext*, wide_resnet*) as a pure function of a
// torchvision state_dict (conv1.weight, bn1.running_mean, layer1.0.conv1.weight, …, fc.bias), in inference
// mode (batch norm with running statistics), so the paper's model-zoo measurements (Figs. 2-3) run on it.
//
// Spec: a torchvision name (resnet18, resnet50, resnext50_32x4d, wide_resnet50_2, …) or
// resnet:block=basic|bottleneck:layers=2-2-2-2, each optionally followed by :input=3x224x224, :classes=1000,
// :base=64 (the first stage's width; torchvision's is 64, smaller ones make small test nets), :groups=…,
// :width_per_group=….
import type { Tensor } from '../tensor/tensor.js';
import { add, relu } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { maxPool2d } from '../ops/conv.js';
import { CritError } from '../util/errors.js';
import type { Params } from '../nn/mlp.js';
import { ImageClassifier, archOptions, positiveInt, imageShape, type Layer } from './layers.js';

export interface ResNetSpec {
  kind: 'resnet';
  /** The torchvision name, or 'resnet' for a custom one. */
  name: string;
  block: 'basic' | 'bottleneck';
  layers: number[];
  groups: number;
  widthPerGroup: number;
  base: number;
  classes: number;
  input: [number, number, number];
}

type Named = Pick<ResNetSpec, 'block' | 'layers'> & Partial<Pick<ResNetSpec, 'groups' | 'widthPerGroup'>>;
export const RESNETS: Record<string, Named> = {
  resnet18: { block: 'basic', layers: [2, 2, 2, 2] },
  resnet34: { block: 'basic', layers: [3, 4, 6, 3] },
  resnet50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
  resnet101: { block: 'bottleneck', layers: [3, 4, 23, 3] },
  resnet152: { block: 'bottleneck', layers: [3, 8, 36, 3] },
  resnext50_32x4d: { block: 'bottleneck', layers: [3, 4, 6, 3], groups: 32, widthPerGroup: 4 },
  resnext101_32x8d: { block: 'bottleneck', layers: [3, 4, 23, 3], groups: 32, widthPerGroup: 8 },
  resnext101_64x4d: { block: 'bottleneck', layers: [3, 4, 23, 3], groups: 64, widthPerGroup: 4 },
  wide_resnet50_2: { block: 'bottleneck', layers: [3, 4, 6, 3], widthPerGroup: 128 },
  wide_resnet101_2: { block: 'bottleneck', layers: [3, 4, 23, 3], widthPerGroup: 128 },
};

const OPTIONS = { input: '3x224x224', classes: '1000', base: '64', groups: '1', width_per_group: '64', block: 'basic|bottleneck', layers: '2-2-2-2' };

export function isResNetArch(spec: string): boolean {
  const name = spec.trim().split(':')[0];
  return name === 'resnet' || name in RESNETS;
}

export function parseResNetArch(spec: string): ResNetSpec {
  const [name, ...rest] = spec.trim().split(':');
  const named = RESNETS[name];
  if (!named && name !== 'resnet') throw new CritError(`architecture '${spec}': unknown ResNet '${name}' (known: ${Object.keys(RESNETS).join(', ')}, or resnet:block=...:layers=...)`);
  const o = archOptions(spec, rest, OPTIONS);
  if (named && (o.block || o.layers)) throw new CritError(`architecture '${spec}': ${name} fixes block and layers; use resnet:block=...:layers=... for others`);
  if (!named && (!o.block || !o.layers)) throw new CritError(`architecture '${spec}': a custom ResNet needs block=basic|bottleneck and layers=<n>-<n>-...`);
  const block = (o.block ?? named.block) as ResNetSpec['block'];
  if (block !== 'basic' && block !== 'bottleneck') throw new CritError(`architecture '${spec}': block must be basic or bottleneck, got '${block}'`);
  const layers = o.layers ? o.layers.split('-').map((v) => positiveInt(spec, 'layers', v)) : named.layers;
  const r: ResNetSpec = {
    kind: 'resnet', name, block, layers,
    groups: o.groups ? positiveInt(spec, 'groups', o.groups) : named?.groups ?? 1,
    widthPerGroup: o.width_per_group ? positiveInt(spec, 'width_per_group', o.width_per_group) : named?.widthPerGroup ?? 64,
    base: o.base ? positiveInt(spec, 'base', o.base) : 64,
    classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000,
    input: o.input ? imageShape(spec, o.input) : [3, 224, 224],
  };
  if (block === 'basic' && (r.groups !== 1 || r.widthPerGroup !== 64)) throw new CritError(`architecture '${spec}': basic blocks support only groups=1 and width_per_group=64 (as torchvision)`);
  return r;
}

export function formatResNetArch(s: ResNetSpec): string {
  const named = RESNETS[s.name];
  const parts = [named ? s.name : `resnet:block=${s.block}:layers=${s.layers.join('-')}`];
  if (s.input.join('x') !== '3x224x224') parts.push(`input=${s.input.join('x')}`);
  if (s.classes !== 1000) parts.push(`classes=${s.classes}`);
  if (s.base !== 64) parts.push(`base=${s.base}`);
  if (!named && s.groups !== 1) parts.push(`groups=${s.groups}`);
  if (!named && s.widthPerGroup !== 64) parts.push(`width_per_group=${s.widthPerGroup}`);
  return parts.join(':');
}

export class ResNet extends ImageClassifier<ResNetSpec> {
  readonly kind = 'resnet';

  constructor(spec: ResNetSpec | string) {
    const s = typeof spec === 'string' ? parseResNetArch(spec) : spec;
    super(s, formatResNetArch(s), s.input);
    const b = this.b;
    const conv1 = b.conv('conv1', s.input[0], s.base, 7, { stride: 2, padding: 3 });
    const bn1 = b.batchNorm('bn1', s.base);
    this.blocks.push((p, x) => maxPool2d(relu(bn1(p, conv1(p, x))), { kernel: 3, stride: 2, padding: 1 }));
    // torchvision's leaf modules: stem conv1, bn1, relu, maxpool; avgpool and fc; per block below.
    let modules = 4 + 2;
    const expansion = s.block === 'basic' ? 1 : 4;
    let inplanes = s.base;
    s.layers.forEach((count, li) => {
      const planes = s.base * 2 ** li;
      for (let k = 0; k < count; k++) {
        const stride = k === 0 && li > 0 ? 2 : 1;
        const pre = `layer${li + 1}.${k}`;
        const down = stride !== 1 || inplanes !== planes * expansion
          ? (() => { const c = b.conv(`${pre}.downsample.0`, inplanes, planes * expansion, 1, { stride }); const n = b.batchNorm(`${pre}.downsample.1`, planes * expansion); return (p: Params, x: Tensor) => n(p, c(p, x)); })()
          : null;
        let body: Layer;
        if (s.block === 'basic') {
          const c1 = b.conv(`${pre}.conv1`, inplanes, planes, 3, { stride, padding: 1 }), n1 = b.batchNorm(`${pre}.bn1`, planes);
          const c2 = b.conv(`${pre}.conv2`, planes, planes, 3, { padding: 1 }), n2 = b.batchNorm(`${pre}.bn2`, planes);
          body = (p, x) => n2(p, c2(p, relu(n1(p, c1(p, x)))));
          modules += 5;
        } else {
          const width = Math.floor(planes * (s.widthPerGroup / 64)) * s.groups;
          const c1 = b.conv(`${pre}.conv1`, inplanes, width, 1), n1 = b.batchNorm(`${pre}.bn1`, width);
          const c2 = b.conv(`${pre}.conv2`, width, width, 3, { stride, padding: 1, groups: s.groups }), n2 = b.batchNorm(`${pre}.bn2`, width);
          const c3 = b.conv(`${pre}.conv3`, width, planes * expansion, 1), n3 = b.batchNorm(`${pre}.bn3`, planes * expansion);
          body = (p, x) => n3(p, c3(p, relu(n2(p, c2(p, relu(n1(p, c1(p, x))))))));
          modules += 7;
        }
        if (down) modules += 2;
        this.blocks.push((p, x) => relu(add(body(p, x), down ? down(p, x) : x)));
        inplanes = planes * expansion;
      }
    });
    const fc = b.linear('fc', inplanes, s.classes);
    this.blocks.push((p, x) => fc(p, mean(x, [2, 3])));
    this.modules = modules;
  }
}
