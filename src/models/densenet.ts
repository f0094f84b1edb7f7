// torchvision's DenseNet (121, 161, 169, 201) in eval mode, from its state_dict (features.conv0.weight,
// features.denseblock1.denselayer1.norm1.running_mean, …, features.transition1.conv.weight, features.norm5.*,
// classifier.*): dense blocks whose layers (BN, ReLU, 1x1 conv, BN, ReLU, 3x3 conv) each append their new
// channels to everything before them, transitions (BN, ReLU, 1x1 conv, 2x2 average pool) between blocks.
// Checkpoints saved before torchvision renamed `norm.1` to `norm1` (densenet121-a639ec97.pth, ...) are read too.
//
// Spec: densenet121 … densenet201, or densenet:growth=32:blocks=6-12-24-16:init=64[:bn_size=4]; :input, :classes.
import { concat } from '../ops/layout.js';
import { relu } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { maxPool2d, avgPool2d } from '../ops/conv.js';
import { CritError } from '../util/errors.js';
import { ImageClassifier, formatSpec, archOptions, positiveInt, imageShape } from './layers.js';

const NAMED: Record<string, { growth: number; blocks: number[]; init: number }> = {
  densenet121: { growth: 32, blocks: [6, 12, 24, 16], init: 64 }, densenet161: { growth: 48, blocks: [6, 12, 36, 24], init: 96 },
  densenet169: { growth: 32, blocks: [6, 12, 32, 32], init: 64 }, densenet201: { growth: 32, blocks: [6, 12, 48, 32], init: 64 },
};
export interface DenseNetSpec { kind: 'densenet'; name: string; growth: number; blocks: number[]; init: number; bnSize: number; classes: number; input: [number, number, number] }

export function isDenseNetArch(spec: string): boolean { const n = spec.trim().split(':')[0]; return n === 'densenet' || n in NAMED; }

export function parseDenseNetArch(spec: string): DenseNetSpec {
  const [name, ...rest] = spec.trim().split(':');
  if (!(name in NAMED) && name !== 'densenet') throw new CritError(`architecture '${spec}': unknown DenseNet '${name}' (known: ${Object.keys(NAMED).join(', ')}, or densenet:growth=...:blocks=...:init=...)`);
  const o = archOptions(spec, rest, { growth: '32', blocks: '6-12-24-16', init: '64', bn_size: '4', input: '3x224x224', classes: '1000' });
  const named = NAMED[name];
  if (named && (o.growth || o.blocks || o.init || o.bn_size)) throw new CritError(`architecture '${spec}': ${name} fixes its sizes; use densenet:growth=...:blocks=...:init=...`);
  if (!named && (!o.growth || !o.blocks || !o.init)) throw new CritError(`architecture '${spec}': a custom DenseNet needs growth=, blocks=<n>-<n>-... and init=`);
  return {
    kind: 'densenet', name, growth: o.growth ? positiveInt(spec, 'growth', o.growth) : named.growth, blocks: o.blocks ? o.blocks.split('-').map((v) => positiveInt(spec, 'blocks', v)) : named.blocks,
    init: o.init ? positiveInt(spec, 'init', o.init) : named.init, bnSize: o.bn_size ? positiveInt(spec, 'bn_size', o.bn_size) : 4,
    classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000, input: o.input ? imageShape(spec, o.input) : [3, 224, 224],
  };
}

export function formatDenseNetArch(s: DenseNetSpec): string {
  const parts = [s.name !== 'densenet' ? s.name : `densenet:growth=${s.growth}:blocks=${s.blocks.join('-')}:init=${s.init}${s.bnSize !== 4 ? `:bn_size=${s.bnSize}` : ''}`];
  return formatSpec(parts.join(':'), s);
}

/** Old torchvision checkpoints name a dense layer's `norm1` as `norm.1` (and conv, relu likewise): torchvision's own remapping. */
const OLD_NAME = /^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$/;

export class DenseNet extends ImageClassifier<DenseNetSpec> {
  readonly kind = 'densenet';

  constructor(spec: DenseNetSpec | string) {
    const s = typeof spec === 'string' ? parseDenseNetArch(spec) : spec;
    super(s, formatDenseNetArch(s), s.input);
    const b = this.b;
    const conv0 = b.conv('features.conv0', s.input[0], s.init, 7, { stride: 2, padding: 3 }), norm0 = b.batchNorm('features.norm0', s.init);
    this.blocks.push((p, x) => maxPool2d(relu(norm0(p, conv0(p, x))), { kernel: 3, stride: 2, padding: 1 }));
    // Leaf modules: conv0, norm0, relu0, pool0; 6 per dense layer; 4 per transition; norm5; classifier.
    let modules = 4 + 2, c = s.init;
    s.blocks.forEach((n, bi) => {
      for (let l = 0; l < n; l++) {
        const pre = `features.denseblock${bi + 1}.denselayer${l + 1}`, mid = s.bnSize * s.growth;
        const n1 = b.batchNorm(`${pre}.norm1`, c), c1 = b.conv(`${pre}.conv1`, c, mid, 1);
        const n2 = b.batchNorm(`${pre}.norm2`, mid), c2 = b.conv(`${pre}.conv2`, mid, s.growth, 3, { padding: 1 });
        // Each layer sees the concatenation of everything before it and appends its growth channels.
        this.blocks.push((p, x) => concat([x, c2(p, relu(n2(p, c1(p, relu(n1(p, x))))))], 1));
        c += s.growth;
        modules += 6;
      }
      if (bi < s.blocks.length - 1) {
        const pre = `features.transition${bi + 1}`, out = Math.floor(c / 2);
        const tn = b.batchNorm(`${pre}.norm`, c), tc = b.conv(`${pre}.conv`, c, out, 1);
        const last = this.blocks.pop()!;
        this.blocks.push((p, x) => avgPool2d(tc(p, relu(tn(p, last(p, x)))), { kernel: 2 }));
        c = out;
        modules += 4;
      }
    });
    const norm5 = b.batchNorm('features.norm5', c);
    const fc = b.linear('classifier', c, s.classes);
    this.blocks.push((p, x) => fc(p, mean(relu(norm5(p, x)), [2, 3])));
    this.modules = modules;
  }

  /** Names of old checkpoints, as torchvision's loader rewrites them. */
  renameTensor(name: string): string {
    const m = OLD_NAME.exec(name);
    return m ? m[1] + m[2] : name;
  }
}
