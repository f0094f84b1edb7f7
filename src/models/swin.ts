// torchvision's Swin Transformer (swin_t, swin_s, swin_b) in eval mode, from its state_dict (features.0.0 the 4x4
// patch convolution, features.0.2 its LayerNorm, features.<s>.<j>.{norm1, attn.qkv, attn.proj,
// attn.relative_position_bias_table, norm2, mlp.0, mlp.3}, the patch merging features.<s>.{norm, reduction}, norm,
// head): window attention over non-overlapping windows of the NHWC feature map, every second block with the
// windows shifted by half a window (a cyclic roll and an attention mask, as torchvision), a learned relative
// position bias per head, and a GELU MLP; patch merging halves the resolution and doubles the channels.
//
// Spec: swin_t, swin_s, swin_b, or swin:embed=96:depths=2-2-6-2:heads=3-6-12-24:window=7; :input, :classes.
import { Tensor } from '../tensor/tensor.js';
import { concat, gather, padOp, permute, reshape, slice } from '../ops/layout.js';
import { add, gelu, scale } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { mean } from '../ops/reduce.js';
import { softmax } from '../ops/softmax.js';
import { linear } from '../nn/linear.js';
import { CritError } from '../util/errors.js';
import type { Params } from '../nn/mlp.js';
import { ImageClassifier, archOptions, positiveInt, imageShape, type Layer } from './layers.js';

const NAMED: Record<string, { embed: number; depths: number[]; heads: number[]; window: number }> = {
  swin_t: { embed: 96, depths: [2, 2, 6, 2], heads: [3, 6, 12, 24], window: 7 },
  swin_s: { embed: 96, depths: [2, 2, 18, 2], heads: [3, 6, 12, 24], window: 7 },
  swin_b: { embed: 128, depths: [2, 2, 18, 2], heads: [4, 8, 16, 32], window: 7 },
};
export interface SwinSpec { kind: 'swin'; name: string; embed: number; depths: number[]; heads: number[]; window: number; classes: number; input: [number, number, number] }

export function isSwinArch(spec: string): boolean { const n = spec.trim().split(':')[0]; return n === 'swin' || n in NAMED; }

export function parseSwinArch(spec: string): SwinSpec {
  const [name, ...rest] = spec.trim().split(':');
  if (!(name in NAMED) && name !== 'swin') throw new CritError(`architecture '${spec}': unknown Swin Transformer '${name}' (known: ${Object.keys(NAMED).join(', ')}, or swin:embed=..:depths=..:heads=..:window=..)`);
  const o = archOptions(spec, rest, { embed: '96', depths: '2-2-6-2', heads: '3-6-12-24', window: '7', input: '3x224x224', classes: '1000' });
  const named = NAMED[name];
  if (named && (o.embed || o.depths || o.heads || o.window)) throw new CritError(`architecture '${spec}': ${name} fixes its sizes; use swin:embed=..:depths=..:heads=..:window=..`);
  if (!named && (!o.embed || !o.depths || !o.heads || !o.window)) throw new CritError(`architecture '${spec}': a custom Swin needs embed=, depths=, heads= and window=`);
  const list = (k: string, v: string) => v.split('-').map((x) => positiveInt(spec, k, x));
  const s: SwinSpec = {
    kind: 'swin', name, embed: o.embed ? positiveInt(spec, 'embed', o.embed) : named.embed, depths: o.depths ? list('depths', o.depths) : named.depths,
    heads: o.heads ? list('heads', o.heads) : named.heads, window: o.window ? positiveInt(spec, 'window', o.window) : named.window,
    classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000, input: o.input ? imageShape(spec, o.input) : [3, 224, 224],
  };
  if (s.depths.length !== s.heads.length) throw new CritError(`architecture '${spec}': ${s.depths.length} depths for ${s.heads.length} head counts`);
  s.heads.forEach((h, i) => { if ((s.embed * 2 ** i) % h) throw new CritError(`architecture '${spec}': stage ${i + 1} has ${s.embed * 2 ** i} channels, not a multiple of ${h} heads`); });
  return s;
}

