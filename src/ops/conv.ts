// Convolution and pooling over NCHW images, built on two primitives that are each other's adjoint:
// unfold2d (im2col: every receptive field as a column, torch.nn.functional.unfold's layout) and fold2d
// (col2im: the sum of the columns back onto the pixels they came from). A convolution is then one batched
// matrix product with the weights, pooling a max or mean over each column, and every derivative (VJP, JVP,
// reverse-over-forward) follows from the rules of unfold2d, fold2d, matmul and the reductions.
import source from '../../shaders/conv.wgsl';
import { Tensor } from '../tensor/tensor.js';
import { fmt } from '../tensor/shape.js';
import { defineOp, type HostTensor, type OpFn } from './op.js';
import { ParamWriter, groups1d, WG } from './launch.js';
import { matmul } from './matmul.js';
import { add } from './elementwise.js';
import { max, mean } from './reduce.js';
import { reshape } from './layout.js';
import { CritError } from '../util/errors.js';

/** The window of a convolution or pooling: kernel size, stride, zero padding on each side, dilation (height, width). */
export interface Window2d { kernel: [number, number]; stride: [number, number]; padding: [number, number]; dilation: [number, number] }
/** unfold2d: the window, and the value read where the window covers the padding. */
export interface UnfoldAttrs extends Window2d { fill: number }
/** fold2d: the window, and the height and width of the images the columns came from. */
export interface FoldAttrs extends Window2d { size: [number, number] }

/** What max pooling pads with: the lowest f32, so padding never wins (and no infinities reach the GPU). */
const LOWEST_F32 = -3.4028234663852886e38;

type Pair = number | readonly [number, number];
const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** Output height and width: floor((H + 2p - d (k - 1) - 1) / s) + 1, as PyTorch. */
export function windowOutput(w: Window2d, [H, W]: readonly number[]): [number, number] {
  const out = (n: number, i: 0 | 1) => Math.floor((n + 2 * w.padding[i] - w.dilation[i] * (w.kernel[i] - 1) - 1) / w.stride[i]) + 1;
  return [out(H, 0), out(W, 1)];
}

/** Normalises and checks a window for images of size [H, W]; `what` names the caller in errors. */
export function window2d(what: string, size: readonly number[], o: { kernel: Pair; stride?: Pair; padding?: Pair; dilation?: Pair }): Window2d {
  const w: Window2d = { kernel: pair(o.kernel), stride: pair(o.stride ?? 1), padding: pair(o.padding ?? 0), dilation: pair(o.dilation ?? 1) };
  for (const [k, lo] of [['kernel', 1], ['stride', 1], ['padding', 0], ['dilation', 1]] as const) {
    for (const v of w[k]) if (!Number.isInteger(v) || v < lo) throw new CritError(`${what}: ${k} must be integers >= ${lo}, got [${w[k].join(', ')}]`);
  }
  const [OH, OW] = windowOutput(w, size);
  if (OH < 1 || OW < 1) {
    throw new CritError(`${what}: a ${w.kernel.join('x')} window (dilation ${w.dilation.join('x')}, padding ${w.padding.join('x')}) does not fit images of ${size.join('x')}`);
  }
  return w;
}

function checkImages(x: Tensor, what: string): void {
  if (x.rank !== 4) throw new CritError(`${what}: expected images [batch, channels, height, width], got ${fmt(x.shape)}`);
  if (x.dtype !== 'f32') throw new CritError(`${what}: needs f32 images, got ${x.dtype} ${fmt(x.shape)}`);
}

function dispatch(unfold: boolean, src: Tensor, out: Tensor, C: number, [H, W]: number[], [OH, OW]: number[], w: Window2d, fill: number): void {
  if (out.size === 0) return;
  src.engine.dispatch({
    kernel: { name: 'conv', source, defines: { UNFOLD: unfold, WG } },
    label: unfold ? 'unfold2d' : 'fold2d',
    buffers: [src.buffer, out.buffer],
    params: new ParamWriter().u32(out.size).u32(C).u32(H).u32(W).u32(OH).u32(OW).u32(w.kernel[0]).u32(w.kernel[1])
      .u32(w.stride[0]).u32(w.stride[1]).u32(w.padding[0]).u32(w.padding[1]).u32(w.dilation[0]).u32(w.dilation[1]).f32(fill).buffer,
    workgroups: groups1d(out.size),
    bytes: 4 * (src.size + out.size),
  });
}

const windowOf = (a: Window2d): Window2d => ({ kernel: a.kernel, stride: a.stride, padding: a.padding, dilation: a.dilation });

/** Visits every (column row, column, pixel) triple of the unfolding: f(colIndex, pixelIndex or -1 in the padding). */
function eachPatchEntry(B: number, C: number, [H, W]: number[], w: Window2d, f: (col: number, pixel: number) => void): void {
  const [OH, OW] = windowOutput(w, [H, W]);
  const [KH, KW] = w.kernel;
  let i = 0;
  for (let bc = 0; bc < B * C; bc++) {
    for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
      for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++, i++) {
        const h = oh * w.stride[0] - w.padding[0] + kh * w.dilation[0], x = ow * w.stride[1] - w.padding[1] + kw * w.dilation[1];
        f(i, h >= 0 && h < H && x >= 0 && x < W ? (bc * H + h) * W + x : -1);
      }
    }
  }
}

