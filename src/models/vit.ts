// torchvision's VisionTransformer (vit_b_16, vit_b_32, vit_l_16, vit_l_32, vit_h_14, or any size) as a pure
// function of its state_dict (class_token, conv_proj.*, encoder.pos_embedding, encoder.layers.encoder_layer_i.*,
// encoder.ln.*, heads.head.*), in inference mode (dropout off): patch embedding by a strided convolution, a class
// token, pre-norm encoder blocks of multi-head self-attention and a GELU MLP, the class token's final state
// through the head.
//
// Spec: a torchvision name, or vit:image=32:patch=8:layers=2:heads=2:hidden=16:mlp=24, each optionally with
// :classes=1000 and :channels=3.
import type { Tensor } from '../tensor/tensor.js';
import { reshape, permute, slice, concat, broadcastTo } from '../ops/layout.js';
import { add, gelu, scale } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { softmax } from '../ops/softmax.js';
import { linear } from '../nn/linear.js';
import { CritError } from '../util/errors.js';
import type { Params } from '../nn/mlp.js';
import { ImageClassifier, archOptions, positiveInt } from './layers.js';

export interface ViTSpec {
  kind: 'vit';
  name: string;
  image: number;
  patch: number;
  layers: number;
  heads: number;
  hidden: number;
  mlp: number;
  classes: number;
  channels: number;
}

type Size = Omit<ViTSpec, 'kind' | 'name' | 'classes' | 'channels'>;
export const VITS: Record<string, Size> = {
  vit_b_16: { image: 224, patch: 16, layers: 12, heads: 12, hidden: 768, mlp: 3072 },
  vit_b_32: { image: 224, patch: 32, layers: 12, heads: 12, hidden: 768, mlp: 3072 },
  vit_l_16: { image: 224, patch: 16, layers: 24, heads: 16, hidden: 1024, mlp: 4096 },
  vit_l_32: { image: 224, patch: 32, layers: 24, heads: 16, hidden: 1024, mlp: 4096 },
  vit_h_14: { image: 224, patch: 14, layers: 32, heads: 16, hidden: 1280, mlp: 5120 },
};
const SIZE_KEYS = ['image', 'patch', 'layers', 'heads', 'hidden', 'mlp'] as const;
const OPTIONS = { image: '224', patch: '16', layers: '12', heads: '12', hidden: '768', mlp: '3072', classes: '1000', channels: '3' };
/** torchvision's ViT normalises with LayerNorm(eps = 1e-6). */
const LN_EPS = 1e-6;

export function isViTArch(spec: string): boolean {
  const name = spec.trim().split(':')[0];
  return name === 'vit' || name in VITS;
}

export function parseViTArch(spec: string): ViTSpec {
  const [name, ...rest] = spec.trim().split(':');
  const named = VITS[name];
  if (!named && name !== 'vit') throw new CritError(`architecture '${spec}': unknown ViT '${name}' (known: ${Object.keys(VITS).join(', ')}, or vit:image=...:patch=...)`);
  const o = archOptions(spec, rest, OPTIONS);
  const size = {} as Size;
  for (const k of SIZE_KEYS) {
    if (named && o[k] !== undefined && k !== 'image') throw new CritError(`architecture '${spec}': ${name} fixes ${k}; use vit:...=... for other sizes`);
    if (!named && o[k] === undefined) throw new CritError(`architecture '${spec}': a custom ViT needs ${SIZE_KEYS.map((s) => `${s}=`).join(', ')}`);
    size[k] = o[k] !== undefined ? positiveInt(spec, k, o[k]) : named[k];
  }
  if (size.image % size.patch) throw new CritError(`architecture '${spec}': image ${size.image} is not a multiple of the patch size ${size.patch}`);
  if (size.hidden % size.heads) throw new CritError(`architecture '${spec}': hidden ${size.hidden} is not a multiple of heads ${size.heads}`);
  return { kind: 'vit', name, ...size, classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000, channels: o.channels ? positiveInt(spec, 'channels', o.channels) : 3 };
}

