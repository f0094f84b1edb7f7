// torchvision's inverted-residual networks in eval mode, from their state_dicts: MobileNet V2 (ReLU6), MobileNet V3
// (hardswish, squeeze-excitation with a hard sigmoid) and EfficientNet B0-B7 / V2 S-M-L (SiLU, squeeze-excitation;
// V2's early stages fused). Stochastic depth and dropout are identities at inference.
//
// Specs: mobilenet_v2, mobilenet_v3_large/small, efficientnet_b0 … efficientnet_b7, efficientnet_v2_s/m/l; custom ones
//   mobilenet_v2:setting=<t>x<c>x<n>x<s>-...[:width=1.0]            (torchvision's inverted_residual_setting)
//   mobilenet_v3:blocks=i<in>k<kernel>e<expanded>o<out>s<stride>[+se][+hs]-...:last=N
//   efficientnet:stages=<M|F><expand>k<kernel>s<stride>i<in>o<out>n<layers>-...[:last=N][:eps=1e-5]
// all with :input=3x224x224 and :classes=1000.
import type { Tensor } from '../tensor/tensor.js';
import { add, relu, sigmoid } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { CritError } from '../util/errors.js';
import { relu6, silu, hardswish, hardsigmoid } from '../nn/activations.js';
import { ImageClassifier, formatSpec, archOptions, positiveInt, imageShape, type Layer } from './layers.js';

/** torchvision's _make_divisible: the nearest multiple of `divisor`, at least `divisor`, never 10% below v. */
export function makeDivisible(v: number, divisor = 8): number {
  let n = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (n < 0.9 * v) n += divisor;
  return n;
}

const positiveNumber = (spec: string, key: string, v: string): number => {
  const n = Number(v);
  if (!(n > 0) || v.trim() === '') throw new CritError(`architecture '${spec}': ${key} must be a positive number, got '${v}'`);
  return n;
};

// ---- MobileNet V2 ----

/** [expansion t, channels c, repeats n, stride s] per stage (torchvision's inverted_residual_setting). */
type V2Row = [number, number, number, number];
const MOBILENET_V2: V2Row[] = [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];
export interface MobileNetV2Spec { kind: 'mobilenet_v2'; setting: V2Row[]; width: number; custom: boolean; classes: number; input: [number, number, number] }

export function parseMobileNetV2Arch(spec: string): MobileNetV2Spec {
  const [name, ...rest] = spec.trim().split(':');
  if (name !== 'mobilenet_v2') throw new CritError(`architecture '${spec}': not a MobileNet V2`);
  const o = archOptions(spec, rest, { setting: '1x16x1x1-6x24x2x2', width: '1.0', input: '3x224x224', classes: '1000' });
  const setting = o.setting ? o.setting.split('-').map((t) => {
    const v = t.split('x');
    if (v.length !== 4) throw new CritError(`architecture '${spec}': setting row '${t}' must be <t>x<c>x<n>x<s>`);
    return [positiveNumber(spec, 'setting', v[0]), ...v.slice(1).map((x) => positiveInt(spec, 'setting', x))] as V2Row;
  }) : MOBILENET_V2;
  return { kind: 'mobilenet_v2', setting, custom: !!o.setting, width: o.width ? positiveNumber(spec, 'width', o.width) : 1, classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000, input: o.input ? imageShape(spec, o.input) : [3, 224, 224] };
}

export function formatMobileNetV2Arch(s: MobileNetV2Spec): string {
  const parts = ['mobilenet_v2'];
  if (s.custom) parts.push(`setting=${s.setting.map((r) => r.join('x')).join('-')}`);
  if (s.width !== 1) parts.push(`width=${s.width}`);
  return formatSpec(parts.join(':'), s);
}

export class MobileNetV2 extends ImageClassifier<MobileNetV2Spec> {
  readonly kind = 'mobilenet_v2';

