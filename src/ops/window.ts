// The window of a convolution or pooling over NCHW images: its shape, checks and output size (shared by
// ops/conv.ts and ops/depthwise.ts).
import { CritError } from '../util/errors.js';

/**
 * The window of a convolution or pooling: kernel size, stride, zero padding on each side, dilation (height, width),
 * and for max pooling PyTorch's ceil_mode (a last, partial window where the input does not divide evenly).
 */
export interface Window2d { kernel: [number, number]; stride: [number, number]; padding: [number, number]; dilation: [number, number]; ceil?: boolean }

export type Pair = number | readonly [number, number];
export const pair = (v: Pair): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/**
 * Output height and width: floor((H + 2p - d (k - 1) - 1) / s) + 1, as PyTorch; with ceil, the ceiling, less one
 * where the last window would start beyond the input and its left padding (PyTorch's pooling_output_shape).
 */
export function windowOutput(w: Window2d, [H, W]: readonly number[]): [number, number] {
  const out = (n: number, i: 0 | 1) => {
    const span = n + 2 * w.padding[i] - w.dilation[i] * (w.kernel[i] - 1) - 1;
    if (!w.ceil) return Math.floor(span / w.stride[i]) + 1;
    let o = Math.ceil(span / w.stride[i]) + 1;
    if ((o - 1) * w.stride[i] >= n + w.padding[i]) o--;
    return o;
  };
  return [out(H, 0), out(W, 1)];
}

/** Normalises and checks a window for images of size [H, W]; `what` names the caller in errors. */
export function window2d(what: string, size: readonly number[], o: { kernel: Pair; stride?: Pair; padding?: Pair; dilation?: Pair; ceil?: boolean }): Window2d {
  const w: Window2d = { kernel: pair(o.kernel), stride: pair(o.stride ?? 1), padding: pair(o.padding ?? 0), dilation: pair(o.dilation ?? 1), ...(o.ceil ? { ceil: true } : {}) };
  for (const [k, lo] of [['kernel', 1], ['stride', 1], ['padding', 0], ['dilation', 1]] as const) {
    for (const v of w[k]) if (!Number.isInteger(v) || v < lo) throw new CritError(`${what}: ${k} must be integers >= ${lo}, got [${w[k].join(', ')}]`);
  }
  const [OH, OW] = windowOutput(w, size);
  if (OH < 1 || OW < 1) {
    throw new CritError(`${what}: a ${w.kernel.join('x')} window (dilation ${w.dilation.join('x')}, padding ${w.padding.join('x')}) does not fit images of ${size.join('x')}`);
  }
  return w;
}

