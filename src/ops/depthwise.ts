// Depthwise convolution (groups = channels, one KH x KW kernel per channel) as three primitives that are each
// other's derivatives: the convolution y = x ⊛ w, its input gradient (the transposed convolution of gy with w)
// and its weight gradient (the correlation of x with gy). Each is linear in each argument, so every VJP and JVP
// rule is a call of one of the three, and derivatives of any order close over the family (as conv2d's rules do in
// JAX). conv2d routes groups = in = out channels here: im2col would multiply the memory by KH·KW.
import kernelSource from '../../shaders/depthwise.wgsl';
import windowSource from '../../shaders/window.wgsl';
import { Tensor } from '../tensor/tensor.js';
import { fmt } from '../tensor/shape.js';
import { defineOp, type OpFn } from './op.js';
import { ParamWriter } from './launch.js';
import { add } from './elementwise.js';
import { type Window2d, windowOutput } from './window.js';
import { CritError } from '../util/errors.js';

/** The kernel family, with the window arithmetic it shares with the other window kernels. */
const source = windowSource + kernelSource;

/** The window, and the input images' height and width (the gradients need them to know the shapes). */
export interface DepthwiseAttrs extends Window2d { size: [number, number] }

type Mode = 'FORWARD' | 'INPUT_GRAD' | 'WEIGHT_GRAD';

function dispatch(mode: Mode, a: Tensor, b: Tensor, out: Tensor, B: number, C: number, at: DepthwiseAttrs): void {
  if (out.size === 0) return;
  const [H, W] = at.size, [OH, OW] = windowOutput(at, at.size);
  a.engine.dispatch({
    kernel: { name: 'depthwise', source, defines: { FORWARD: mode === 'FORWARD', INPUT_GRAD: mode === 'INPUT_GRAD', WEIGHT_GRAD: mode === 'WEIGHT_GRAD' } },
    label: `depthwise_${mode.toLowerCase()}`,
    buffers: [a.buffer, b.buffer, out.buffer],
    params: new ParamWriter().u32(out.size).u32(B).u32(C).u32(H).u32(W).u32(OH).u32(OW).u32(at.kernel[0]).u32(at.kernel[1])
      .u32(at.stride[0]).u32(at.stride[1]).u32(at.padding[0]).u32(at.padding[1]).u32(at.dilation[0]).u32(at.dilation[1]).buffer,
    indices: out.size,
    bytes: 4 * (a.size + b.size + out.size),
    flops: 2 * (mode === 'WEIGHT_GRAD' ? B * OH * OW * out.size : out.size * at.kernel[0] * at.kernel[1]),
  });
}

function check(what: string, t: Tensor, want: readonly number[]): void {
  if (t.dtype !== 'f32' || t.rank !== want.length || t.shape.some((d, i) => d !== want[i])) throw new CritError(`${what}: expected f32 ${fmt(want)}, got ${t.dtype} ${fmt(t.shape)}`);
}

/** Visits every (output b·c·oh·ow, input pixel, weight tap) triple of a depthwise convolution, in f64 for the references. */
function eachTap(B: number, C: number, at: DepthwiseAttrs, f: (out: number, pixel: number, tap: number) => void): void {
  const [H, W] = at.size, [OH, OW] = windowOutput(at, at.size), [KH, KW] = at.kernel;
  for (let bc = 0; bc < B * C; bc++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
      const h = oh * at.stride[0] - at.padding[0] + kh * at.dilation[0], w = ow * at.stride[1] - at.padding[1] + kw * at.dilation[1];
      if (h >= 0 && h < H && w >= 0 && w < W) f((bc * OH + oh) * OW + ow, (bc * H + h) * W + w, ((bc % C) * KH + kh) * KW + kw);
    }
  }
}

/** y [B, C, OH, OW] from x [B, C, H, W] and w [C, KH, KW]. */
export const depthwiseOp: OpFn<DepthwiseAttrs> = defineOp<DepthwiseAttrs>({
  name: 'depthwise_conv2d',
  forward([x, w], at) {
    const [B, C] = x.shape;
    check('depthwise_conv2d: images', x, [B, C, ...at.size]);
    check('depthwise_conv2d: weights', w, [C, ...at.kernel]);
    const out = Tensor.empty([B, C, ...windowOutput(at, at.size)], 'f32', x.engine);
    dispatch('FORWARD', x, w, out, B, C, at);
    return out;
  },
  vjp: ({ inputs: [x, w], attrs, needs }, gy) => [
    needs?.[0] === false ? null : depthwiseInputGradOp([gy, w], attrs),
    needs?.[1] === false ? null : depthwiseWeightGradOp([x, gy], attrs),
  ],
  jvp: ({ inputs: [x, w], attrs }, [tx, tw]) => sumOf(tx && depthwiseOp([tx, w], attrs), tw && depthwiseOp([x, tw], attrs)),
  reference: ([x, w], at) => {
    const [B, C] = x.shape, [OH, OW] = windowOutput(at, at.size);
    const data = new Float64Array(B * C * OH * OW);
    eachTap(B, C, at, (o, p, k) => { data[o] += x.data[p] * w.data[k]; });
    return { data, shape: [B, C, OH, OW] };
  },
});