  constructor(spec: MobileNetV2Spec | string) {
    const s = typeof spec === 'string' ? parseMobileNetV2Arch(spec) : spec;
    super(s, formatMobileNetV2Arch(s), s.input);
    const b = this.b;
    let cin = makeDivisible(32 * s.width);
    const last = makeDivisible(1280 * Math.max(1, s.width));
    const stem = b.convBn('features.0', s.input[0], cin, 3, { stride: 2 });
    this.blocks.push((p, x) => relu6(stem(p, x)));
    // Leaf modules: stem 3; a block 8 (expansion 3, depthwise 3, projection conv and norm) or 5; last 3; classifier 2.
    let modules = 3 + 3 + 2, index = 1;
    for (const [t, c, n, stride0] of s.setting) {
      const cout = makeDivisible(c * s.width);
      for (let i = 0; i < n; i++) {
        const stride = i === 0 ? stride0 : 1, pre = `features.${index++}.conv`;
        const hidden = Math.round(cin * t);
        let k = 0;
        const expand = t !== 1 ? b.convBn(`${pre}.${k++}`, cin, hidden, 1) : null;
        const dw = b.convBn(`${pre}.${k++}`, hidden, hidden, 3, { stride, groups: hidden });
        const pw = b.conv(`${pre}.${k++}`, hidden, cout, 1);
        const bn = b.batchNorm(`${pre}.${k++}`, cout);
        const residual = stride === 1 && cin === cout;
        modules += expand ? 8 : 5;
        this.blocks.push((p, x) => {
          const y = bn(p, pw(p, relu6(dw(p, expand ? relu6(expand(p, x)) : x))));
          return residual ? add(x, y) : y;
        });
        cin = cout;
      }
    }
    const head = b.convBn(`features.${index}`, cin, last, 1);
    const fc = b.linear('classifier.1', last, s.classes);
    this.blocks.push((p, x) => fc(p, mean(relu6(head(p, x)), [2, 3])));
    this.modules = modules;
  }
}

// ---- EfficientNet ----

/** One stage: MBConv (M) or FusedMBConv (F), expansion, kernel, stride, in and out channels, layers. */
interface EffStage { fused: boolean; expand: number; kernel: number; stride: number; cin: number; cout: number; layers: number }
export interface EfficientNetSpec { kind: 'efficientnet'; name: string; stages: EffStage[]; last: number; eps: number; classes: number; input: [number, number, number] }

const B_BASE: [number, number, number, number, number, number][] = [[1, 3, 1, 32, 16, 1], [6, 3, 2, 16, 24, 2], [6, 5, 2, 24, 40, 2], [6, 3, 2, 40, 80, 3], [6, 5, 1, 80, 112, 3], [6, 5, 2, 112, 192, 4], [6, 3, 1, 192, 320, 1]];
/** efficientnet_bN: width and depth multipliers, and the batch norm eps torchvision uses (1e-3 from B5 on). */
const B_MULT: Record<string, [number, number, number]> = {
  efficientnet_b0: [1.0, 1.0, 1e-5], efficientnet_b1: [1.0, 1.1, 1e-5], efficientnet_b2: [1.1, 1.2, 1e-5], efficientnet_b3: [1.2, 1.4, 1e-5],
  efficientnet_b4: [1.4, 1.8, 1e-5], efficientnet_b5: [1.6, 2.2, 1e-3], efficientnet_b6: [1.8, 2.6, 1e-3], efficientnet_b7: [2.0, 3.1, 1e-3],
};
const V2: Record<string, string> = {
  efficientnet_v2_s: 'F1k3s1i24o24n2-F4k3s2i24o48n4-F4k3s2i48o64n4-M4k3s2i64o128n6-M6k3s1i128o160n9-M6k3s2i160o256n15',
  efficientnet_v2_m: 'F1k3s1i24o24n3-F4k3s2i24o48n5-F4k3s2i48o80n5-M4k3s2i80o160n7-M6k3s1i160o176n14-M6k3s2i176o304n18-M6k3s1i304o512n5',
  efficientnet_v2_l: 'F1k3s1i32o32n4-F4k3s2i32o64n7-F4k3s2i64o96n7-M4k3s2i96o192n10-M6k3s1i192o224n19-M6k3s2i224o384n25-M6k3s1i384o640n7',
};

export function isEfficientNetArch(spec: string): boolean {
  const name = spec.trim().split(':')[0];
  return name === 'efficientnet' || name in B_MULT || name in V2;
}

