// torchvision's ShuffleNet V2 (x0_5, x1_0, x1_5, x2_0) in eval mode, from its state_dict (conv1.0.weight,
// stage2.0.branch1.0.weight, ….branch2.7, conv5.1.running_var, fc.weight): blocks that split the channels (or, when
// downsampling, run two branches), concatenate, and shuffle the channels of the two halves.
//
// Spec: shufflenet_v2_x0_5 … x2_0, or shufflenet_v2:repeats=4-8-4:channels=24-48-96-192-1024; :input, :classes.
import type { Tensor } from '../tensor/tensor.js';
import { concat, permute, reshape, slice } from '../ops/layout.js';
import { relu } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { maxPool2d } from '../ops/conv.js';
import { CritError } from '../util/errors.js';
import { ImageClassifier, formatSpec, archOptions, positiveInt, imageShape, type Layer } from './layers.js';

const NAMED: Record<string, number[]> = {
  shufflenet_v2_x0_5: [24, 48, 96, 192, 1024], shufflenet_v2_x1_0: [24, 116, 232, 464, 1024],
  shufflenet_v2_x1_5: [24, 176, 352, 704, 1024], shufflenet_v2_x2_0: [24, 244, 488, 976, 2048],
};
export interface ShuffleNetSpec { kind: 'shufflenet_v2'; name: string; repeats: number[]; channels: number[]; classes: number; input: [number, number, number] }

export function isShuffleNetArch(spec: string): boolean { const n = spec.trim().split(':')[0]; return n === 'shufflenet_v2' || n in NAMED; }

export function parseShuffleNetArch(spec: string): ShuffleNetSpec {
  const [name, ...rest] = spec.trim().split(':');
  if (!(name in NAMED) && name !== 'shufflenet_v2') throw new CritError(`architecture '${spec}': unknown ShuffleNet V2 '${name}' (known: ${Object.keys(NAMED).join(', ')}, or shufflenet_v2:repeats=...:channels=...)`);
  const o = archOptions(spec, rest, { repeats: '4-8-4', channels: '24-48-96-192-1024', input: '3x224x224', classes: '1000' });
  if (name in NAMED && (o.repeats || o.channels)) throw new CritError(`architecture '${spec}': ${name} fixes repeats and channels; use shufflenet_v2:repeats=...:channels=...`);
  const list = (k: string, v: string | undefined, dflt: number[]) => (v ? v.split('-').map((x) => positiveInt(spec, k, x)) : dflt);
  const repeats = list('repeats', o.repeats, [4, 8, 4]), channels = list('channels', o.channels, NAMED[name] ?? []);
  if (repeats.length !== 3 || channels.length !== 5) throw new CritError(`architecture '${spec}': repeats takes 3 numbers and channels 5`);
  if (channels.slice(1, 4).some((c) => c % 2)) throw new CritError(`architecture '${spec}': the stage channels ${channels.slice(1, 4).join(', ')} must be even (the blocks split them in halves)`);
  return { kind: 'shufflenet_v2', name, repeats, channels, classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000, input: o.input ? imageShape(spec, o.input) : [3, 224, 224] };
}

export function formatShuffleNetArch(s: ShuffleNetSpec): string {
  const parts = [s.name !== 'shufflenet_v2' ? s.name : `shufflenet_v2:repeats=${s.repeats.join('-')}:channels=${s.channels.join('-')}`];
  return formatSpec(parts.join(':'), s);
}

/** [B, C, H, W] with the channels of two interleaved halves: channel 2i from the first half, 2i + 1 from the second. */
function shuffle2(x: Tensor): Tensor {
  const [B, C, H, W] = x.shape;
  return reshape(permute(reshape(x, [B, 2, C / 2, H, W]), [0, 2, 1, 3, 4]), [B, C, H, W]);
}

export class ShuffleNetV2 extends ImageClassifier<ShuffleNetSpec> {
  readonly kind = 'shufflenet_v2';

  constructor(spec: ShuffleNetSpec | string) {
    const s = typeof spec === 'string' ? parseShuffleNetArch(spec) : spec;
    super(s, formatShuffleNetArch(s), s.input);
    const b = this.b;
    const conv1 = b.convBn('conv1', s.input[0], s.channels[0], 3, { stride: 2 });
    this.blocks.push((p, x) => maxPool2d(relu(conv1(p, x)), { kernel: 3, stride: 2, padding: 1 }));
    // Leaf modules: conv1 3, maxpool; a downsampling block 13 (branch1 5, branch2 8), another 9 (its empty branch1
    // counts); conv5 3, fc.
    let modules = 4 + 3 + 1, cin = s.channels[0];
    s.repeats.forEach((n, si) => {
      const cout = s.channels[si + 1], half = cout / 2;
      for (let i = 0; i < n; i++) {
        const pre = `stage${si + 2}.${i}`, down = i === 0;
        const branch2In = down ? cin : half;
        const a = b.convBn(`${pre}.branch2`, branch2In, half, 1), dw = b.convBn(`${pre}.branch2`, half, half, 3, { stride: down ? 2 : 1, groups: half, at: 3 });
        const c = b.convBn(`${pre}.branch2`, half, half, 1, { at: 5 });
        const branch2: Layer = (p, x) => relu(c(p, dw(p, relu(a(p, x)))));
        if (down) {
          const dw1 = b.convBn(`${pre}.branch1`, cin, cin, 3, { stride: 2, groups: cin }), pw1 = b.convBn(`${pre}.branch1`, cin, half, 1, { at: 2 });
          this.blocks.push((p, x) => shuffle2(concat([relu(pw1(p, dw1(p, x))), branch2(p, x)], 1)));
          modules += 13;
        } else {
          this.blocks.push((p, x) => {
            const [B, C, H, W] = x.shape;
            return shuffle2(concat([slice(x, [0, 0, 0, 0], [B, C / 2, H, W]), branch2(p, slice(x, [0, C / 2, 0, 0], [B, C, H, W]))], 1));
          });
          modules += 9;
        }
        cin = cout;
      }
    });
    const conv5 = b.convBn('conv5', cin, s.channels[4], 1);
    const fc = b.linear('fc', s.channels[4], s.classes);
    this.blocks.push((p, x) => fc(p, mean(relu(conv5(p, x)), [2, 3])));
    this.modules = modules;
  }
}