export function formatSwinArch(s: SwinSpec): string {
  const parts = [s.name !== 'swin' ? s.name : `swin:embed=${s.embed}:depths=${s.depths.join('-')}:heads=${s.heads.join('-')}:window=${s.window}`];
  if (s.input.join('x') !== '3x224x224') parts.push(`input=${s.input.join('x')}`);
  if (s.classes !== 1000) parts.push(`classes=${s.classes}`);
  return parts.join(':');
}

/** x rolled by `shift` along `axis` (torch.roll): element i moves to i + shift. */
function roll(x: Tensor, shift: number, axis: number): Tensor {
  const n = x.shape[axis], k = ((shift % n) + n) % n;
  if (k === 0) return x;
  const cut = (a: number, b: number) => slice(x, x.shape.map((_, d) => (d === axis ? a : 0)), x.shape.map((s, d) => (d === axis ? b : s)));
  return concat([cut(n - k, n), cut(0, n - k)], axis);
}

/** The relative position index of a w x w window: torchvision's define_relative_position_index. */
function relativePositionIndex(w: number): Int32Array {
  const n = w * w, out = new Int32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const dh = Math.floor(i / w) - Math.floor(j / w) + w - 1, dw = (i % w) - (j % w) + w - 1;
    out[i * n + j] = dh * (2 * w - 1) + dw;
  }
  return out;
}

/**
 * The shifted windows' attention mask [windows, w², w²]: 0 within a region of the rolled map, −100 across (the
 * regions as torchvision labels them: rows [0, n − w), [n − w, n − shift), [n − shift, n), columns likewise).
 */
function shiftMask(pH: number, pW: number, w: number, sh: number, sw: number): Float32Array {
  const region = new Int32Array(pH * pW);
  const band = (i: number, n: number, s: number) => (s === 0 ? 2 : i < n - w ? 0 : i < n - s ? 1 : 2);
  for (let h = 0; h < pH; h++) for (let x = 0; x < pW; x++) region[h * pW + x] = band(h, pH, sh) * 3 + band(x, pW, sw);
  const nh = pH / w, nw = pW / w, n = w * w;
  const mask = new Float32Array(nh * nw * n * n);
  for (let a = 0; a < nh; a++) for (let b = 0; b < nw; b++) {
    const win = a * nw + b;
    const id = (k: number) => region[(a * w + Math.floor(k / w)) * pW + b * w + (k % w)];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) mask[(win * n + i) * n + j] = id(i) === id(j) ? 0 : -100;
  }
  return mask;
}

export class SwinTransformer extends ImageClassifier {
  readonly kind = 'swin';
  readonly spec: SwinSpec;