export const unfold2dOp: OpFn<UnfoldAttrs> = defineOp<UnfoldAttrs>({
  name: 'unfold2d',
  forward([x], a) {
    checkImages(x, 'unfold2d');
    const [B, C, H, W] = x.shape;
    const [OH, OW] = windowOutput(a, [H, W]);
    const out = Tensor.empty([B, C * a.kernel[0] * a.kernel[1], OH * OW], 'f32', x.engine);
    dispatch(true, x, out, C, [H, W], [OH, OW], a, a.fill);
    return out;
  },
  vjp: ({ inputs: [x], attrs }, gy) => [fold2dOp([gy], { ...windowOf(attrs), size: [x.shape[2], x.shape[3]] })],
  // The padding is a constant: its tangent is zero whatever it is filled with.
  jvp: ({ attrs }, [t]) => unfold2dOp([t!], { ...attrs, fill: 0 }),
  reference: ([x], a) => {
    const [B, C, H, W] = x.shape;
    const [OH, OW] = windowOutput(a, [H, W]);
    const data = new Float64Array(B * C * a.kernel[0] * a.kernel[1] * OH * OW);
    eachPatchEntry(B, C, [H, W], a, (i, p) => { data[i] = p < 0 ? a.fill : x.data[p]; });
    return { data, shape: [B, C * a.kernel[0] * a.kernel[1], OH * OW] };
  },
});

export const fold2dOp: OpFn<FoldAttrs> = defineOp<FoldAttrs>({
  name: 'fold2d',
  forward([cols], a) {
    if (cols.rank !== 3 || cols.dtype !== 'f32') throw new CritError(`fold2d: expected f32 columns [batch, channels * ${a.kernel.join(' * ')}, positions], got ${cols.dtype} ${fmt(cols.shape)}`);
    const [B, rows, L] = cols.shape;
    const KK = a.kernel[0] * a.kernel[1];
    const [OH, OW] = windowOutput(a, a.size);
    if (rows % KK !== 0 || L !== OH * OW) {
      throw new CritError(`fold2d: columns ${fmt(cols.shape)} do not come from ${a.size.join('x')} images with a ${a.kernel.join('x')} window (want [batch, C * ${KK}, ${OH * OW}])`);
    }
    const C = rows / KK;
    const out = Tensor.empty([B, C, ...a.size], 'f32', cols.engine);
    dispatch(false, cols, out, C, a.size, [OH, OW], a, 0);
    return out;
  },
  vjp: ({ attrs }, gy) => [unfold2dOp([gy], { ...windowOf(attrs), fill: 0 })],
  jvp: ({ attrs }, [t]) => fold2dOp([t!], attrs),
  reference: ([cols], a) => {
    const [B, rows] = cols.shape;
    const C = rows / (a.kernel[0] * a.kernel[1]);
    const data = new Float64Array(B * C * a.size[0] * a.size[1]);
    eachPatchEntry(B, C, a.size, a, (i, p) => { if (p >= 0) data[p] += cols.data[i]; });
    return { data, shape: [B, C, ...a.size] };
  },
});

export interface ConvOptions { stride?: Pair; padding?: Pair; dilation?: Pair; groups?: number }

