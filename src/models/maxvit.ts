// torchvision's MaxViT (maxvit_t) in eval mode, from its state_dict (stem.0.0, stem.1.0, blocks.<b>.layers.<l>.layers.
// {MBconv, window_attention, grid_attention}..., classifier.{2,3,5}): per layer an MBConv (pre-norm, expansion,
// depthwise, squeeze-excitation, projection; an average-pooled 1x1 shortcut when it downsamples), then attention
// within non-overlapping P x P windows and attention across a P x P grid of the same positions in every window
// (both with a learned relative position bias per head, q·k scaled by C^-1/2 as torchvision), each followed by a
// GELU MLP; a tanh head.
//
// Spec: maxvit_t, or maxvit:stem=64:channels=64-128-256-512:layers=2-2-5-2:head_dim=32:partition=7; :input,
// :classes.
import type { Tensor } from '../tensor/tensor.js';
import { Tensor as HostTensor } from '../tensor/tensor.js';
import { gather, permute, reshape, slice, transpose } from '../ops/layout.js';
import { add, gelu, scale, sigmoid, tanh } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { mean } from '../ops/reduce.js';
import { softmax } from '../ops/softmax.js';
import { avgPool2d } from '../ops/conv.js';
import { linear } from '../nn/linear.js';
import { silu } from '../nn/activations.js';
import { CritError } from '../util/errors.js';
import type { Params } from '../nn/mlp.js';
import { ImageClassifier, formatSpec, archOptions, positiveInt, imageShape, type Layer } from './layers.js';

export interface MaxViTSpec { kind: 'maxvit'; name: string; stem: number; channels: number[]; layers: number[]; headDim: number; partition: number; classes: number; input: [number, number, number] }
const NAMED: Record<string, Omit<MaxViTSpec, 'kind' | 'name' | 'classes' | 'input'>> = {
  maxvit_t: { stem: 64, channels: [64, 128, 256, 512], layers: [2, 2, 5, 2], headDim: 32, partition: 7 },
};
/** torchvision's MaxViT normalises images with BatchNorm2d(eps = 1e-3). */
const BN_EPS = 1e-3;

export function isMaxViTArch(spec: string): boolean { const n = spec.trim().split(':')[0]; return n === 'maxvit' || n in NAMED; }

export function parseMaxViTArch(spec: string): MaxViTSpec {
  const [name, ...rest] = spec.trim().split(':');
  if (!(name in NAMED) && name !== 'maxvit') throw new CritError(`architecture '${spec}': unknown MaxViT '${name}' (known: ${Object.keys(NAMED).join(', ')}, or maxvit:stem=..:channels=..:layers=..:head_dim=..:partition=..)`);
  const o = archOptions(spec, rest, { stem: '64', channels: '64-128-256-512', layers: '2-2-5-2', head_dim: '32', partition: '7', input: '3x224x224', classes: '1000' });
  const named = NAMED[name];
  if (named && (o.stem || o.channels || o.layers || o.head_dim || o.partition)) throw new CritError(`architecture '${spec}': ${name} fixes its sizes; use maxvit:...`);
  if (!named && (!o.stem || !o.channels || !o.layers || !o.head_dim || !o.partition)) throw new CritError(`architecture '${spec}': a custom MaxViT needs stem=, channels=, layers=, head_dim= and partition=`);
  const list = (k: string, v: string) => v.split('-').map((x) => positiveInt(spec, k, x));
  const s: MaxViTSpec = {
    kind: 'maxvit', name, stem: o.stem ? positiveInt(spec, 'stem', o.stem) : named.stem, channels: o.channels ? list('channels', o.channels) : named.channels,
    layers: o.layers ? list('layers', o.layers) : named.layers, headDim: o.head_dim ? positiveInt(spec, 'head_dim', o.head_dim) : named.headDim,
    partition: o.partition ? positiveInt(spec, 'partition', o.partition) : named.partition,
    classes: o.classes ? positiveInt(spec, 'classes', o.classes) : 1000, input: o.input ? imageShape(spec, o.input) : [3, 224, 224],
  };
  if (s.channels.length !== s.layers.length) throw new CritError(`architecture '${spec}': ${s.channels.length} channel counts for ${s.layers.length} layer counts`);
  for (const c of s.channels) if (c % s.headDim) throw new CritError(`architecture '${spec}': ${c} channels are not a multiple of head_dim ${s.headDim}`);
  // Every block's grid must split into partitions (torchvision refuses the model otherwise).
  let [h, w] = [s.input[1], s.input[2]].map((n) => Math.floor((n - 1) / 2) + 1);
  for (let i = 0; i < s.channels.length; i++) {
    [h, w] = [h, w].map((n) => Math.floor((n - 1) / 2) + 1);
    if (h % s.partition || w % s.partition) throw new CritError(`architecture '${spec}': block ${i + 1} sees a ${h}x${w} grid, not divisible by the partition size ${s.partition}`);
  }
  return s;
}

