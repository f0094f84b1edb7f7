// Convolution and pooling over NCHW images, built on two primitives that are each other's adjoint:
// unfold2d (im2col: every receptive field as a column, torch.nn.functional.unfold's layout) and fold2d
// (col2im: the sum of the columns back onto the pixels they came from). A convolution is then one batched
// matrix product with the weights and average pooling a mean over each column; max pooling gathers each
// window's argmax. Every derivative (VJP, JVP, reverse-over-forward) follows from the rules of these
// primitives, matmul and the reductions.
import kernelSource from '../../shaders/conv.wgsl';
import windowSource from '../../shaders/window.wgsl';
import { Tensor } from '../tensor/tensor.js';
import { fmt } from '../tensor/shape.js';
import { defineOp, type HostTensor, type OpFn } from './op.js';
import { ParamWriter } from './launch.js';
import { matmul } from './matmul.js';
import { add } from './elementwise.js';
import { mean } from './reduce.js';
import { reshape } from './layout.js';
import { CritError } from '../util/errors.js';
import { type Window2d, type Pair, windowOutput, window2d } from './window.js';
import { depthwiseConv2d } from './depthwise.js';

/** The kernel family, with the window arithmetic it shares with the other window kernels. */
const source = windowSource + kernelSource;

export { type Window2d, windowOutput, window2d } from './window.js';

/** unfold2d: the window, and the value read where the window covers the padding. */
export interface UnfoldAttrs extends Window2d { fill: number }
/** fold2d: the window, and the height and width of the images the columns came from. */
export interface FoldAttrs extends Window2d { size: [number, number] }


function checkImages(x: Tensor, what: string): void {
  if (x.rank !== 4) throw new CritError(`${what}: expected images [batch, channels, height, width], got ${fmt(x.shape)}`);
  if (x.dtype !== 'f32') throw new CritError(`${what}: needs f32 images, got ${x.dtype} ${fmt(x.shape)}`);
}

type Mode = 'UNFOLD' | 'FOLD' | 'ARGMAX' | 'GATHER' | 'SCATTER';

/** One kernel of shaders/conv.wgsl over `out`; `idx` for GATHER and SCATTER (argmax indices). */
function dispatch(mode: Mode, src: Tensor, out: Tensor, C: number, [H, W]: readonly number[], [OH, OW]: readonly number[], w: Window2d, fill = 0, idx?: Tensor): void {
  if (out.size === 0) return;
  // Invocations: UNFOLD one per run of OW outputs, FOLD and SCATTER one per row of W pixels, else one per window.
  const n = mode === 'UNFOLD' ? out.size / OW : mode === 'FOLD' || mode === 'SCATTER' ? out.size / W : out.size;
  const defines: Record<string, boolean | number> = { IDX: !!idx, WINDOW_SUM: mode === 'FOLD' || mode === 'SCATTER' };
  for (const m of ['UNFOLD', 'FOLD', 'ARGMAX', 'GATHER', 'SCATTER']) defines[m] = m === mode;
  src.engine.dispatch({
    kernel: { name: 'conv', source, defines },
    label: mode === 'UNFOLD' || mode === 'FOLD' ? `${mode.toLowerCase()}2d` : `pool_${mode.toLowerCase()}`,
    buffers: idx ? [src.buffer, idx.buffer, out.buffer] : [src.buffer, out.buffer],
    params: new ParamWriter().u32(n).u32(C).u32(H).u32(W).u32(OH).u32(OW).u32(w.kernel[0]).u32(w.kernel[1])
      .u32(w.stride[0]).u32(w.stride[1]).u32(w.padding[0]).u32(w.padding[1]).u32(w.dilation[0]).u32(w.dilation[1]).f32(fill).buffer,
    indices: n,
    bytes: 4 * (src.size + out.size + (idx?.size ?? 0)),
  });
}

const windowOf = (a: Window2d): Window2d => ({ kernel: a.kernel, stride: a.stride, padding: a.padding, dilation: a.dilation, ...(a.ceil ? { ceil: true } : {}) });

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
    dispatch('UNFOLD', x, out, C, [H, W], [OH, OW], a, a.fill);
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
    dispatch('FOLD', cols, out, C, a.size, [OH, OW], a);
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


// ---- max pooling: the argmax of each window (not differentiable), then a gather of those pixels ----
// The gather and its adjoint scatter are linear in their float input and each other's VJP, so max pooling has
// exact first and higher derivatives (with PyTorch's choice among ties: the window's first maximum), and costs
// one pass over the input forward and one backward.

/** Pooling ops' attrs: the window and the size [H, W] of the pooled images. */
export interface PoolAttrs extends Window2d { size: [number, number] }

function checkIndices(idx: Tensor, want: readonly number[], what: string): void {
  if (idx.dtype !== 'i32' || idx.rank !== 4 || idx.shape.some((d, i) => d !== want[i])) throw new CritError(`${what}: indices must be i32 ${fmt(want)}, got ${idx.dtype} ${fmt(idx.shape)}`);
}