/** gx [B, C, H, W] from gy [B, C, OH, OW] and w: the transpose of x ↦ depthwise(x, w). */
export const depthwiseInputGradOp: OpFn<DepthwiseAttrs> = defineOp<DepthwiseAttrs>({
  name: 'depthwise_conv2d_input_grad',
  forward([gy, w], at) {
    const [B, C] = gy.shape;
    check('depthwise_conv2d_input_grad: output gradient', gy, [B, C, ...windowOutput(at, at.size)]);
    check('depthwise_conv2d_input_grad: weights', w, [C, ...at.kernel]);
    const out = Tensor.empty([B, C, ...at.size], 'f32', gy.engine);
    dispatch('INPUT_GRAD', gy, w, out, B, C, at);
    return out;
  },
  // <g, T(gy, w)> = <depthwise(g, w), gy>: linear in gy and in w.
  vjp: ({ inputs: [gy, w], attrs, needs }, g) => [
    needs?.[0] === false ? null : depthwiseOp([g, w], attrs),
    needs?.[1] === false ? null : depthwiseWeightGradOp([g, gy], attrs),
  ],
  jvp: ({ inputs: [gy, w], attrs }, [tg, tw]) => sumOf(tg && depthwiseInputGradOp([tg, w], attrs), tw && depthwiseInputGradOp([gy, tw], attrs)),
  reference: ([gy, w], at) => {
    const [B, C] = gy.shape;
    const data = new Float64Array(B * C * at.size[0] * at.size[1]);
    eachTap(B, C, at, (o, p, k) => { data[p] += gy.data[o] * w.data[k]; });
    return { data, shape: [B, C, ...at.size] };
  },
});

/** gw [C, KH, KW] from x and gy: the correlation that is depthwise's weight gradient. */
export const depthwiseWeightGradOp: OpFn<DepthwiseAttrs> = defineOp<DepthwiseAttrs>({
  name: 'depthwise_conv2d_weight_grad',
  forward([x, gy], at) {
    const [B, C] = x.shape;
    check('depthwise_conv2d_weight_grad: images', x, [B, C, ...at.size]);
    check('depthwise_conv2d_weight_grad: output gradient', gy, [B, C, ...windowOutput(at, at.size)]);
    const out = Tensor.empty([C, ...at.kernel], 'f32', x.engine);
    dispatch('WEIGHT_GRAD', x, gy, out, B, C, at);
    return out;
  },
  // <G, Wg(x, gy)> = <depthwise(x, G), gy> = <x, T(gy, G)>.
  vjp: ({ inputs: [x, gy], attrs, needs }, g) => [
    needs?.[0] === false ? null : depthwiseInputGradOp([gy, g], attrs),
    needs?.[1] === false ? null : depthwiseOp([x, g], attrs),
  ],
  jvp: ({ inputs: [x, gy], attrs }, [tx, tg]) => sumOf(tx && depthwiseWeightGradOp([tx, gy], attrs), tg && depthwiseWeightGradOp([x, tg], attrs)),
  reference: ([x, gy], at) => {
    const [B, C] = x.shape;
    const data = new Float64Array(C * at.kernel[0] * at.kernel[1]);
    eachTap(B, C, at, (o, p, k) => { data[k] += gy.data[o] * x.data[p]; });
    return { data, shape: [C, ...at.kernel] };
  },
});

function sumOf(a: Tensor | null, b: Tensor | null): Tensor | null {
  return a && b ? add(a, b) : a ?? b;
}

/** Depthwise convolution of x [B, C, H, W] with w [C, KH, KW] over a window (no bias). */
export function depthwiseConv2d(x: Tensor, w: Tensor, window: Window2d): Tensor {
  return depthwiseOp([x, w], { ...window, size: [x.shape[2], x.shape[3]] });
}