export function formatMaxViTArch(s: MaxViTSpec): string {
  const parts = [s.name !== 'maxvit' ? s.name : `maxvit:stem=${s.stem}:channels=${s.channels.join('-')}:layers=${s.layers.join('-')}:head_dim=${s.headDim}:partition=${s.partition}`];
  return formatSpec(parts.join(':'), s);
}

/** torchvision's _get_relative_position_index for a size x size window, flattened. */
function relativeIndex(size: number): Int32Array {
  const n = size * size, out = new Int32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = (Math.floor(i / size) - Math.floor(j / size) + size - 1) * (2 * size - 1) + (i % size) - (j % size) + size - 1;
  return out;
}

/** [B, C, H, W] → [B, (H/p)(W/p), p², C] (WindowPartition). */
function partition(x: Tensor, p: number): Tensor {
  const [B, C, H, W] = x.shape;
  return reshape(permute(reshape(x, [B, C, H / p, p, W / p, p]), [0, 2, 4, 3, 5, 1]), [B, (H / p) * (W / p), p * p, C]);
}
/** The inverse of partition (WindowDepartition). */
function departition(x: Tensor, p: number, hp: number, wp: number): Tensor {
  const [B, , , C] = x.shape;
  return reshape(permute(reshape(x, [B, hp, wp, p, p, C]), [0, 5, 1, 3, 2, 4]), [B, C, hp * p, wp * p]);
}

export class MaxViT extends ImageClassifier<MaxViTSpec> {
  readonly kind = 'maxvit';

