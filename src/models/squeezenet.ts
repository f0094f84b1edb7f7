// torchvision's SqueezeNet 1.0 and 1.1 in eval mode, from their state_dicts (features.<i>.squeeze.weight,
// .expand1x1, .expand3x3, classifier.1): a convolution, Fire modules (a 1x1 squeeze, then 1x1 and 3x3 expands
// concatenated) between ceil-mode max pools, and a 1x1 convolution to the classes, averaged over the image.
//
// Spec: squeezenet1_0 or squeezenet1_1, with :input=3x224x224, :classes=1000 and, for small test nets,
// :divide=N (every channel count divided by N).
import { concat } from '../ops/layout.js';
import { relu } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { maxPool2d } from '../ops/conv.js';
import { CritError } from '../util/errors.js';
import { ImageClassifier, formatSpec, archOptions, positiveInt, imageShape } from './layers.js';

/** The features after the first convolution: 'M' a ceil-mode 3x3/2 max pool, [s, e] a Fire(squeeze s, expands e + e). */
type Item = 'M' | [number, number];
const FEATURES: Record<string, { conv: [number, number, number]; items: Item[] }> = {
  squeezenet1_0: { conv: [96, 7, 2], items: ['M', [16, 64], [16, 64], [32, 128], 'M', [32, 128], [48, 192], [48, 192], [64, 256], 'M', [64, 256]] },
  squeezenet1_1: { conv: [64, 3, 2], items: ['M', [16, 64], [16, 64], 'M', [32, 128], [32, 128], 'M', [48, 192], [48, 192], [64, 256], [64, 256]] },
};
export interface SqueezeNetSpec { kind: 'squeezenet'; name: string; divide: number; classes: number; input: [number, number, number] }

export function isSqueezeNetArch(spec: string): boolean { return spec.trim().split(':')[0] in FEATURES; }

export function parseSqueezeNetArch(spec: string): SqueezeNetSpec {
  const [name, ...rest] = spec.trim().split(':');
  if (!(name in FEATURES)) throw new CritError(`architecture '${spec}': unknown SqueezeNet '${name}' (known: ${Object.keys(FEATURES).join(', ')})`);
  const o = archOptions(spec, rest, { divide: '1', input: '3x224x224', classes: '1000' });
  const divide = o.divide ? positiveInt(spec, 'divide', o.divide) : 1;
  const f = FEATURES[name];
  for (const c of [f.conv[0], ...f.items.flatMap((i) => (i === 'M' ? [] : i))]) if (c % divide) throw new CritError(`architecture '${spec}': divide=${divide} does not divide the channel count ${c}`);
  return { kind: 'squeezenet', name, divide, classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000, input: o.input ? imageShape(spec, o.input) : [3, 224, 224] };
}

export function formatSqueezeNetArch(s: SqueezeNetSpec): string {
  return formatSpec(s.divide !== 1 ? `${s.name}:divide=${s.divide}` : s.name, s);
}

export class SqueezeNet extends ImageClassifier<SqueezeNetSpec> {
  readonly kind = 'squeezenet';

  constructor(spec: SqueezeNetSpec | string) {
    const s = typeof spec === 'string' ? parseSqueezeNetArch(spec) : spec;
    super(s, formatSqueezeNetArch(s), s.input);
    const b = this.b, d = s.divide, f = FEATURES[s.name];
    const conv = b.conv('features.0', s.input[0], f.conv[0] / d, f.conv[1], { stride: f.conv[2], bias: true });
    this.blocks.push((p, x) => relu(conv(p, x)));
    // One block per Fire module (and the convolution); a pool joins the block before it.
    let c = f.conv[0] / d;
    f.items.forEach((item, k) => {
      if (item === 'M') {
        const before = this.blocks.pop()!;
        this.blocks.push((p, x) => maxPool2d(before(p, x), { kernel: 3, stride: 2, ceilMode: true }));
        return;
      }
      const [sq, ex] = [item[0] / d, item[1] / d];
      const pre = `features.${k + 2}`;
      const squeeze = b.conv(`${pre}.squeeze`, c, sq, 1, { bias: true });
      const e1 = b.conv(`${pre}.expand1x1`, sq, ex, 1, { bias: true }), e3 = b.conv(`${pre}.expand3x3`, sq, ex, 3, { padding: 1, bias: true });
      this.blocks.push((p, x) => { const h = relu(squeeze(p, x)); return concat([relu(e1(p, h)), relu(e3(p, h))], 1); });
      c = 2 * ex;
    });
    const final = b.conv('classifier.1', c, s.classes, 1, { bias: true });
    this.blocks.push((p, x) => mean(relu(final(p, x)), [2, 3]));
    const fires = f.items.filter((i) => i !== 'M').length, pools = f.items.length - fires;
    // Leaf modules: conv and ReLU, the pools, 6 per Fire (three convolutions, three ReLUs); dropout, conv, ReLU, pool.
    this.modules = 2 + pools + 6 * fires + 4;
  }
}
