// torchvision's Swin Transformer (swin_t, swin_s, swin_b) and Swin V2 (swin_v2_t, _s, _b) in eval mode, from its state_dict (features.0.0 the 4x4
// patch convolution, features.0.2 its LayerNorm, features.<s>.<j>.{norm1, attn.qkv, attn.proj,
// attn.relative_position_bias_table, norm2, mlp.0, mlp.3}, the patch merging features.<s>.{norm, reduction}, norm,
// head): window attention over non-overlapping windows of the NHWC feature map, every second block with the
// windows shifted by half a window (a cyclic roll and an attention mask, as torchvision), a learned relative
// position bias per head, and a GELU MLP; patch merging halves the resolution and doubles the channels.
//
// Spec: swin_t, swin_s, swin_b, swin_v2_t, swin_v2_s, swin_v2_b, or swin[_v2]:embed=96:depths=2-2-6-2:heads=3-6-12-24:window=7;
// :input (default 3x224x224, V2 3x256x256), :classes.
import { Tensor } from '../tensor/tensor.js';
import { concat, gather, padOp, permute, reshape, slice } from '../ops/layout.js';
import { add, exp, gelu, minimum, mul, relu, scale, sigmoid } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { mean, normalize } from '../ops/reduce.js';
import { softmax } from '../ops/softmax.js';
import { linear } from '../nn/linear.js';
import { CritError } from '../util/errors.js';
import type { Params } from '../nn/mlp.js';
import { ImageClassifier, formatSpec, archOptions, positiveInt, imageShape, type Layer } from './layers.js';

const NAMED: Record<string, { embed: number; depths: number[]; heads: number[]; window: number; version: 1 | 2 }> = {
  swin_t: { embed: 96, depths: [2, 2, 6, 2], heads: [3, 6, 12, 24], window: 7, version: 1 },
  swin_s: { embed: 96, depths: [2, 2, 18, 2], heads: [3, 6, 12, 24], window: 7, version: 1 },
  swin_b: { embed: 128, depths: [2, 2, 18, 2], heads: [4, 8, 16, 32], window: 7, version: 1 },
  swin_v2_t: { embed: 96, depths: [2, 2, 6, 2], heads: [3, 6, 12, 24], window: 8, version: 2 },
  swin_v2_s: { embed: 96, depths: [2, 2, 18, 2], heads: [3, 6, 12, 24], window: 8, version: 2 },
  swin_v2_b: { embed: 128, depths: [2, 2, 18, 2], heads: [4, 8, 16, 32], window: 8, version: 2 },
};
/**
 * version 2 (Swin V2): cosine attention with a learned, clamped temperature per head, the position bias from a small
 * MLP over log-spaced relative coordinates (16·sigmoid), the k part of the qkv bias unused, norms after attention
 * and MLP instead of before, patch merging that normalises after the reduction.
 */
export interface SwinSpec { kind: 'swin'; name: string; version: 1 | 2; embed: number; depths: number[]; heads: number[]; window: number; classes: number; input: [number, number, number] }

export function isSwinArch(spec: string): boolean { const n = spec.trim().split(':')[0]; return n === 'swin' || n === 'swin_v2' || n in NAMED; }

export function parseSwinArch(spec: string): SwinSpec {
  const [name, ...rest] = spec.trim().split(':');
  if (!(name in NAMED) && name !== 'swin' && name !== 'swin_v2') throw new CritError(`architecture '${spec}': unknown Swin Transformer '${name}' (known: ${Object.keys(NAMED).join(', ')}, or swin[_v2]:embed=..:depths=..:heads=..:window=..)`);
  const o = archOptions(spec, rest, { embed: '96', depths: '2-2-6-2', heads: '3-6-12-24', window: '7', input: '3x224x224', classes: '1000' });
  const named = NAMED[name];
  if (named && (o.embed || o.depths || o.heads || o.window)) throw new CritError(`architecture '${spec}': ${name} fixes its sizes; use swin:embed=..:depths=..:heads=..:window=..`);
  if (!named && (!o.embed || !o.depths || !o.heads || !o.window)) throw new CritError(`architecture '${spec}': a custom Swin needs embed=, depths=, heads= and window=`);
  const list = (k: string, v: string) => v.split('-').map((x) => positiveInt(spec, k, x));
  const version = named ? named.version : name === 'swin_v2' ? 2 : 1;
  const s: SwinSpec = {
    kind: 'swin', name, version, embed: o.embed ? positiveInt(spec, 'embed', o.embed) : named.embed, depths: o.depths ? list('depths', o.depths) : named.depths,
    heads: o.heads ? list('heads', o.heads) : named.heads, window: o.window ? positiveInt(spec, 'window', o.window) : named.window,
    // Swin V2's weights were trained and are evaluated on 256x256 images.
    classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000, input: o.input ? imageShape(spec, o.input) : version === 2 ? [3, 256, 256] : [3, 224, 224],
  };
  if (s.depths.length !== s.heads.length) throw new CritError(`architecture '${spec}': ${s.depths.length} depths for ${s.heads.length} head counts`);
  s.heads.forEach((h, i) => { if ((s.embed * 2 ** i) % h) throw new CritError(`architecture '${spec}': stage ${i + 1} has ${s.embed * 2 ** i} channels, not a multiple of ${h} heads`); });
  return s;
}

