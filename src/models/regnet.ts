// torchvision's RegNet X and Y (regnet_x_400mf … regnet_y_128gf) as a pure function of their state_dicts
// (stem.0.weight, trunk_output.block1.block1-0.f.a.0.weight, ….f.se.fc1.bias, fc.weight), in eval mode: a 3x3
// stride-2 stem, stages of residual bottleneck blocks (1x1, grouped 3x3 with the stage's stride on the first
// block, squeeze-excitation in Y, 1x1; a 1x1 projection where the shape changes), global average pool, fc.
//
// Spec: a torchvision name, or regnet:stem=32:stages=<depth>x<width>x<group width>-...[:se] with :input=...,
// :classes=... The named models' stages are torchvision 0.14's BlockParams.from_init_params expanded (torch's
// float32 rounding included), copied here rather than recomputed.
import { add, relu, sigmoid } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { CritError } from '../util/errors.js';
import { ImageClassifier, formatSpec, archOptions, positiveInt, imageShape } from './layers.js';

/** [blocks, width, group width] per stage. */
type StageSpec = [number, number, number];
export interface RegNetSpec { kind: 'regnet'; name: string; stem: number; stages: StageSpec[]; se: boolean; classes: number; input: [number, number, number] }

const Y = (stages: StageSpec[]) => ({ stem: 32, se: true, stages });
const X = (stages: StageSpec[]) => ({ stem: 32, se: false, stages });
export const REGNETS: Record<string, { stem: number; se: boolean; stages: StageSpec[] }> = {
  regnet_y_400mf: Y([[1, 48, 8], [3, 104, 8], [6, 208, 8], [6, 440, 8]]),
  regnet_y_800mf: Y([[1, 64, 16], [3, 144, 16], [8, 320, 16], [2, 784, 16]]),
  regnet_y_1_6gf: Y([[2, 48, 24], [6, 120, 24], [17, 336, 24], [2, 888, 24]]),
  regnet_y_3_2gf: Y([[2, 72, 24], [5, 216, 24], [13, 576, 24], [1, 1512, 24]]),
  regnet_y_8gf: Y([[2, 224, 56], [4, 448, 56], [10, 896, 56], [1, 2016, 56]]),
  regnet_y_16gf: Y([[2, 224, 112], [4, 448, 112], [11, 1232, 112], [1, 3024, 112]]),
  regnet_y_32gf: Y([[2, 232, 232], [5, 696, 232], [12, 1392, 232], [1, 3712, 232]]),
  regnet_y_128gf: Y([[2, 528, 264], [7, 1056, 264], [17, 2904, 264], [1, 7392, 264]]),
  regnet_x_400mf: X([[1, 32, 16], [2, 64, 16], [7, 160, 16], [12, 400, 16]]),
  regnet_x_800mf: X([[1, 64, 16], [3, 128, 16], [7, 288, 16], [5, 672, 16]]),
  regnet_x_1_6gf: X([[2, 72, 24], [4, 168, 24], [10, 408, 24], [2, 912, 24]]),
  regnet_x_3_2gf: X([[2, 96, 48], [6, 192, 48], [15, 432, 48], [2, 1008, 48]]),
  regnet_x_8gf: X([[2, 80, 80], [5, 240, 120], [15, 720, 120], [1, 1920, 120]]),
  regnet_x_16gf: X([[2, 256, 128], [6, 512, 128], [13, 896, 128], [1, 2048, 128]]),
  regnet_x_32gf: X([[2, 336, 168], [7, 672, 168], [13, 1344, 168], [1, 2520, 168]]),
};
const OPTIONS = { input: '3x224x224', classes: '1000', stem: '32', stages: '1x48x8-3x104x8', se: '' };

export function isRegNetArch(spec: string): boolean {
  const name = spec.trim().split(':')[0];
  return name === 'regnet' || name in REGNETS;
}