/**
 * 2-d convolution (cross-correlation, as torch.nn.functional.conv2d): x [B, C, H, W], weight
 * [Cout, C / groups, KH, KW] (PyTorch's layout), optional bias [Cout] → [B, Cout, OH, OW].
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, o: ConvOptions = {}): Tensor {
  checkImages(x, 'conv2d');
  const [B, C, H, W] = x.shape;
  if (weight.rank !== 4) throw new CritError(`conv2d: weight must be [out_channels, in_channels / groups, kh, kw], got ${fmt(weight.shape)}`);
  const [Cout, Cg, KH, KW] = weight.shape;
  const g = o.groups ?? 1;
  if (!Number.isInteger(g) || g < 1 || C % g !== 0 || Cout % g !== 0) throw new CritError(`conv2d: groups ${g} must divide the ${C} input and ${Cout} output channels`);
  if (Cg * g !== C) throw new CritError(`conv2d: weight ${fmt(weight.shape)} expects ${Cg * g} input channels (groups ${g}), images ${fmt(x.shape)} have ${C}`);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== Cout)) throw new CritError(`conv2d: bias must be [${Cout}], got ${fmt(bias.shape)}`);
  const w = window2d('conv2d', [H, W], { kernel: [KH, KW], stride: o.stride, padding: o.padding, dilation: o.dilation });
  const [OH, OW] = windowOutput(w, [H, W]);
  const cols = unfold2dOp([x], { ...w, fill: 0 }); // [B, C KH KW, OH OW], channel-major: each group's rows are contiguous
  const y = g === 1
    ? matmul(reshape(weight, [Cout, C * KH * KW]), cols)
    : matmul(reshape(weight, [g, Cout / g, Cg * KH * KW]), reshape(cols, [B, g, Cg * KH * KW, OH * OW]));
  const out = reshape(y, [B, Cout, OH, OW]);
  return bias ? add(out, reshape(bias, [Cout, 1, 1])) : out;
}

export interface PoolOptions { kernel: Pair; stride?: Pair; padding?: Pair; dilation?: Pair }

function pool(x: Tensor, o: PoolOptions, what: string, fill: number, reduce: (t: Tensor) => Tensor): Tensor {
  checkImages(x, what);
  const [B, C, H, W] = x.shape;
  const w = window2d(what, [H, W], { ...o, stride: o.stride ?? o.kernel });
  if (w.padding.some((p, i) => 2 * p > w.kernel[i])) throw new CritError(`${what}: padding ${w.padding.join('x')} must be at most half the ${w.kernel.join('x')} kernel`);
  const [OH, OW] = windowOutput(w, [H, W]);
  const cols = reshape(unfold2dOp([x], { ...w, fill }), [B, C, w.kernel[0] * w.kernel[1], OH * OW]);
  return reshape(reduce(cols), [B, C, OH, OW]);
}

/** Max over each window (stride defaults to the kernel), as torch.nn.functional.max_pool2d; ties share the gradient. */
export const maxPool2d = (x: Tensor, o: PoolOptions) => pool(x, o, 'maxPool2d', LOWEST_F32, (t) => max(t, 2));
/** Mean over each window, zero padding counted (PyTorch's count_include_pad = true). */
export const avgPool2d = (x: Tensor, o: PoolOptions) => pool(x, o, 'avgPool2d', 0, (t) => mean(t, 2));

/** im2col: [B, C, H, W] → [B, C KH KW, OH OW] with zero padding (torch.nn.functional.unfold). */
export function unfold2d(x: Tensor, o: PoolOptions): Tensor {
  checkImages(x, 'unfold2d');
  return unfold2dOp([x], { ...window2d('unfold2d', x.shape.slice(2), o), fill: 0 });
}

/** f64 direct convolution (no im2col), the reference the tests hold conv2d to. */
export function conv2dReference(x: HostTensor, weight: HostTensor, bias: HostTensor | null, o: ConvOptions = {}): HostTensor {
  const [B, C, H, W] = x.shape, [Cout, Cg, KH, KW] = weight.shape;
  const g = o.groups ?? 1;
  const w = window2d('conv2dReference', [H, W], { kernel: [KH, KW], stride: o.stride, padding: o.padding, dilation: o.dilation });
  const [OH, OW] = windowOutput(w, [H, W]);
  const data = new Float64Array(B * Cout * OH * OW);
  let i = 0;
  for (let b = 0; b < B; b++) for (let co = 0; co < Cout; co++) {
    const c0 = Math.floor(co / (Cout / g)) * Cg;
    for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++, i++) {
      let s = bias ? bias.data[co] : 0;
      for (let c = 0; c < Cg; c++) for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
        const h = oh * w.stride[0] - w.padding[0] + kh * w.dilation[0], xx = ow * w.stride[1] - w.padding[1] + kw * w.dilation[1];
        if (h < 0 || h >= H || xx < 0 || xx >= W) continue;
        s += x.data[((b * C + c0 + c) * H + h) * W + xx] * weight.data[((co * Cg + c) * KH + kh) * KW + kw];
      }
      data[i] = s;
    }
  }
  return { data, shape: [B, Cout, OH, OW] };
}

/** f64 pooling reference: max or mean over each window (padding excluded from max, counted as 0 in mean). */
export function pool2dReference(x: HostTensor, o: PoolOptions, kind: 'max' | 'avg'): HostTensor {
  const [B, C, H, W] = x.shape;
  const w = window2d('pool2dReference', [H, W], { ...o, stride: o.stride ?? o.kernel });
  const [OH, OW] = windowOutput(w, [H, W]);
  const data = new Float64Array(B * C * OH * OW);
  let i = 0;
  for (let bc = 0; bc < B * C; bc++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++, i++) {
    let m = -Infinity, s = 0;
    for (let kh = 0; kh < w.kernel[0]; kh++) for (let kw = 0; kw < w.kernel[1]; kw++) {
      const h = oh * w.stride[0] - w.padding[0] + kh * w.dilation[0], xx = ow * w.stride[1] - w.padding[1] + kw * w.dilation[1];
      if (h < 0 || h >= H || xx < 0 || xx >= W) continue;
      const v = x.data[(bc * H + h) * W + xx];
      m = Math.max(m, v); s += v;
    }
    data[i] = kind === 'max' ? m : s / (w.kernel[0] * w.kernel[1]);
  }
  return { data, shape: [B, C, OH, OW] };
}
