// torchvision's ConvNeXt (tiny, small, base, large) in eval mode, from its state_dict (features.0.0 the 4x4 patch
// convolution, features.0.1 its channels-first LayerNorm, features.<s>.<j>.block.{0,2,3,5} and .layer_scale, the
// downsampling features.<s>.{0,1}, classifier.{0,2}): blocks of a 7x7 depthwise convolution, LayerNorm over the
// channels, a 4x wide GELU MLP and a learned per-channel scale, added to the block's input.
//
// Spec: convnext_tiny … convnext_large, or convnext:dims=96-192-384-768:depths=3-3-9-3; :input, :classes.
import type { Tensor } from '../tensor/tensor.js';
import { permute } from '../ops/layout.js';
import { add, gelu, mul } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { CritError } from '../util/errors.js';
import { ImageClassifier, formatSpec, archOptions, positiveInt, imageShape, type Layer } from './layers.js';

const NAMED: Record<string, { dims: number[]; depths: number[] }> = {
  convnext_tiny: { dims: [96, 192, 384, 768], depths: [3, 3, 9, 3] }, convnext_small: { dims: [96, 192, 384, 768], depths: [3, 3, 27, 3] },
  convnext_base: { dims: [128, 256, 512, 1024], depths: [3, 3, 27, 3] }, convnext_large: { dims: [192, 384, 768, 1536], depths: [3, 3, 27, 3] },
};
/** torchvision's ConvNeXt normalises with eps 1e-6 and starts the layer scale at 1e-6. */
const EPS = 1e-6;
export interface ConvNeXtSpec { kind: 'convnext'; name: string; dims: number[]; depths: number[]; classes: number; input: [number, number, number] }

export function isConvNeXtArch(spec: string): boolean { const n = spec.trim().split(':')[0]; return n === 'convnext' || n in NAMED; }

export function parseConvNeXtArch(spec: string): ConvNeXtSpec {
  const [name, ...rest] = spec.trim().split(':');
  if (!(name in NAMED) && name !== 'convnext') throw new CritError(`architecture '${spec}': unknown ConvNeXt '${name}' (known: ${Object.keys(NAMED).join(', ')}, or convnext:dims=...:depths=...)`);
  const o = archOptions(spec, rest, { dims: '96-192-384-768', depths: '3-3-9-3', input: '3x224x224', classes: '1000' });
  const named = NAMED[name];
  if (named && (o.dims || o.depths)) throw new CritError(`architecture '${spec}': ${name} fixes dims and depths; use convnext:dims=...:depths=...`);
  if (!named && (!o.dims || !o.depths)) throw new CritError(`architecture '${spec}': a custom ConvNeXt needs dims=<n>-... and depths=<n>-...`);
  const dims = o.dims ? o.dims.split('-').map((v) => positiveInt(spec, 'dims', v)) : named.dims;
  const depths = o.depths ? o.depths.split('-').map((v) => positiveInt(spec, 'depths', v)) : named.depths;
  if (dims.length !== depths.length) throw new CritError(`architecture '${spec}': ${dims.length} dims for ${depths.length} depths`);
  return { kind: 'convnext', name, dims, depths, classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000, input: o.input ? imageShape(spec, o.input) : [3, 224, 224] };
}

export function formatConvNeXtArch(s: ConvNeXtSpec): string {
  const parts = [s.name !== 'convnext' ? s.name : `convnext:dims=${s.dims.join('-')}:depths=${s.depths.join('-')}`];
  return formatSpec(parts.join(':'), s);
}

export class ConvNeXt extends ImageClassifier<ConvNeXtSpec> {
  readonly kind = 'convnext';

  constructor(spec: ConvNeXtSpec | string) {
    const s = typeof spec === 'string' ? parseConvNeXtArch(spec) : spec;
    super(s, formatConvNeXtArch(s), s.input);
    const b = this.b;
    // LayerNorm over the channels of NCHW images (torchvision's LayerNorm2d): to NHWC and back.
    const norm2d = (name: string, c: number): Layer => { const ln = b.layerNorm(name, c, EPS); return (p, x) => permute(ln(p, permute(x, [0, 2, 3, 1])), [0, 3, 1, 2]); };
    const stem = b.conv('features.0.0', s.input[0], s.dims[0], 4, { stride: 4, bias: true });
    const stemNorm = norm2d('features.0.1', s.dims[0]);
    let pending: Layer | null = (p, x) => stemNorm(p, stem(p, x));
    // Leaf modules: stem 2; 8 per block (conv, two permutes, LayerNorm, two linears, GELU, stochastic depth);
    // 2 per downsampling; avgpool; classifier 3.
    let modules = 2 + 1 + 3, index = 1;
    s.dims.forEach((dim, si) => {
      for (let j = 0; j < s.depths[si]; j++) {
        const pre = `features.${index}.${j}`;
        const dw = b.conv(`${pre}.block.0`, dim, dim, 7, { padding: 3, groups: dim, bias: true });
        const ln = b.layerNorm(`${pre}.block.2`, dim, EPS);
        const fc1 = b.linear(`${pre}.block.3`, dim, 4 * dim), fc2 = b.linear(`${pre}.block.5`, 4 * dim, dim);
        const gamma = b.add(`${pre}.layer_scale`, [dim, 1, 1], { value: 1e-6 });
        const block: Layer = (p, x) => add(mul(p[gamma], permute(fc2(p, gelu(fc1(p, ln(p, permute(dw(p, x), [0, 2, 3, 1]))))), [0, 3, 1, 2])), x);
        const before = pending;
        pending = null;
        this.blocks.push(before ? (p, x: Tensor) => block(p, before(p, x)) : block);
        modules += 8;
      }
      index++;
      if (si < s.dims.length - 1) {
        const dn = norm2d(`features.${index}.0`, dim), dc = b.conv(`features.${index}.1`, dim, s.dims[si + 1], 2, { stride: 2, bias: true });
        pending = (p, x) => dc(p, dn(p, x));
        modules += 2;
        index++;
      }
    });
    const last = s.dims[s.dims.length - 1];
    const headNorm = b.layerNorm('classifier.0', last, EPS), fc = b.linear('classifier.2', last, s.classes);
    this.blocks.push((p, x) => fc(p, headNorm(p, mean(x, [2, 3]))));
    this.modules = modules;
  }
}