/** Visits every window of every (b, c) plane: f(windowIndex, planeOffset, pixels of the window as plane-local indices). */
function eachWindow(BC: number, [H, W]: readonly number[], w: Window2d, f: (i: number, plane: number, pixels: number[]) => void): void {
  const [OH, OW] = windowOutput(w, [H, W]);
  let i = 0;
  for (let bc = 0; bc < BC; bc++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++, i++) {
    const pixels: number[] = [];
    for (let kh = 0; kh < w.kernel[0]; kh++) for (let kw = 0; kw < w.kernel[1]; kw++) {
      const h = oh * w.stride[0] - w.padding[0] + kh * w.dilation[0], x = ow * w.stride[1] - w.padding[1] + kw * w.dilation[1];
      if (h >= 0 && h < H && x >= 0 && x < W) pixels.push(h * W + x);
    }
    f(i, bc * H * W, pixels);
  }
}

export const poolArgmaxOp: OpFn<Window2d> = defineOp<Window2d>({
  name: 'pool_argmax',
  nondiff: [0],
  forward([x], a) {
    checkImages(x, 'pool_argmax');
    const [B, C, H, W] = x.shape;
    const [OH, OW] = windowOutput(a, [H, W]);
    const out = Tensor.empty([B, C, OH, OW], 'i32', x.engine);
    dispatch('ARGMAX', x, out, C, [H, W], [OH, OW], a);
    return out;
  },
  vjp: () => [null],
  jvp: () => null,
  reference: ([x], a) => {
    const [B, C, H, W] = x.shape;
    const [OH, OW] = windowOutput(a, [H, W]);
    const data = new Float64Array(B * C * OH * OW);
    eachWindow(B * C, [H, W], a, (i, plane, px) => {
      let best = -1;
      for (const p of px) if (best < 0 || x.data[plane + p] > x.data[plane + best]) best = p;
      data[i] = best;
    });
    return { data, shape: [B, C, OH, OW] };
  },
});

export const poolGatherOp: OpFn<PoolAttrs> = defineOp<PoolAttrs>({
  name: 'pool_gather',
  nondiff: [1],
  forward([x, idx], a) {
    checkImages(x, 'pool_gather');
    const [B, C, H, W] = x.shape;
    const [OH, OW] = windowOutput(a, [H, W]);
    checkIndices(idx, [B, C, OH, OW], 'pool_gather');
    const out = Tensor.empty([B, C, OH, OW], 'f32', x.engine);
    dispatch('GATHER', x, out, C, [H, W], [OH, OW], a, 0, idx);
    return out;
  },
  vjp: ({ inputs: [, idx], attrs }, gy) => [poolScatterOp([gy, idx], attrs), null],
  jvp: ({ inputs: [, idx], attrs }, [t]) => poolGatherOp([t!, idx], attrs),
  reference: ([x, idx], a) => {
    const [B, C, H, W] = x.shape;
    const n = idx.data.length, per = n / (B * C);
    return { data: Float64Array.from(idx.data, (p, i) => x.data[Math.floor(i / per) * H * W + p]), shape: [...idx.shape] };
  },
});