export function formatViTArch(s: ViTSpec): string {
  const named = VITS[s.name];
  const parts = [named ? s.name : `vit:${SIZE_KEYS.map((k) => `${k}=${s[k]}`).join(':')}`];
  if (named && s.image !== named.image) parts.push(`image=${s.image}`);
  if (s.classes !== 1000) parts.push(`classes=${s.classes}`);
  if (s.channels !== 3) parts.push(`channels=${s.channels}`);
  return parts.join(':');
}

export class ViT extends ImageClassifier<ViTSpec> {
  readonly kind = 'vit';

  constructor(spec: ViTSpec | string) {
    const s = typeof spec === 'string' ? parseViTArch(spec) : spec;
    super(s, formatViTArch(s), [s.channels, s.image, s.image]);
    const b = this.b;
    const E = s.hidden, h = s.heads, d = E / h, S = (s.image / s.patch) ** 2 + 1;
    const cls = b.add('class_token', [1, 1, E], { value: 0 });
    const proj = b.conv('conv_proj', s.channels, E, s.patch, { stride: s.patch, bias: true });
    const pos = b.add('encoder.pos_embedding', [1, S, E], { normal: 0.02 });
    this.blocks.push((p, x) => {
      const B = x.shape[0];
      const patches = permute(reshape(proj(p, x), [B, E, S - 1]), [0, 2, 1]); // [B, S - 1, E], row-major patches
      return add(concat([broadcastTo(p[cls], [B, 1, E]), patches], 1), p[pos]);
    });
    for (let i = 0; i < s.layers; i++) {
      const pre = `encoder.layers.encoder_layer_${i}`;
      const ln1 = b.layerNorm(`${pre}.ln_1`, E, LN_EPS), ln2 = b.layerNorm(`${pre}.ln_2`, E, LN_EPS);
      // nn.MultiheadAttention: q, k, v from one [3E, E] projection (xavier uniform), then out_proj.
      const wIn = b.add(`${pre}.self_attention.in_proj_weight`, [3 * E, E], { uniform: Math.sqrt(6 / (4 * E)) });
      const bIn = b.add(`${pre}.self_attention.in_proj_bias`, [3 * E], { value: 0 });
      const out = b.linear(`${pre}.self_attention.out_proj`, E, E);
      const fc1 = b.linear(`${pre}.mlp.0`, E, s.mlp), fc2 = b.linear(`${pre}.mlp.3`, s.mlp, E);
      const attention = (p: Params, x: Tensor) => {
        const [B, T] = x.shape;
        const qkv = linear(x, p[wIn], p[bIn]); // [B, T, 3E]
        const headsOf = (k: number) => permute(reshape(slice(qkv, [0, 0, k * E], [B, T, (k + 1) * E]), [B, T, h, d]), [0, 2, 1, 3]); // [B, h, T, d]
        const att = softmax(scale(matmul(headsOf(0), headsOf(1), { transB: true }), 1 / Math.sqrt(d)));
        const ctx = reshape(permute(matmul(att, headsOf(2)), [0, 2, 1, 3]), [B, T, E]);
        return out(p, ctx);
      };
      this.blocks.push((p, x) => {
        const y = add(attention(p, ln1(p, x)), x);
        return add(fc2(p, gelu(fc1(p, ln2(p, y)))), y);
      });
    }
    const ln = b.layerNorm('encoder.ln', E, LN_EPS);
    const headFc = b.linear('heads.head', E, s.classes);
    this.blocks.push((p, x) => headFc(p, reshape(slice(ln(p, x), [0, 0, 0], [x.shape[0], 1, E]), [x.shape[0], E])));
    // torchvision's leaf modules: conv_proj, the encoder's dropout, 9 per block, encoder.ln, heads.head.
    this.modules = 2 + 9 * s.layers + 2;
  }
}