function parseStages(spec: string, text: string): EffStage[] {
  return text.split('-').map((t) => {
    const m = /^([MF])(\d+(?:\.\d+)?)k(\d+)s(\d+)i(\d+)o(\d+)n(\d+)$/.exec(t);
    if (!m) throw new CritError(`architecture '${spec}': stage '${t}' must be <M|F><expand>k<kernel>s<stride>i<in>o<out>n<layers>, e.g. M6k3s2i16o24n2`);
    const [kernel, stride, cin, cout, layers] = m.slice(3).map(Number);
    if (![kernel, stride, cin, cout, layers].every((v) => v >= 1) || stride > 2) throw new CritError(`architecture '${spec}': stage '${t}': sizes must be positive, stride 1 or 2`);
    return { fused: m[1] === 'F', expand: Number(m[2]), kernel, stride, cin, cout, layers };
  });
}

export function parseEfficientNetArch(spec: string): EfficientNetSpec {
  const [name, ...rest] = spec.trim().split(':');
  const o = archOptions(spec, rest, { stages: 'M1k3s1i32o16n1', last: '1280', eps: '1e-5', input: '3x224x224', classes: '1000' });
  let stages: EffStage[], last: number | null = null, eps = 1e-5;
  if (name in B_MULT) {
    if (o.stages || o.last || o.eps) throw new CritError(`architecture '${spec}': ${name} fixes its stages; use efficientnet:stages=...`);
    const [w, d, e] = B_MULT[name];
    stages = B_BASE.map(([expand, kernel, stride, cin, cout, layers]) => ({ fused: false, expand, kernel, stride, cin: makeDivisible(cin * w), cout: makeDivisible(cout * w), layers: Math.ceil(layers * d) }));
    eps = e;
  } else if (name in V2) {
    if (o.stages || o.last || o.eps) throw new CritError(`architecture '${spec}': ${name} fixes its stages; use efficientnet:stages=...`);
    stages = parseStages(spec, V2[name]);
    last = 1280;
    eps = 1e-3;
  } else if (name === 'efficientnet') {
    if (!o.stages) throw new CritError(`architecture '${spec}': a custom EfficientNet needs stages=<M|F><expand>k<kernel>s<stride>i<in>o<out>n<layers>-...`);
    stages = parseStages(spec, o.stages);
    if (o.last) last = positiveInt(spec, 'last', o.last);
    if (o.eps) eps = positiveNumber(spec, 'eps', o.eps);
  } else throw new CritError(`architecture '${spec}': unknown EfficientNet '${name}' (known: ${[...Object.keys(B_MULT), ...Object.keys(V2)].join(', ')}, or efficientnet:stages=...)`);
  return { kind: 'efficientnet', name, stages, last: last ?? 4 * stages[stages.length - 1].cout, eps, classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000, input: o.input ? imageShape(spec, o.input) : [3, 224, 224] };
}

export function formatEfficientNetArch(s: EfficientNetSpec): string {
  const named = s.name !== 'efficientnet';
  const parts = [named ? s.name : `efficientnet:stages=${s.stages.map((t) => `${t.fused ? 'F' : 'M'}${t.expand}k${t.kernel}s${t.stride}i${t.cin}o${t.cout}n${t.layers}`).join('-')}`];
  if (!named && s.last !== 4 * s.stages[s.stages.length - 1].cout) parts.push(`last=${s.last}`);
  if (!named && s.eps !== 1e-5) parts.push(`eps=${s.eps}`);
  return formatSpec(parts.join(':'), s);
}

export class EfficientNet extends ImageClassifier<EfficientNetSpec> {
  readonly kind = 'efficientnet';