export function parseRegNetArch(spec: string): RegNetSpec {
  const [name, ...rest] = spec.trim().split(':');
  const named = REGNETS[name];
  if (!named && name !== 'regnet') throw new CritError(`architecture '${spec}': unknown RegNet '${name}' (known: ${Object.keys(REGNETS).join(', ')}, or regnet:stem=..:stages=...)`);
  const flags = rest.filter((r) => r === 'se');
  const o = archOptions(spec, rest.filter((r) => r !== 'se'), OPTIONS);
  if (named && (o.stem || o.stages || flags.length)) throw new CritError(`architecture '${spec}': ${name} fixes its stem and stages; use regnet:stem=..:stages=...[:se]`);
  if (!named && !o.stages) throw new CritError(`architecture '${spec}': a custom RegNet needs stages=<blocks>x<width>x<group width>-... (e.g. 1x48x8-3x104x8)`);
  const stages = o.stages ? o.stages.split('-').map((t) => {
    const parts = t.split('x');
    if (parts.length !== 3) throw new CritError(`architecture '${spec}': stage '${t}' must be <blocks>x<width>x<group width>`);
    const [d, w, g] = parts.map((v) => positiveInt(spec, 'stages', v));
    if (w % g) throw new CritError(`architecture '${spec}': stage '${t}': group width ${g} does not divide width ${w}`);
    return [d, w, g] as StageSpec;
  }) : named.stages;
  return {
    kind: 'regnet', name, stages, stem: o.stem ? positiveInt(spec, 'stem', o.stem) : named?.stem ?? 32, se: named ? named.se : flags.length > 0,
    classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000, input: o.input ? imageShape(spec, o.input) : [3, 224, 224],
  };
}

export function formatRegNetArch(s: RegNetSpec): string {
  const parts = [REGNETS[s.name] ? s.name : `regnet:stem=${s.stem}:stages=${s.stages.map((t) => t.join('x')).join('-')}${s.se ? ':se' : ''}`];
  return formatSpec(parts.join(':'), s);
}

export class RegNet extends ImageClassifier<RegNetSpec> {
  readonly kind = 'regnet';

  constructor(spec: RegNetSpec | string) {
    const s = typeof spec === 'string' ? parseRegNetArch(spec) : spec;
    super(s, formatRegNetArch(s), s.input);
    const b = this.b;
    const stem = b.convBn('stem', s.input[0], s.stem, 3, { stride: 2 });
    this.blocks.push((p, x) => relu(stem(p, x)));
    // torchvision's leaf modules: stem 3; per block a (3), b (3), c (2), ReLU, SE 5, projection 2; avgpool, fc.
    let modules = 3 + 2, width = s.stem;
    s.stages.forEach(([depth, wOut, groupWidth], si) => {
      for (let i = 0; i < depth; i++) {
        const pre = `trunk_output.block${si + 1}.block${si + 1}-${i}`;
        const wIn = i === 0 ? width : wOut, stride = i === 0 ? 2 : 1;
        const proj = wIn !== wOut || stride !== 1 ? b.convBn(`${pre}.proj`, wIn, wOut, 1, { stride }) : null;
        const a = b.convBn(`${pre}.f.a`, wIn, wOut, 1);
        const bb = b.convBn(`${pre}.f.b`, wOut, wOut, 3, { stride, groups: wOut / groupWidth });
        // SqueezeExcitation(w_b, round(0.25 · width_in)) with ReLU and a sigmoid gate.
        const se = s.se ? b.squeezeExcitation(`${pre}.f.se`, wOut, Math.round(0.25 * wIn), relu, sigmoid) : null;
        const c = b.convBn(`${pre}.f.c`, wOut, wOut, 1);
        modules += 9 + (se ? 5 : 0) + (proj ? 2 : 0);
        this.blocks.push((p, x) => {
          let f = relu(bb(p, relu(a(p, x))));
          if (se) f = se(p, f);
          return relu(add(proj ? proj(p, x) : x, c(p, f)));
        });
      }
      width = wOut;
    });
    const fc = b.linear('fc', width, s.classes);
    this.blocks.push((p, x) => fc(p, mean(x, [2, 3])));
    this.modules = modules;
  }
}