  constructor(spec: MaxViTSpec | string) {
    const s = typeof spec === 'string' ? parseMaxViTArch(spec) : spec;
    super(s, formatMaxViTArch(s), s.input);
    const b = this.b, P = s.partition;
    const stem0 = b.convBn('stem.0', s.input[0], s.stem, 3, { stride: 2, eps: BN_EPS });
    const stem1 = b.conv('stem.1.0', s.stem, s.stem, 3, { padding: 1, bias: true });
    let pending: Layer | null = (p, x) => stem1(p, gelu(stem0(p, x)));
    const index = relativeIndex(P);
    // Leaf modules: stem 4; MBConv 15 (+1 for the pooled shortcut); each attention layer 14; classifier 6.
    let modules = 4 + 6, cin = s.stem;
    let [gh, gw] = [s.input[1], s.input[2]].map((n) => Math.floor((n - 1) / 2) + 1);
    s.channels.forEach((cout, bi) => {
      [gh, gw] = [gh, gw].map((n) => Math.floor((n - 1) / 2) + 1);
      const [GH, GW] = [gh, gw]; // this block's grid (the closures below must not see later blocks' sizes)
      for (let l = 0; l < s.layers[bi]; l++) {
        const pre = `blocks.${bi}.layers.${l}.layers`, stride = l === 0 ? 2 : 1, c0 = l === 0 ? cin : cout;
        // MBConv
        const m = `${pre}.MBconv`, mid = Math.floor(cout * 4), sqz = Math.floor(cout * 0.25);
        const shortcut: Layer | null = stride === 2
          ? (() => { const c = b.conv(`${m}.proj.1`, c0, cout, 1, { bias: true }); return (p: Params, x: Tensor) => c(p, avgPool2d(x, { kernel: 3, stride: 2, padding: 1 })); })()
          : c0 !== cout ? (() => { const c = b.conv(`${m}.proj.0`, c0, cout, 1, { bias: true }); return (p: Params, x: Tensor) => c(p, x); })() : null;
        const preNorm = b.batchNorm(`${m}.layers.pre_norm`, c0, BN_EPS);
        const convA = b.convBn(`${m}.layers.conv_a`, c0, mid, 1, { eps: BN_EPS });
        const convB = b.convBn(`${m}.layers.conv_b`, mid, mid, 3, { stride, groups: mid, eps: BN_EPS });
        const se = b.squeezeExcitation(`${m}.layers.squeeze_excitation`, mid, sqz, silu, sigmoid);
        const convC = b.conv(`${m}.layers.conv_c`, mid, cout, 1, { bias: true });
        const mbconv: Layer = (p, x) => add(shortcut ? shortcut(p, x) : x, convC(p, se(p, gelu(convB(p, gelu(convA(p, preNorm(p, x))))))));
        modules += stride === 2 ? 16 : 15;
        // Window attention, then grid attention: the same layer over partitions of size P, or over the P x P grid
        // whose cells are (H/P) apart (partition by H/P, then swap the partition and position axes).
        const attentionLayer = (name: string, grid: boolean): Layer => {
          const heads = cout / s.headDim, dh = s.headDim;
          const ln1 = b.layerNorm(`${name}.attn_layer.0`, cout);
          const qkv = b.linear(`${name}.attn_layer.1.to_qkv`, cout, 3 * cout), merge = b.linear(`${name}.attn_layer.1.merge`, cout, cout);
          const table = b.add(`${name}.attn_layer.1.relative_position_bias_table`, [(2 * P - 1) ** 2, heads], { normal: 0.02 });
          const ln2 = b.layerNorm(`${name}.mlp_layer.0`, cout);
          const fc1 = b.linear(`${name}.mlp_layer.1`, cout, 4 * cout), fc2 = b.linear(`${name}.mlp_layer.3`, 4 * cout, cout);
          modules += 14;
          const attend = (p: Params, x: Tensor): Tensor => {
            const [B, G, T, C] = x.shape;
            const t = qkv(p, ln1(p, x)); // [B, G, T, 3C]
            const heads4 = (k: number) => permute(reshape(slice(t, [0, 0, 0, k * C], [B, G, T, (k + 1) * C]), [B, G, T, heads, dh]), [0, 1, 3, 2, 4]);
            const bias = permute(reshape(gather(p[table], HostTensor.from(index, [index.length], 'i32')), [T, T, heads]), [2, 0, 1]);
            const att = softmax(add(matmul(heads4(0), scale(heads4(1), C ** -0.5), { transB: true }), bias));
            return merge(p, reshape(permute(matmul(att, heads4(2)), [0, 1, 3, 2, 4]), [B, G, T, C]));
          };
          const pSize = grid ? GH / P : P;
          return (p, x) => {
            let h = partition(x, pSize);
            if (grid) h = transpose(h, 1, 2);
            h = add(h, attend(p, h));
            h = add(h, fc2(p, gelu(fc1(p, ln2(p, h)))));
            if (grid) h = transpose(h, 1, 2);
            return departition(h, pSize, GH / pSize, GW / pSize);
          };
        };
        const win = attentionLayer(`${pre}.window_attention`, false), grd = attentionLayer(`${pre}.grid_attention`, true);
        const layer: Layer = (p, x) => grd(p, win(p, mbconv(p, x)));
        const before = pending;
        pending = null;
        this.blocks.push(before ? (p, x) => layer(p, before(p, x)) : layer);
      }
      cin = cout;
    });
    const last = s.channels[s.channels.length - 1];
    const ln = b.layerNorm('classifier.2', last), fc = b.linear('classifier.3', last, last);
    const out = b.add('classifier.5.weight', [s.classes, last], { uniform: 1 / Math.sqrt(last) });
    this.blocks.push((p, x) => linear(tanh(fc(p, ln(p, mean(x, [2, 3])))), p[out]));
    this.modules = modules;
  }
}