  constructor(spec: EfficientNetSpec | string) {
    const s = typeof spec === 'string' ? parseEfficientNetArch(spec) : spec;
    super(s, formatEfficientNetArch(s), s.input);
    const b = this.b, eps = s.eps;
    const stem = b.convBn('features.0', s.input[0], s.stages[0].cin, 3, { stride: 2, eps });
    this.blocks.push((p, x) => silu(stem(p, x)));
    // Leaf modules: stem 3; MBConv 11 (+3 with expansion: expand and depthwise 3 each, SE 5, project 2, stochastic
    // depth 1); FusedMBConv 6 with expansion, else 4; last conv 3, avgpool, dropout and linear.
    let modules = 3 + 3 + 3;
    s.stages.forEach((st, si) => {
      for (let i = 0; i < st.layers; i++) {
        const cin = i === 0 ? st.cin : st.cout, stride = i === 0 ? st.stride : 1;
        const pre = `features.${si + 1}.${i}.block`;
        const expanded = makeDivisible(cin * st.expand);
        let body: Layer;
        if (st.fused) {
          if (expanded !== cin) {
            const c1 = b.convBn(`${pre}.0`, cin, expanded, st.kernel, { stride, eps }), c2 = b.convBn(`${pre}.1`, expanded, st.cout, 1, { eps });
            body = (p, x) => c2(p, silu(c1(p, x)));
            modules += 6;
          } else {
            const c1 = b.convBn(`${pre}.0`, cin, st.cout, st.kernel, { stride, eps });
            body = (p, x) => silu(c1(p, x));
            modules += 4;
          }
        } else {
          let k = 0;
          const expand = expanded !== cin ? b.convBn(`${pre}.${k++}`, cin, expanded, 1, { eps }) : null;
          const dw = b.convBn(`${pre}.${k++}`, expanded, expanded, st.kernel, { stride, groups: expanded, eps });
          const se = b.squeezeExcitation(`${pre}.${k++}`, expanded, Math.max(1, Math.floor(cin / 4)), silu, sigmoid);
          const project = b.convBn(`${pre}.${k++}`, expanded, st.cout, 1, { eps });
          body = (p, x) => project(p, se(p, silu(dw(p, expand ? silu(expand(p, x)) : x))));
          modules += expand ? 14 : 11;
        }
        const residual = stride === 1 && cin === st.cout;
        this.blocks.push(residual ? (p, x) => add(body(p, x), x) : body);
      }
    });
    const lastIn = s.stages[s.stages.length - 1].cout;
    const head = b.convBn(`features.${s.stages.length + 1}`, lastIn, s.last, 1, { eps });
    const fc = b.linear('classifier.1', s.last, s.classes);
    this.blocks.push((p, x: Tensor) => fc(p, mean(silu(head(p, x)), [2, 3])));
    this.modules = modules;
  }
}

// ---- MobileNet V3 ----

/** One inverted residual: in, kernel, expanded, out channels, squeeze-excitation, hardswish (else ReLU), stride. */
interface V3Block { cin: number; kernel: number; expanded: number; cout: number; se: boolean; hs: boolean; stride: number }
const V3: Record<string, { blocks: string; last: number }> = {
  mobilenet_v3_large: {
    blocks: 'i16k3e16o16s1-i16k3e64o24s2-i24k3e72o24s1-i24k5e72o40s2+se-i40k5e120o40s1+se-i40k5e120o40s1+se-i40k3e240o80s2+hs-i80k3e200o80s1+hs-i80k3e184o80s1+hs-i80k3e184o80s1+hs-i80k3e480o112s1+se+hs-i112k3e672o112s1+se+hs-i112k5e672o160s2+se+hs-i160k5e960o160s1+se+hs-i160k5e960o160s1+se+hs',
    last: 1280,
  },
  mobilenet_v3_small: {
    blocks: 'i16k3e16o16s2+se-i16k3e72o24s2-i24k3e88o24s1-i24k5e96o40s2+se+hs-i40k5e240o40s1+se+hs-i40k5e240o40s1+se+hs-i40k5e120o48s1+se+hs-i48k5e144o48s1+se+hs-i48k5e288o96s2+se+hs-i96k5e576o96s1+se+hs-i96k5e576o96s1+se+hs',
    last: 1024,
  },
};
export interface MobileNetV3Spec { kind: 'mobilenet_v3'; name: string; blocks: V3Block[]; last: number; classes: number; input: [number, number, number] }

export function isMobileNetV3Arch(spec: string): boolean { const n = spec.trim().split(':')[0]; return n === 'mobilenet_v3' || n in V3; }