export function formatSwinArch(s: SwinSpec): string {
  const custom = s.name === 'swin' || s.name === 'swin_v2';
  const parts = [!custom ? s.name : `${s.name}:embed=${s.embed}:depths=${s.depths.join('-')}:heads=${s.heads.join('-')}:window=${s.window}`];
  return formatSpec(parts.join(':'), s, s.version === 2 ? '3x256x256' : '3x224x224');
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

/** Swin V2's relative coordinates [(2w − 1)², 2]: (dh, dw) / (w − 1) · 8, then sign · log2(|t| + 1) / 3. */
function logCoordinates(w: number): Float32Array {
  const m = 2 * w - 1, out = new Float32Array(m * m * 2);
  const f = (v: number) => { const t = Math.fround(Math.fround(v / (w - 1)) * 8); return Math.sign(t) * Math.log2(Math.abs(t) + 1) / 3; };
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) { out[(i * m + j) * 2] = f(i - (w - 1)); out[(i * m + j) * 2 + 1] = f(j - (w - 1)); }
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

export class SwinTransformer extends ImageClassifier<SwinSpec> {
  readonly kind = 'swin';

  constructor(spec: SwinSpec | string) {
    const s = typeof spec === 'string' ? parseSwinArch(spec) : spec;
    super(s, formatSwinArch(s), s.input);
    const b = this.b, w = s.window, v2 = s.version === 2;
    const coords = logCoordinates(w);
    // The attention masks of shifted windows depend only on the padded map and the shifts: made once per size
    // (the power iteration runs every block many times).
    const maskCache = new Map<string, Float32Array>();
    const masks = (pH: number, pW: number, sh: number, sw: number) => {
      const key = `${pH}x${pW}:${sh},${sw}`;
      let m = maskCache.get(key);
      if (!m) maskCache.set(key, (m = shiftMask(pH, pW, w, sh, sw)));
      return m;
    };
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
        // The position bias per head and window pair: a learned table (V1), or an MLP over log coordinates (V2).
        let positionTable: (p: Params) => Tensor;
        let logitScale: string | null = null;
        if (v2) {
          logitScale = b.add(`${pre}.attn.logit_scale`, [heads, 1, 1], { value: Math.log(10) });
          const cpb1 = b.linear(`${pre}.attn.cpb_mlp.0`, 2, 512);
          const cpb2 = b.add(`${pre}.attn.cpb_mlp.2.weight`, [heads, 512], { uniform: 1 / Math.sqrt(512) });
          // A buffer of torchvision's state_dict: read from the file (torch's own f32 values), computed at init.
          const table = b.add(`${pre}.attn.relative_coords_table`, [1, 2 * w - 1, 2 * w - 1, 2], { data: coords });
          positionTable = (p) => linear(relu(cpb1(p, reshape(p[table], [(2 * w - 1) ** 2, 2]))), p[cpb2]);
        } else {
          const table = b.add(`${pre}.attn.relative_position_bias_table`, [(2 * w - 1) ** 2, heads], { normal: 0.02 });
          positionTable = (p) => p[table];
        }
        const fc1 = b.linear(`${pre}.mlp.0`, dim, 4 * dim), fc2 = b.linear(`${pre}.mlp.3`, 4 * dim, dim);
        const shifted = j % 2 === 1;
        // Swin V2 ignores the k third of the qkv bias (torchvision zeroes it before each use).
        const kBiasOff = Float32Array.from({ length: 3 * dim }, (_, i) => (i >= dim && i < 2 * dim ? 0 : 1));
        const attention = (p: Params, x: Tensor): Tensor => {
          const [B, H, W, C] = x.shape;
          const pH = Math.ceil(H / w) * w, pW = Math.ceil(W / w) * w;
          let h = pH !== H || pW !== W ? padOp([x], { begin: [0, 0, 0, 0], shape: [B, pH, pW, C] }) : x;
          // No shift when one window covers the map (torchvision sets the shift to 0 along such an axis).
          const sh = shifted && w < pH ? w >> 1 : 0, sw = shifted && w < pW ? w >> 1 : 0;
          h = roll(roll(h, -sh, 1), -sw, 2);
          const nW = (pH / w) * (pW / w), n = w * w;
          const win = reshape(permute(reshape(h, [B, pH / w, w, pW / w, w, C]), [0, 1, 3, 2, 4, 5]), [B * nW, n, C]);
          const qkvBias = v2 ? mul(p[qkvB], Tensor.from(kBiasOff, [3 * dim])) : p[qkvB];
          const qkv = permute(reshape(linear(win, p[qkvW], qkvBias), [B * nW, n, 3, heads, d]), [2, 0, 3, 1, 4]); // [3, B nW, heads, n, d]
          const part = (k: number) => reshape(slice(qkv, [k, 0, 0, 0, 0], [k + 1, B * nW, heads, n, d]), [B * nW, heads, n, d]);
          let bias = permute(reshape(gather(positionTable(p), Tensor.from(index, [index.length], 'i32')), [n, n, heads]), [2, 0, 1]);
          let logits: Tensor;
          if (v2) {
            bias = scale(sigmoid(bias), 16);
            const temperature = exp(minimum(p[logitScale!], Math.log(100))); // [heads, 1, 1]
            logits = mul(matmul(normalize(part(0), -1, 1e-12), normalize(part(1), -1, 1e-12), { transB: true }), temperature); // padded tokens have k = 0
          } else {
            logits = matmul(scale(part(0), d ** -0.5), part(1), { transB: true });
          }
          let att = add(logits, bias); // [B nW, heads, n, n]
          if (sh + sw > 0) {
            const mask = Tensor.from(masks(pH, pW, sh, sw), [1, nW, 1, n, n]);
            att = reshape(add(reshape(att, [B, nW, heads, n, n]), mask), [B * nW, heads, n, n]);
          }
          const ctx = reshape(permute(matmul(softmax(att), part(2)), [0, 2, 1, 3]), [B * nW, n, C]);
          let out = reshape(permute(reshape(proj(p, ctx), [B, pH / w, pW / w, w, w, C]), [0, 1, 3, 2, 4, 5]), [B, pH, pW, C]);
          out = roll(roll(out, sh, 1), sw, 2);
          return pH !== H || pW !== W ? slice(out, [0, 0, 0, 0], [B, H, W, C]) : out;
        };
        const mlp = (p: Params, x: Tensor) => fc2(p, gelu(fc1(p, x)));
        const block: Layer = v2
          ? (p, x) => { const y = add(x, norm1(p, attention(p, x))); return add(y, norm2(p, mlp(p, y))); }
          : (p, x) => { const y = add(x, attention(p, norm1(p, x))); return add(y, mlp(p, norm2(p, y))); };
        const before = pending;
        pending = null;
        this.blocks.push(before ? (p, x) => block(p, before(p, x)) : block);
        // V2's attention adds the position MLP's three modules.
        modules += v2 ? 13 : 10;
      }
      feature++;
      if (si < s.depths.length - 1) {
        const norm = b.layerNorm(`features.${feature}.norm`, v2 ? 2 * dim : 4 * dim);
        const reduction = b.add(`features.${feature}.reduction.weight`, [2 * dim, 4 * dim], { uniform: 1 / Math.sqrt(4 * dim) });
        pending = (p, x) => {
          // torchvision's _patch_merging_pad: pad H and W to even, then x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2].
          const [B, H, W, C] = x.shape;
          const h = H % 2 || W % 2 ? padOp([x], { begin: [0, 0, 0, 0], shape: [B, H + (H % 2), W + (W % 2), C] }) : x;
          const [H2, W2] = [h.shape[1] / 2, h.shape[2] / 2];
          const grid = reshape(h, [B, H2, 2, W2, 2, C]);
          const at = (dh: number, dw: number) => reshape(slice(grid, [0, 0, dh, 0, dw, 0], [B, H2, dh + 1, W2, dw + 1, C]), [B, H2, W2, C]);
          const merged = concat([at(0, 0), at(1, 0), at(0, 1), at(1, 1)], 3);
          return v2 ? norm(p, linear(merged, p[reduction])) : linear(norm(p, merged), p[reduction]);
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
