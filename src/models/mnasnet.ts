// torchvision's MNASNet (B1: mnasnet0_5, 0_75, 1_0, 1_3) in eval mode, from its state_dict (layers.<i>..., the
// inverted-residual stacks layers.8 … layers.13 of blocks layers.<i>.<j>.layers.<k>, classifier.1): a stem with a
// depthwise-separable convolution, six stacks of inverted residuals with ReLU, a 1x1 convolution to 1280, the
// mean over the image, a linear classifier.
//
// Spec: mnasnet0_5 … mnasnet1_3, or mnasnet:alpha=A[:last=1280]; :input=3x224x224, :classes=1000.
import { add, relu } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { CritError } from '../util/errors.js';
import { ImageClassifier, formatSpec, archOptions, positiveInt, imageShape } from './layers.js';
import { makeDivisible } from './mobilenet.js';

const NAMED: Record<string, number> = { mnasnet0_5: 0.5, mnasnet0_75: 0.75, mnasnet1_0: 1.0, mnasnet1_3: 1.3 };
/** [kernel, stride, expansion, repeats] of the six stacks. */
const STACKS: [number, number, number, number][] = [[3, 2, 3, 3], [5, 2, 3, 3], [5, 2, 6, 3], [3, 1, 6, 2], [5, 2, 6, 4], [3, 1, 6, 1]];
const DEPTHS = [32, 16, 24, 40, 80, 96, 192, 320];
export interface MNASNetSpec { kind: 'mnasnet'; name: string; alpha: number; last: number; classes: number; input: [number, number, number] }

export function isMNASNetArch(spec: string): boolean { const n = spec.trim().split(':')[0]; return n === 'mnasnet' || n in NAMED; }

export function parseMNASNetArch(spec: string): MNASNetSpec {
  const [name, ...rest] = spec.trim().split(':');
  if (!(name in NAMED) && name !== 'mnasnet') throw new CritError(`architecture '${spec}': unknown MNASNet '${name}' (known: ${Object.keys(NAMED).join(', ')}, or mnasnet:alpha=...)`);
  const o = archOptions(spec, rest, { alpha: '1.0', last: '1280', input: '3x224x224', classes: '1000' });
  if (name in NAMED && (o.alpha || o.last)) throw new CritError(`architecture '${spec}': ${name} fixes alpha; use mnasnet:alpha=...`);
  if (name === 'mnasnet' && !o.alpha) throw new CritError(`architecture '${spec}': a custom MNASNet needs alpha=`);
  const alpha = o.alpha ? Number(o.alpha) : NAMED[name];
  if (!(alpha > 0)) throw new CritError(`architecture '${spec}': alpha must be a positive number, got '${o.alpha}'`);
  return { kind: 'mnasnet', name, alpha, last: o.last ? positiveInt(spec, 'last', o.last) : 1280, classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000, input: o.input ? imageShape(spec, o.input) : [3, 224, 224] };
}

export function formatMNASNetArch(s: MNASNetSpec): string {
  const parts = [s.name === 'mnasnet' ? `mnasnet:alpha=${s.alpha}` : s.name];
  if (s.last !== 1280) parts.push(`last=${s.last}`);
  return formatSpec(parts.join(':'), s);
}

export class MNASNet extends ImageClassifier<MNASNetSpec> {
  readonly kind = 'mnasnet';

  constructor(spec: MNASNetSpec | string) {
    const s = typeof spec === 'string' ? parseMNASNetArch(spec) : spec;
    super(s, formatMNASNetArch(s), s.input);
    const b = this.b, d = DEPTHS.map((v) => makeDivisible(v * s.alpha));
    const c0 = b.conv('layers.0', s.input[0], d[0], 3, { stride: 2, padding: 1 }), n0 = b.batchNorm('layers.1', d[0]);
    const dw = b.conv('layers.3', d[0], d[0], 3, { padding: 1, groups: d[0] }), n1 = b.batchNorm('layers.4', d[0]);
    const pw = b.conv('layers.6', d[0], d[1], 1), n2 = b.batchNorm('layers.7', d[1]);
    this.blocks.push((p, x) => n2(p, pw(p, relu(n1(p, dw(p, relu(n0(p, c0(p, x)))))))));
    let blocks = 0;
    STACKS.forEach(([k, stride, t, repeats], si) => {
      for (let j = 0; j < repeats; j++) {
        const cin = j === 0 ? d[si + 1] : d[si + 2], cout = d[si + 2], mid = cin * t, st = j === 0 ? stride : 1;
        const pre = `layers.${8 + si}.${j}.layers`;
        const e = b.conv(`${pre}.0`, cin, mid, 1), ne = b.batchNorm(`${pre}.1`, mid);
        const w = b.conv(`${pre}.3`, mid, mid, k, { stride: st, padding: k >> 1, groups: mid }), nw = b.batchNorm(`${pre}.4`, mid);
        const o = b.conv(`${pre}.6`, mid, cout, 1), no = b.batchNorm(`${pre}.7`, cout);
        const residual = cin === cout && st === 1;
        this.blocks.push((p, x) => { const y = no(p, o(p, relu(nw(p, w(p, relu(ne(p, e(p, x)))))))); return residual ? add(y, x) : y; });
        blocks++;
      }
    });
    const cl = b.conv('layers.14', d[7], s.last, 1), nl = b.batchNorm('layers.15', s.last);
    const fc = b.linear('classifier.1', s.last, s.classes);
    this.blocks.push((p, x) => fc(p, mean(relu(nl(p, cl(p, x))), [2, 3])));
    // Leaf modules: the stem's 8, 8 per inverted residual, the last convolution, norm and ReLU; dropout, linear.
    this.modules = 8 + 8 * blocks + 3 + 2;
  }
}