export const poolScatterOp: OpFn<PoolAttrs> = defineOp<PoolAttrs>({
  name: 'pool_scatter',
  nondiff: [1],
  forward([g, idx], a) {
    if (g.rank !== 4 || g.dtype !== 'f32') throw new CritError(`pool_scatter: expected f32 [batch, channels, OH, OW], got ${g.dtype} ${fmt(g.shape)}`);
    const [B, C] = g.shape;
    const [OH, OW] = windowOutput(a, a.size);
    if (g.shape[2] !== OH || g.shape[3] !== OW) throw new CritError(`pool_scatter: ${fmt(g.shape)} are not the ${OH}x${OW} windows of ${a.size.join('x')} images`);
    checkIndices(idx, g.shape, 'pool_scatter');
    const out = Tensor.empty([B, C, ...a.size], 'f32', g.engine);
    dispatch('SCATTER', g, out, C, a.size, [OH, OW], a, 0, idx);
    return out;
  },
  vjp: ({ inputs: [, idx], attrs }, gy) => [poolGatherOp([gy, idx], attrs), null],
  jvp: ({ inputs: [, idx], attrs }, [t]) => poolScatterOp([t!, idx], attrs),
  reference: ([g, idx], a) => {
    const [B, C] = g.shape;
    const [H, W] = a.size;
    const data = new Float64Array(B * C * H * W);
    const per = idx.data.length / (B * C);
    idx.data.forEach((p, i) => { data[Math.floor(i / per) * H * W + p] += g.data[i]; });
    return { data, shape: [B, C, H, W] };
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
  // [B, C KH KW, OH OW], channel-major (each group's rows contiguous). A 1x1 convolution with stride 1 and no padding
  // reads every pixel once in place: its columns are the images themselves, a view (most convolutions of
  // MobileNets, EfficientNets and bottleneck ResNets).
  // Depthwise (one kernel per channel): direct kernels, no im2col (it would multiply the memory by KH·KW).
  if (g === C && Cout === C && (KH > 1 || KW > 1)) {
    const out = depthwiseConv2d(x, reshape(weight, [C, KH, KW]), w);
    return bias ? add(out, reshape(bias, [Cout, 1, 1])) : out;
  }
  const pointwise = KH === 1 && KW === 1 && w.stride.every((v) => v === 1) && w.padding.every((v) => v === 0);
  const cols = pointwise ? reshape(x, [B, C, H * W]) : unfold2dOp([x], { ...w, fill: 0 });
  const y = g === 1
    ? matmul(reshape(weight, [Cout, C * KH * KW]), cols)
    : matmul(reshape(weight, [g, Cout / g, Cg * KH * KW]), reshape(cols, [B, g, Cg * KH * KW, OH * OW]));
  const out = reshape(y, [B, Cout, OH, OW]);
  return bias ? add(out, reshape(bias, [Cout, 1, 1])) : out;
}

export interface PoolOptions { kernel: Pair; stride?: Pair; padding?: Pair; dilation?: Pair; ceilMode?: boolean }

/** A pooling window (stride defaults to the kernel; padding at most half the kernel, as PyTorch requires). */
function poolWindow(x: Tensor, o: PoolOptions, what: string): Window2d {
  if (o.ceilMode && what !== 'maxPool2d') throw new CritError(`${what}: ceilMode is supported for max pooling only`);
  const w = window2d(what, x.shape.slice(2), { kernel: o.kernel, padding: o.padding, dilation: o.dilation, stride: o.stride ?? o.kernel, ceil: o.ceilMode });
  if (w.padding.some((p, i) => 2 * p > w.kernel[i])) throw new CritError(`${what}: padding ${w.padding.join('x')} must be at most half the ${w.kernel.join('x')} kernel`);
  return w;
}

/**
 * Max over each window (stride defaults to the kernel), as torch.nn.functional.max_pool2d (ceilMode included):
 * the gradient goes to the window's first maximal pixel, as PyTorch's.
 */
export function maxPool2d(x: Tensor, o: PoolOptions): Tensor {
  checkImages(x, 'maxPool2d');
  const w = poolWindow(x, o, 'maxPool2d');
  return poolGatherOp([x, poolArgmaxOp([x], w)], { ...w, size: [x.shape[2], x.shape[3]] });
}
/** Mean over each window, zero padding counted (PyTorch's count_include_pad = true): a mean over unfolded columns. */
export function avgPool2d(x: Tensor, o: PoolOptions): Tensor {
  checkImages(x, 'avgPool2d');
  const w = poolWindow(x, o, 'avgPool2d');
  const [B, C, H, W] = x.shape;
  const [OH, OW] = windowOutput(w, [H, W]);
  const cols = reshape(unfold2dOp([x], { ...w, fill: 0 }), [B, C, w.kernel[0] * w.kernel[1], OH * OW]);
  return reshape(mean(cols, 2), [B, C, OH, OW]);
}

/**
 * Adaptive average pooling to [OH, OW] (torch's AdaptiveAvgPool2d): output cell (i, j) averages rows
 * floor(i H / OH) .. ceil((i + 1) H / OH) − 1 and the columns likewise. The windows are products of a row
 * window and a column window, so the pooling is A_h · x · A_wᵀ with two small averaging matrices: two matrix
 * products, whatever the sizes (shrinking, identity or, for outputs larger than the input, replicating).
 */
export function adaptiveAvgPool2d(x: Tensor, [OH, OW]: readonly [number, number]): Tensor {
  checkImages(x, 'adaptiveAvgPool2d');
  for (const v of [OH, OW]) if (!Number.isInteger(v) || v < 1) throw new CritError(`adaptiveAvgPool2d: output size must be positive integers, got [${OH}, ${OW}]`);
  const [, , H, W] = x.shape;
  if (H === OH && W === OW) return x;
  const averaging = (n: number, out: number) => {
    const a = new Float32Array(out * n);
    for (let i = 0; i < out; i++) {
      const lo = Math.floor((i * n) / out), hi = Math.ceil(((i + 1) * n) / out);
      for (let k = lo; k < hi; k++) a[i * n + k] = 1 / (hi - lo);
    }
    return a;
  };
  const rows = Tensor.from(averaging(H, OH), [OH, H]);
  const cols = Tensor.from(averaging(W, OW), [OW, W]);
  return matmul(rows, matmul(x, cols, { transB: true }));
}

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
  const w = window2d('pool2dReference', [H, W], { kernel: o.kernel, padding: o.padding, dilation: o.dilation, stride: o.stride ?? o.kernel, ceil: o.ceilMode });
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