export function parseMobileNetV3Arch(spec: string): MobileNetV3Spec {
  const [name, ...rest] = spec.trim().split(':');
  if (!(name in V3) && name !== 'mobilenet_v3') throw new CritError(`architecture '${spec}': unknown MobileNet V3 '${name}' (known: ${Object.keys(V3).join(', ')}, or mobilenet_v3:blocks=...)`);
  const o = archOptions(spec, rest, { blocks: 'i16k3e16o16s1+se+hs', last: '1280', input: '3x224x224', classes: '1000' });
  if (name in V3 && (o.blocks || o.last)) throw new CritError(`architecture '${spec}': ${name} fixes its blocks; use mobilenet_v3:blocks=...`);
  if (name === 'mobilenet_v3' && (!o.blocks || !o.last)) throw new CritError(`architecture '${spec}': a custom MobileNet V3 needs blocks=i<in>k<kernel>e<expanded>o<out>s<stride>[+se][+hs]-... and last=`);
  const blocks = (o.blocks ?? V3[name].blocks).split('-').map((t) => {
    const m = /^i(\d+)k(\d+)e(\d+)o(\d+)s([12])((?:\+se|\+hs)*)$/.exec(t);
    if (!m) throw new CritError(`architecture '${spec}': block '${t}' must be i<in>k<kernel>e<expanded>o<out>s<1|2>[+se][+hs]`);
    const [cin, kernel, expanded, cout, stride] = m.slice(1, 6).map(Number);
    return { cin, kernel, expanded, cout, stride, se: m[6].includes('+se'), hs: m[6].includes('+hs') };
  });
  return { kind: 'mobilenet_v3', name, blocks, last: o.last ? positiveInt(spec, 'last', o.last) : V3[name].last, classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000, input: o.input ? imageShape(spec, o.input) : [3, 224, 224] };
}

export function formatMobileNetV3Arch(s: MobileNetV3Spec): string {
  const parts = [s.name !== 'mobilenet_v3' ? s.name : `mobilenet_v3:blocks=${s.blocks.map((t) => `i${t.cin}k${t.kernel}e${t.expanded}o${t.cout}s${t.stride}${t.se ? '+se' : ''}${t.hs ? '+hs' : ''}`).join('-')}:last=${s.last}`];
  return formatSpec(parts.join(':'), s);
}

export class MobileNetV3 extends ImageClassifier<MobileNetV3Spec> {
  readonly kind = 'mobilenet_v3';

  constructor(spec: MobileNetV3Spec | string) {
    const s = typeof spec === 'string' ? parseMobileNetV3Arch(spec) : spec;
    super(s, formatMobileNetV3Arch(s), s.input);
    const b = this.b, eps = 1e-3;
    const stem = b.convBn('features.0', s.input[0], s.blocks[0].cin, 3, { stride: 2, eps });
    this.blocks.push((p, x) => hardswish(stem(p, x)));
    // Leaf modules: stem 3; per block expansion 3, depthwise 3, SE 5, projection 2; last conv 3, avgpool, classifier 4.
    let modules = 3 + 3 + 1 + 4;
    s.blocks.forEach((blk, i) => {
      const pre = `features.${i + 1}.block`, act = blk.hs ? hardswish : relu;
      let k = 0;
      const expand = blk.expanded !== blk.cin ? b.convBn(`${pre}.${k++}`, blk.cin, blk.expanded, 1, { eps }) : null;
      const dw = b.convBn(`${pre}.${k++}`, blk.expanded, blk.expanded, blk.kernel, { stride: blk.stride, groups: blk.expanded, eps });
      const se = blk.se ? b.squeezeExcitation(`${pre}.${k++}`, blk.expanded, makeDivisible(Math.floor(blk.expanded / 4)), relu, hardsigmoid) : null;
      const project = b.convBn(`${pre}.${k++}`, blk.expanded, blk.cout, 1, { eps });
      const residual = blk.stride === 1 && blk.cin === blk.cout;
      modules += (expand ? 3 : 0) + 3 + (se ? 5 : 0) + 2;
      this.blocks.push((p, x) => {
        let h = act(dw(p, expand ? act(expand(p, x)) : x));
        if (se) h = se(p, h);
        const y = project(p, h);
        return residual ? add(y, x) : y;
      });
    });
    const lastIn = s.blocks[s.blocks.length - 1].cout;
    const head = b.convBn(`features.${s.blocks.length + 1}`, lastIn, 6 * lastIn, 1, { eps });
    const fc1 = b.linear('classifier.0', 6 * lastIn, s.last), fc2 = b.linear('classifier.3', s.last, s.classes);
    this.blocks.push((p, x) => fc2(p, hardswish(fc1(p, mean(hardswish(head(p, x)), [2, 3])))));
    this.modules = modules;
  }
}