  constructor(spec: SwinSpec | string) {
    const s = typeof spec === 'string' ? parseSwinArch(spec) : spec;
    super(formatSwinArch(s), s.input, s.classes);
    this.spec = s;
    const b = this.b, w = s.window;
    const patch = b.conv('features.0.0', s.input[0], s.embed, 4, { stride: 4, bias: true });
    const patchNorm = b.layerNorm('features.0.2', s.embed);
    let pending: Layer | null = (p, x) => patchNorm(p, permute(patch(p, x), [0, 2, 3, 1]));
    const index = relativePositionIndex(w);
    // Leaf modules: patch embedding 3; 10 per block (two norms, qkv, proj, stochastic depth, the MLP's five);
    // 2 per patch merging; norm, permute, avgpool, flatten, head.
    let modules = 3 + 5, feature = 1;
    s.depths.forEach((depth, si) => {
      const dim = s.embed * 2 ** si, heads = s.heads[si], d = dim / heads;
      for (let j = 0; j < depth; j++) {
        const pre = `features.${feature}.${j}`;
        const norm1 = b.layerNorm(`${pre}.norm1`, dim), norm2 = b.layerNorm(`${pre}.norm2`, dim);
        const qkvW = b.add(`${pre}.attn.qkv.weight`, [3 * dim, dim], { uniform: 1 / Math.sqrt(dim) });
        const qkvB = b.add(`${pre}.attn.qkv.bias`, [3 * dim], { value: 0 });
        const proj = b.linear(`${pre}.attn.proj`, dim, dim);
        const table = b.add(`${pre}.attn.relative_position_bias_table`, [(2 * w - 1) ** 2, heads], { normal: 0.02 });
        const fc1 = b.linear(`${pre}.mlp.0`, dim, 4 * dim), fc2 = b.linear(`${pre}.mlp.3`, 4 * dim, dim);
        const shifted = j % 2 === 1;
        const attention = (p: Params, x: Tensor): Tensor => {
          const [B, H, W, C] = x.shape;
          const pH = Math.ceil(H / w) * w, pW = Math.ceil(W / w) * w;
          let h = pH !== H || pW !== W ? padOp([x], { begin: [0, 0, 0, 0], shape: [B, pH, pW, C] }) : x;
          // No shift when one window covers the map (torchvision sets the shift to 0 along such an axis).
          const sh = shifted && w < pH ? w >> 1 : 0, sw = shifted && w < pW ? w >> 1 : 0;
          h = roll(roll(h, -sh, 1), -sw, 2);
          const nW = (pH / w) * (pW / w), n = w * w;
          const win = reshape(permute(reshape(h, [B, pH / w, w, pW / w, w, C]), [0, 1, 3, 2, 4, 5]), [B * nW, n, C]);
          const qkv = permute(reshape(linear(win, p[qkvW], p[qkvB]), [B * nW, n, 3, heads, d]), [2, 0, 3, 1, 4]); // [3, B nW, heads, n, d]
          const part = (k: number) => reshape(slice(qkv, [k, 0, 0, 0, 0], [k + 1, B * nW, heads, n, d]), [B * nW, heads, n, d]);
          const bias = permute(reshape(gather(p[table], Tensor.from(index, [index.length], 'i32')), [n, n, heads]), [2, 0, 1]);
          let att = add(matmul(scale(part(0), d ** -0.5), part(1), { transB: true }), bias); // [B nW, heads, n, n]
          if (sh + sw > 0) {
            const mask = Tensor.from(shiftMask(pH, pW, w, sh, sw), [1, nW, 1, n, n]);
            att = reshape(add(reshape(att, [B, nW, heads, n, n]), mask), [B * nW, heads, n, n]);
          }
          const ctx = reshape(permute(matmul(softmax(att), part(2)), [0, 2, 1, 3]), [B * nW, n, C]);
          let out = reshape(permute(reshape(proj(p, ctx), [B, pH / w, pW / w, w, w, C]), [0, 1, 3, 2, 4, 5]), [B, pH, pW, C]);
          out = roll(roll(out, sh, 1), sw, 2);
          return pH !== H || pW !== W ? slice(out, [0, 0, 0, 0], [B, H, W, C]) : out;
        };
        const block: Layer = (p, x) => { const y = add(x, attention(p, norm1(p, x))); return add(y, fc2(p, gelu(fc1(p, norm2(p, y))))); };
        const before = pending;
        pending = null;
        this.blocks.push(before ? (p, x) => block(p, before(p, x)) : block);
        modules += 10;
      }
      feature++;
      if (si < s.depths.length - 1) {
        const norm = b.layerNorm(`features.${feature}.norm`, 4 * dim);
        const reduction = b.add(`features.${feature}.reduction.weight`, [2 * dim, 4 * dim], { uniform: 1 / Math.sqrt(4 * dim) });
        pending = (p, x) => {
          // torchvision's _patch_merging_pad: pad H and W to even, then x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2].
          const [B, H, W, C] = x.shape;
          const h = H % 2 || W % 2 ? padOp([x], { begin: [0, 0, 0, 0], shape: [B, H + (H % 2), W + (W % 2), C] }) : x;
          const [H2, W2] = [h.shape[1] / 2, h.shape[2] / 2];
          const grid = reshape(h, [B, H2, 2, W2, 2, C]);
          const at = (dh: number, dw: number) => reshape(slice(grid, [0, 0, dh, 0, dw, 0], [B, H2, dh + 1, W2, dw + 1, C]), [B, H2, W2, C]);
          return linear(norm(p, concat([at(0, 0), at(1, 0), at(0, 1), at(1, 1)], 3)), p[reduction]);
        };
        modules += 2;
        feature++;
      }
    });
    const last = s.embed * 2 ** (s.depths.length - 1);
    const norm = b.layerNorm('norm', last), head = b.linear('head', last, s.classes);
    this.blocks.push((p, x) => head(p, mean(norm(p, x), [1, 2])));
    this.modules = modules;
  }
}
