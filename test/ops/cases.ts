// The one place that says, per op of `opTable`, how to make valid random inputs and attrs, and how far the
// GPU's f32 result may be from the f64 reference (with why). Every test that walks the table reads this
// file; an op of the table without an entry here fails those tests.
import * as crit from '../../src/index.node.js';
import type { HostTensor, Tensor, RegisterChoice } from '../../src/index.node.js';
import { type Case, type In, type Tol, type Rng, U, ULP, f32, withSpecials, distinct, ints, sizeOf } from './harness.js';

export interface OpSpec {
  /** Forward cases: sizes that are not multiples of tiles/workgroups (1, 7, 33, 65, 130), broadcasting, rank <= 4. */
  forward(r: Rng): Case[];
  /** Small cases for derivative checks (finite differences cost two reference calls per input element), or why there are none. */
  grad: ((r: Rng) => Case[]) | string;
  tol: Tol | ((c: Case) => Tol);
  /** Derivative tolerance relative to the largest entry of the derivative (default GRAD_TOL, see there). */
  gradTol?: number;
}

/**
 * A function under test: an op of the table (applied directly) or a composite of the public API.
 * `ref` is the f64 CPU reference; `diff` lists the inputs that are differentiated.
 */
export interface Subject {
  name: string;
  gpu(inputs: Tensor[], attrs: any): Tensor;
  ref(inputs: HostTensor[], attrs: any): HostTensor;
  diff(c: Case): number[];
  spec: OpSpec;
}

/**
 * Derivative checks compare f32 GPU rules with f64 central differences of the reference (FD error ~1e-10).
 * The derivative cases are small: sums of at most ~12 terms (12 u = 7e-7 of the sum of magnitudes), and
 * rules that chain at most ~5 f32 ops of at most ~20 ulp each (exp, tanh, division): about 1e-5 of the
 * largest entry. A wrong rule (a missing term, a transposed operand) is off by O(1).
 */
export const GRAD_TOL = 1e-5;

const fmtShape = (s: number[]) => `[${s.join(',')}]`;

// ---- tolerances (f32 against the f64 reference) ----
const EXACT: Tol = { rtol: 0, why: 'no rounding: sign, comparisons, max, data movement' };
const ROUNDED: Tol = { rtol: U, why: 'one correctly rounded f32 operation (WGSL: + - * are correctly rounded)' };
const DIVISION: Tol = { rtol: 2.5 * ULP, why: 'WGSL division: 2.5 ulp' };
const SQRT: Tol = { rtol: 5 * ULP, why: 'WGSL sqrt is inherited from 1 / inverseSqrt: 2 + 2.5 ulp' };
const EXP4: Tol = { rtol: 11 * ULP, why: 'WGSL exp: 3 + 2|x| ulp, |x| <= 4' };
const LOG: Tol = { rtol: 3 * ULP, atol: 2 ** -21, why: 'WGSL log: 2^-21 absolute on [0.5, 2], 3 ulp elsewhere' };
const SIGMOID: Tol = { rtol: 14 * ULP, why: '1 / (1 + exp(-x)), |x| <= 4: exp 11 ulp, add 0.5, division 2.5' };
// WGSL bounds tanh only through sinh/cosh, i.e. through exp(±x) (3 + 2|x| ulp each, |x| <= 2.7 here): about
// 2 x 8.4 ulp relative, and near 0 (where e^x - e^-x cancels) the same amount absolute.
const TANH: Tol = { rtol: 17 * ULP, atol: 17 * ULP, why: 'tanh inherited from sinh/cosh: 2 (3 + 2|x|) ulp, |x| <= 2.7, absolute near 0' };
// Products and sums of a few tanh values scaled by A B^k < 1.2: the tanh error times at most 3, absolute.
const TANH_POLY: Tol = { rtol: 4 * 17 * ULP, atol: 4 * 17 * ULP, why: 'a product of up to three tanh terms (TANH each) and a few roundings' };
// erf by Abramowitz-Stegun 7.1.26 (|error| < 1.5e-7), scaled by 0.5 |x| <= 2, plus exp and roundings.
const GELU: Tol = { rtol: 8 * ULP, atol: 3.5e-7, why: 'erf approximation 1.5e-7 absolute x 0.5|x| (|x| <= 4) plus roundings' };
const GELU_GRAD: Tol = { rtol: 8 * ULP, atol: 2.5e-7, why: 'erf approximation 1.5e-7 x 0.5, and x phi(x) <= 0.25 with exp (19 ulp)' };
// pow(x, p) = exp2(p log2 x): log2 is 2^-21 absolute on [0.5, 2] (else 3 ulp relative, |log2 x| <= 2), times
// |p| <= 3, then exp2 (3 + 2|y| ulp, |y| <= 6): relative error ln 2 * 3 * 2^-21 + 15 ulp.
const POW: Tol = { rtol: Math.LN2 * 3 * 2 ** -21 + 15 * ULP + 3 * 3 * ULP * 2, why: 'pow = exp2(p log2 x): log2 error x |p| <= 3, then exp2 (15 ulp)' };

/**
 * Longest chain of f32 additions in our summation tree for an axis of length r: serial up to 64 elements,
 * else each invocation adds ceil(min(r, 4096) / 64) values and a workgroup tree adds log2(64) = 6 more,
 * per pass of 4096-element chunks. Rounding error <= depth * u * sum |x| (Higham, recursive summation).
 */
export function sumDepth(r: number): number {
  if (r <= 64) return Math.max(r - 1, 0);
  return Math.ceil(Math.min(r, 4096) / 64) + 6 + (r > 4096 ? sumDepth(Math.ceil(r / 4096)) : 0);
}
const reduceTol = (extra: number, what: string) => (c: Case): Tol => {
  const r = c.inputs[0].shape[c.attrs.axis < 0 ? c.attrs.axis + c.inputs[0].shape.length : c.attrs.axis];
  return { rtol: (sumDepth(r) + extra) * U, scale: 'abs', why: `${what}: tree of depth ${sumDepth(r)} over ${r} terms, <= depth u sum|x|` };
};

// ---- shapes ----
const UNARY_SHAPES = [[1], [7], [65], [33, 7], [130, 65], [2, 3, 5, 7]];
const GRAD_SHAPES = [[7], [3, 5], [2, 1, 3, 2]];
const BINARY_SHAPES: [number[], number[]][] = [
  [[7], [7]], [[33, 65], [33, 65]], [[33, 65], [65]], [[7, 1], [1, 33]], [[2, 1, 7, 5], [3, 1, 5]],
  [[1], [130, 7]], [[130], [1]], [[2, 3, 1, 5], [2, 1, 4, 1]], [[65, 1, 1], [1, 7, 33]],
];
const BINARY_GRAD: [number[], number[]][] = [[[3, 4], [3, 4]], [[3, 4], [4]], [[3, 1], [1, 4]], [[2, 1, 3], [4, 1]], [[1], [2, 3]]];

interface Domain { lo: number; hi: number; signs?: boolean; avoid?: number[]; specials?: number[]; p0?: number }

function unary(d: Domain, tol: Tol, extra: Partial<OpSpec> = {}): OpSpec {
  const attrs = { p0: d.p0 ?? 0, p1: 0 };
  return {
    forward: (r) => UNARY_SHAPES.map((s) => {
      const x = f32(r, s, d.lo, d.hi, { signs: d.signs });
      return { label: fmtShape(s), inputs: [d.specials ? withSpecials(x, d.specials, r) : x], attrs };
    }),
    grad: (r) => GRAD_SHAPES.map((s) => ({ label: fmtShape(s), inputs: [f32(r, s, d.lo, d.hi, { signs: d.signs, avoid: d.avoid })], attrs })),
    tol,
    ...extra,
  };
}
function binary(dx: Domain, dy: Domain, tol: Tol, opts: { ties?: boolean } = {}): OpSpec {
  const attrs = { p0: dy.p0 ?? 0, p1: 0 };
  const pair = (r: Rng, [sa, sb]: [number[], number[]], grad: boolean): Case => {
    let x = f32(r, sa, dx.lo, dx.hi, { signs: dx.signs });
    let y = f32(r, sb, dy.lo, dy.hi, { signs: dy.signs, avoid: grad ? dy.avoid : undefined });
    if (!grad && dy.specials) y = withSpecials(y, dy.specials, r);
    if (grad && opts.ties) {
      // max/min/>= have kinks where x = y: x on the grid k/4 + 1/16 and y on k/4 - 1/16 are >= 1/8 apart.
      x = { ...x, data: x.data.map((v) => Math.round(v * 4) / 4 + 1 / 16) };
      y = { ...y, data: y.data.map((v) => Math.round(v * 4) / 4 - 1 / 16) };
    } else if (!grad && opts.ties) {
      // Forward: values on a coarse grid so that ties occur.
      x = { ...x, data: x.data.map((v) => Math.round(v * 2) / 2) };
      y = { ...y, data: y.data.map((v) => Math.round(v * 2) / 2) };
    }
    return { label: `${fmtShape(sa)} ${fmtShape(sb)}`, inputs: [x, y], attrs };
  };
  return {
    forward: (r) => BINARY_SHAPES.map((s) => pair(r, s, false)),
    grad: (r) => BINARY_GRAD.map((s) => pair(r, s, true)),
    tol,
  };
}

// ---- reductions: every axis of every shape, keepDims both ways ----
const REDUCE_SHAPES = [[1], [7], [130], [33, 65], [65, 7], [2, 3, 5, 7], [3, 9000], [0, 3]];
const REDUCE_GRAD = [[7], [3, 5], [2, 3, 1, 4]];
function reduceCases(shapes: number[][], r: Rng, gen: (s: number[]) => In): Case[] {
  const out: Case[] = [];
  for (const s of shapes) for (let axis = 0; axis < s.length; axis++) {
    const keepDims = (axis + s.length) % 2 === 0;
    out.push({ label: `${fmtShape(s)} axis ${axis}${keepDims ? ' keep' : ''}`, inputs: [gen(s)], attrs: { axis: axis === s.length - 1 && s.length > 1 ? -1 : axis, keepDims } });
  }
  return out;
}

// ---- matmul ----
interface MM { a: number[]; b: number[]; transA?: boolean; transB?: boolean; variant?: 'register' | 'tiled'; plan?: RegisterChoice }
/** Stored operand shapes for op(A) = [..., M, K], op(B) = [..., K, N]. */
function mmCase(r: Rng, batchA: number[], batchB: number[], M: number, K: number, N: number, transA: boolean, transB: boolean, variant?: 'register' | 'tiled', plan?: RegisterChoice): Case {
  const a = [...batchA, ...(transA ? [K, M] : [M, K])], b = [...batchB, ...(transB ? [N, K] : [K, N])];
  const planLabel = plan ? ` ${plan.swap ? 'swapped' : 'as is'}, ${plan.rows} rows` : '';
  return {
    label: `${fmtShape(a)}${transA ? 'T' : ''} x ${fmtShape(b)}${transB ? 'T' : ''}${variant ? ' ' + variant : ''}${planLabel}`,
    inputs: [f32(r, a, -1, 1), f32(r, b, -1, 1)],
    attrs: { transA, transB, variant, plan } satisfies Partial<MM>,
  };
}
const mmK = (c: Case) => { const a = c.inputs[0].shape; return c.attrs.transA ? a[a.length - 2] : a[a.length - 1]; };

// ---- softmax family: error of log(sum of exps) ----
// s = sum exp(x - max) over C terms: each exp within (3 + 2 * 6) ulp (|x| <= 3), the sum adds C u; log(s) is
// then off by that relative error of s, plus log's own 2^-21 / 3 ulp. Outputs exp(x - lse) inherit it as a
// relative error plus exp's (3 + 2 |x - lse|) ulp, |x - lse| <= 6 + log C.
const lseErr = (C: number) => (C + 15) * U * 2 + 2 ** -21 + 3 * ULP * Math.log(C + 1);
const softmaxTol = (c: Case): Tol => { const C = c.inputs[0].shape.at(-1)!; return { rtol: lseErr(C) + (3 + 2 * (6 + Math.log(C))) * ULP + U, why: 'log-sum-exp over C terms, then exp' }; };
const logSoftmaxTol = (c: Case): Tol => { const C = c.inputs[0].shape.at(-1)!; return { rtol: U, atol: lseErr(C) + 2 * (3 + Math.log(C)) * U, why: 'x - lse: the error of lse (absolute) and one rounding' }; };
const SOFTMAX_SHAPES = [[1, 1], [7, 33], [3, 130], [2, 3, 65], [1, 1000], [130, 7]];
const SOFTMAX_GRAD = [[3, 5], [2, 2, 4], [1, 7]];


// ---- convolution windows: odd sizes, stride, padding, dilation, non-square kernels ----
const win = (kernel: number[], stride = [1, 1], padding = [0, 0], dilation = [1, 1]) => ({ kernel, stride, padding, dilation });
type Win = ReturnType<typeof win>;
const outHW = (w: Win, H: number, W: number) => [0, 1].map((i) => Math.floor(([H, W][i] + 2 * w.padding[i] - w.dilation[i] * (w.kernel[i] - 1) - 1) / w.stride[i]) + 1);
const UNFOLD_CASES: [number[], Win][] = [
  [[2, 3, 7, 9], win([3, 3])], [[1, 2, 8, 8], win([3, 2], [2, 1], [1, 1])], [[3, 1, 9, 7], win([2, 3], [1, 2], [1, 0], [2, 1])],
  [[1, 4, 5, 5], win([5, 5], [1, 1], [2, 2])], [[2, 1, 1, 1], win([1, 1])],
];
const UNFOLD_GRAD: [number[], Win][] = [[[1, 2, 4, 5], win([2, 3], [1, 2], [1, 1])], [[2, 1, 3, 3], win([2, 2], [1, 1], [0, 0], [1, 1])], [[1, 1, 5, 4], win([2, 2], [2, 1], [0, 1], [2, 1])]];
/** For each window of images `shape`, one of its pixels (plane-local h * W + w), drawn at random: valid pool indices. */
const windowIndices = (r: Rng, [B, C, H, W]: number[], w: Win): In => {
  const [OH, OW] = outHW(w, H, W);
  const data: number[] = [];
  for (let bc = 0; bc < B * C; bc++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    const px: number[] = [];
    for (let kh = 0; kh < w.kernel[0]; kh++) for (let kw = 0; kw < w.kernel[1]; kw++) {
      const h = oh * w.stride[0] - w.padding[0] + kh * w.dilation[0], x = ow * w.stride[1] - w.padding[1] + kw * w.dilation[1];
      if (h >= 0 && h < H && x >= 0 && x < W) px.push(h * W + x);
    }
    data.push(px[r.int(0, px.length)]);
  }
  return { shape: [B, C, OH, OW], dtype: 'i32', data: Float64Array.from(data) };
};
const POOL_CASES: [number[], Win][] = [[[2, 3, 8, 8], win([2, 2], [2, 2])], [[1, 2, 7, 9], win([3, 3], [2, 2], [1, 1])], [[1, 1, 5, 6], win([2, 3], [1, 2])], [[2, 2, 9, 9], win([3, 3], [1, 1], [1, 1], [2, 2])]];
const POOL_GRAD: [number[], Win][] = [[[1, 2, 4, 4], win([2, 2], [2, 2])], [[1, 1, 5, 5], win([3, 3], [1, 1], [1, 1])]];
const poolLabel = (s: number[], w: Win) => `${fmtShape(s)} k${w.kernel} s${w.stride} p${w.padding} d${w.dilation}`;
/** Depthwise cases: images, a kernel per channel [KH, KW], the window. */
const DW_CASES: [number[], number[], Win][] = [
  [[2, 3, 9, 8], [3, 3], win([3, 3], [1, 1], [1, 1])], [[1, 5, 7, 7], [5, 5], win([5, 5], [2, 2], [2, 2])],
  [[2, 4, 8, 9], [3, 2], win([3, 2], [2, 1], [0, 1], [2, 1])], [[1, 65, 4, 4], [3, 3], win([3, 3], [1, 1], [1, 1])],
];
const DW_GRAD: [number[], number[], Win][] = [[[1, 2, 4, 5], [3, 3], win([3, 3], [2, 1], [1, 1])], [[2, 2, 3, 3], [2, 2], win([2, 2], [1, 1], [0, 0], [1, 1])]];
const dwLabel = (s: number[], k: number[], w: Win) => `${fmtShape(s)} k${k} s${w.stride} p${w.padding} d${w.dilation}`;
const colsCase = (r: Rng, [B, C, H, W]: number[], w: Win): Case => {
  const [OH, OW] = outHW(w, H, W);
  return { label: `cols of ${fmtShape([B, C, H, W])} k${w.kernel} s${w.stride} p${w.padding} d${w.dilation}`, inputs: [f32(r, [B, C * w.kernel[0] * w.kernel[1], OH * OW])], attrs: { ...w, size: [H, W] } };
};

export const opSpecs: Record<string, OpSpec> = {
  // unary maps
  neg: unary({ lo: -2, hi: 2, specials: [0] }, EXACT),
  exp: unary({ lo: -4, hi: 4 }, EXP4),
  log: unary({ lo: 0.25, hi: 4 }, LOG),
  abs: unary({ lo: 0.05, hi: 2, signs: true, specials: [0] }, EXACT),
  sign: unary({ lo: 0.05, hi: 2, signs: true, specials: [0] }, EXACT),
  square: unary({ lo: -2, hi: 2 }, ROUNDED),
  sqrt: unary({ lo: 0.25, hi: 4, specials: [0, 1, 4] }, SQRT),
  reciprocal: unary({ lo: 0.25, hi: 4, signs: true }, DIVISION),
  step: unary({ lo: 0.05, hi: 2, signs: true, specials: [0] }, EXACT),
  relu: unary({ lo: 0.05, hi: 2, signs: true, specials: [0] }, EXACT),
  sigmoid: unary({ lo: -4, hi: 4 }, SIGMOID),
  tanh: unary({ lo: -2.7, hi: 2.7, specials: [0] }, TANH),
  gelu: unary({ lo: -4, hi: 4, specials: [0] }, GELU),
  gelu_grad: unary({ lo: -4, hi: 4, specials: [0] }, GELU_GRAD),
  scaled_tanh: unary({ lo: -4, hi: 4, specials: [0] }, TANH_POLY),
  scaled_tanh_grad: unary({ lo: -4, hi: 4, specials: [0] }, TANH_POLY),
  scaled_tanh_grad2: unary({ lo: -4, hi: 4, specials: [0] }, TANH_POLY),
  scale: unary({ lo: -2, hi: 2, p0: -0.375 }, ROUNDED), // f32-exact scalars: the GPU gets f32(p0)
  add_scalar: unary({ lo: -2, hi: 2, p0: 0.625 }, ROUNDED),
  pow_scalar: {
    forward: (r) => [
      ...[2, 3, -1, 0].map((p, i) => ({ label: `${fmtShape(UNARY_SHAPES[i + 1])} ^${p}`, inputs: [withSpecials(f32(r, UNARY_SHAPES[i + 1], 0.5, 2, { signs: true }), [0], r)], attrs: { p0: p, p1: 0 } })),
      ...[0.5, -1.5, 2.5].map((p) => ({ label: `[33,7] ^${p}`, inputs: [f32(r, [33, 7], 0.5, 2)], attrs: { p0: p, p1: 0 } })),
      { label: 'negative base, fractional power: NaN', inputs: [f32(r, [7], -2, -0.5)], attrs: { p0: 1.5, p1: 0 } },
    ],
    grad: (r) => [2, 3, -1, 0.5, -1.5].map((p) => ({ label: `[3,5] ^${p}`, inputs: [f32(r, [3, 5], 0.5, 2, { signs: Number.isInteger(p) })], attrs: { p0: p, p1: 0 } })),
    tol: POW,
  },
  // binary maps with broadcasting
  add: binary({ lo: -2, hi: 2 }, { lo: -2, hi: 2 }, ROUNDED),
  sub: binary({ lo: -2, hi: 2 }, { lo: -2, hi: 2 }, ROUNDED),
  mul: binary({ lo: -2, hi: 2 }, { lo: -2, hi: 2 }, ROUNDED),
  div: binary({ lo: -2, hi: 2 }, { lo: 0.25, hi: 2, signs: true }, DIVISION),
  greater_equal: binary({ lo: -2, hi: 2 }, { lo: -2, hi: 2 }, EXACT, { ties: true }),
  maximum: binary({ lo: -2, hi: 2 }, { lo: -2, hi: 2 }, EXACT, { ties: true }),
  minimum: binary({ lo: -2, hi: 2 }, { lo: -2, hi: 2 }, EXACT, { ties: true }),
  // against a scalar p0 (0.625, f32-exact; ties at p0 in the forward cases, kept 0.05 away in the derivative ones)
  clamp_min: unary({ lo: -2, hi: 2, p0: 0.625, specials: [0.625], avoid: [0.625] }, EXACT),
  clamp_max: unary({ lo: -2, hi: 2, p0: 0.625, specials: [0.625], avoid: [0.625] }, EXACT),
  mask_ge_mul: binary({ lo: -2, hi: 2 }, { lo: -2, hi: 2, p0: 0.625, specials: [0.625], avoid: [0.625] }, EXACT),
  mask_le_mul: binary({ lo: -2, hi: 2 }, { lo: -2, hi: 2, p0: 0.625, specials: [0.625], avoid: [0.625] }, EXACT),
  // a gradient times an activation's derivative (x: the gradient in [-2, 2]; y: the activation's input or output)
  relu_grad_mul: binary({ lo: -2, hi: 2 }, { lo: 0.05, hi: 2, signs: true }, EXACT),
  tanh_grad_mul: binary({ lo: -2, hi: 2 }, { lo: -0.95, hi: 0.95 }, { rtol: 2 * U, atol: 4 * U, why: "y·y and 1 − y·y (cancels near |y| = 1: absolute, times |x| <= 2), then the product" }),
  sigmoid_grad_mul: binary({ lo: -2, hi: 2 }, { lo: 0.05, hi: 0.95 }, { rtol: 3 * U, why: '1 − y (exact for y >= 0.5), y·(1 − y), the product: three roundings' }),
  gelu_grad_mul: binary({ lo: -2, hi: 2 }, { lo: -4, hi: 4 }, { rtol: 9 * ULP, atol: 2 * 2.5e-7, why: "gelu_grad's bound times |x| <= 2, and the product" }),
  scaled_tanh_grad_mul: binary({ lo: -2, hi: 2 }, { lo: -4, hi: 4 }, { rtol: 4 * 17 * ULP + U, atol: 2 * 4 * 17 * ULP, why: "scaled_tanh_grad's bound times |x| <= 2, and the product" }),
  // reductions
  sum: { forward: (r) => reduceCases(REDUCE_SHAPES, r, (s) => f32(r, s)), grad: (r) => reduceCases(REDUCE_GRAD, r, (s) => f32(r, s)), tol: reduceTol(0, 'sum') },
  sumsq: { forward: (r) => reduceCases(REDUCE_SHAPES, r, (s) => f32(r, s)), grad: (r) => reduceCases(REDUCE_GRAD, r, (s) => f32(r, s)), tol: reduceTol(1, 'sum of squares (+1 rounding of x*x)') },
  max: {
    forward: (r) => reduceCases(REDUCE_SHAPES.filter((s) => sizeOf(s) > 0), r, (s) => f32(r, s)),
    grad: (r) => reduceCases(REDUCE_GRAD, r, (s) => distinct(r, s)),
    tol: EXACT,
  },
  // layout
  reshape: {
    forward: (r) => [[[2, 3, 5, 7], [6, 35]], [[7], [7, 1]], [[33, 65], [65, 33]], [[130], [2, 5, 13]]].map(([s, t]) => ({ label: `${fmtShape(s)} -> ${fmtShape(t)}`, inputs: [f32(r, s)], attrs: { shape: t } })),
    grad: (r) => [[[3, 4], [2, 6]], [[2, 1, 3], [6]]].map(([s, t]) => ({ label: `${fmtShape(s)} -> ${fmtShape(t)}`, inputs: [f32(r, s)], attrs: { shape: t } })),
    tol: EXACT,
  },
  broadcast_to: {
    forward: (r) => [[[7, 1], [3, 7, 33]], [[1], [130]], [[2, 1, 5, 1], [2, 3, 5, 4]], [[65], [7, 65]]].map(([s, t]) => ({ label: `${fmtShape(s)} -> ${fmtShape(t)}`, inputs: [f32(r, s)], attrs: { shape: t } })),
    grad: (r) => [[[3, 1], [2, 3, 4]], [[1], [5]], [[2, 1, 3, 1], [2, 2, 3, 2]]].map(([s, t]) => ({ label: `${fmtShape(s)} -> ${fmtShape(t)}`, inputs: [f32(r, s)], attrs: { shape: t } })),
    tol: EXACT,
  },
  permute: {
    forward: (r) => ([[[33, 65], [1, 0]], [[7, 5, 3], [2, 0, 1]], [[2, 3, 5, 7], [3, 1, 0, 2]], [[130], [0]], [[65, 1, 7], [0, 1, 2]]] as [number[], number[]][]).map(([s, p]) => ({ label: `${fmtShape(s)} perm ${p}`, inputs: [f32(r, s)], attrs: { perm: p } })),
    grad: (r) => ([[[3, 4], [1, 0]], [[2, 3, 4], [2, 0, 1]], [[2, 1, 3, 2], [3, 2, 1, 0]]] as [number[], number[]][]).map(([s, p]) => ({ label: `${fmtShape(s)} perm ${p}`, inputs: [f32(r, s)], attrs: { perm: p } })),
    tol: EXACT,
  },
  slice: {
    forward: (r) => ([[[33, 65], [1, 5], [7, 33]], [[130], [64], [65]], [[2, 3, 5, 7], [1, 0, 2, 3], [1, 3, 2, 4]], [[7, 7], [0, 0], [7, 7]], [[7, 7], [3, 3], [0, 2]]] as number[][][]).map(([s, b, z]) => ({ label: `${fmtShape(s)} at ${b} size ${z}`, inputs: [f32(r, s)], attrs: { begin: b, size: z } })),
    grad: (r) => ([[[4, 5], [1, 2], [2, 3]], [[2, 3, 4], [1, 0, 1], [1, 3, 2]]] as number[][][]).map(([s, b, z]) => ({ label: `${fmtShape(s)} at ${b} size ${z}`, inputs: [f32(r, s)], attrs: { begin: b, size: z } })),
    tol: EXACT,
  },
  pad: {
    forward: (r) => ([[[7, 5], [1, 2], [9, 8]], [[65], [1], [130]], [[2, 3, 5, 1], [0, 1, 2, 0], [2, 5, 7, 3]]] as number[][][]).map(([s, b, t]) => ({ label: `${fmtShape(s)} at ${b} in ${fmtShape(t)}`, inputs: [f32(r, s)], attrs: { begin: b, shape: t } })),
    grad: (r) => ([[[2, 3], [1, 1], [4, 5]], [[2, 1, 2], [0, 1, 1], [3, 3, 3]]] as number[][][]).map(([s, b, t]) => ({ label: `${fmtShape(s)} at ${b} in ${fmtShape(t)}`, inputs: [f32(r, s)], attrs: { begin: b, shape: t } })),
    tol: EXACT,
  },
  concat: {
    forward: (r) => ([[[[7, 5], [3, 5]], 0], [[[2, 3, 4], [2, 1, 4], [2, 5, 4]], 1], [[[33, 7], [33, 65]], 1], [[[2, 3, 5, 1], [2, 3, 5, 6]], 3]] as [number[][], number][]).map(([ss, axis]) => ({ label: `${ss.map(fmtShape).join(' ')} axis ${axis}`, inputs: ss.map((s) => f32(r, s)), attrs: { axis } })),
    grad: (r) => ([[[[2, 3], [1, 3]], 0], [[[2, 2, 3], [2, 1, 3], [2, 3, 3]], 1]] as [number[][], number][]).map(([ss, axis]) => ({ label: `${ss.map(fmtShape).join(' ')} axis ${axis}`, inputs: ss.map((s) => f32(r, s)), attrs: { axis } })),
    tol: EXACT,
  },
  gather: {
    forward: (r) => [
      { label: '[33,7] rows of 10', inputs: [f32(r, [33, 7]), ints(r, [10], 0, 33)] },
      { label: '[130] rows of 65', inputs: [f32(r, [130]), ints(r, [65], 0, 130)] },
      { label: '[5,3,4] rows with repeats', inputs: [f32(r, [5, 3, 4]), { shape: [7], dtype: 'i32' as const, data: Float64Array.from([0, 4, 4, 1, 0, 2, 4]) }] },
      { label: 'out of range gives NaN rows', inputs: [f32(r, [4, 3]), { shape: [4], dtype: 'i32' as const, data: Float64Array.from([1, -1, 4, 3]) }] },
    ].map((c) => ({ ...c, attrs: {} })),
    grad: (r) => [{ label: '[5,3] rows with repeats', inputs: [f32(r, [5, 3]), { shape: [6], dtype: 'i32' as const, data: Float64Array.from([0, 4, 4, 1, 0, 2]) }], attrs: {} }],
    tol: EXACT,
  },
  scatter_add: {
    forward: (r) => [
      { label: '[10,7] into 5 rows', inputs: [f32(r, [10, 7]), ints(r, [10], 0, 5)], attrs: { rows: 5 } },
      { label: '[130] into 65 rows', inputs: [f32(r, [130]), ints(r, [130], 0, 65)], attrs: { rows: 65 } },
      { label: 'out of range indices dropped', inputs: [f32(r, [4, 3]), { shape: [4], dtype: 'i32' as const, data: Float64Array.from([1, -1, 4, 1]) }], attrs: { rows: 3 } },
    ],
    grad: (r) => [{ label: '[6,2] into 4 rows', inputs: [f32(r, [6, 2]), ints(r, [6], 0, 4)], attrs: { rows: 4 } }],
    tol: (c) => ({ rtol: c.inputs[1].data.length * U, scale: 'abs', why: 'sums of at most count terms (count u sum|x|)' }),
  },
  one_hot: {
    forward: (r) => [
      { label: '7 labels, 3 classes', inputs: [ints(r, [7], 0, 3)], attrs: { classes: 3 } },
      { label: '130 labels, 10 classes, out of range rows zero', inputs: [ints(r, [130], -1, 11)], attrs: { classes: 10 } },
    ],
    grad: 'no differentiable input (labels are integers)',
    tol: EXACT,
  },
  unfold2d: {
    forward: (r) => [
      ...UNFOLD_CASES.map(([s, w]) => ({ label: `${fmtShape(s)} k${w.kernel} s${w.stride} p${w.padding} d${w.dilation}`, inputs: [f32(r, s)], attrs: { ...w, fill: 0 } })),
      { label: 'padding filled with the lowest f32 (max pooling)', inputs: [f32(r, [1, 2, 5, 6])], attrs: { ...win([3, 3], [2, 2], [1, 1]), fill: -3.4028234663852886e38 } },
    ],
    grad: (r) => UNFOLD_GRAD.map(([s, w]) => ({ label: `${fmtShape(s)} k${w.kernel} s${w.stride} p${w.padding} d${w.dilation}`, inputs: [f32(r, s)], attrs: { ...w, fill: 0 } })),
    tol: EXACT,
  },
  pool_argmax: {
    forward: (r) => [
      ...POOL_CASES.map(([s, w]) => ({ label: poolLabel(s, w), inputs: [f32(r, s)], attrs: w })),
      // Ties: the first maximum in the window's scan order, as PyTorch.
      ...POOL_CASES.slice(0, 2).map(([s, w]) => ({ label: `${poolLabel(s, w)} with ties`, inputs: [withSpecials(f32(r, s, -1, 0), [0.5, 0.5, 0.25], r)], attrs: w })),
    ],
    grad: 'integer output (the argmax); the gradient of max pooling flows through pool_gather',
    tol: EXACT,
  },
  pool_gather: {
    forward: (r) => POOL_CASES.map(([s, w]) => ({ label: poolLabel(s, w), inputs: [f32(r, s), windowIndices(r, s, w)], attrs: { ...w, size: s.slice(2) } })),
    grad: (r) => POOL_GRAD.map(([s, w]) => ({ label: poolLabel(s, w), inputs: [f32(r, s), windowIndices(r, s, w)], attrs: { ...w, size: s.slice(2) } })),
    tol: EXACT,
  },
  pool_scatter: {
    forward: (r) => POOL_CASES.map(([s, w]) => { const idx = windowIndices(r, s, w); return { label: poolLabel(s, w), inputs: [f32(r, idx.shape), idx], attrs: { ...w, size: s.slice(2) } }; }),
    grad: (r) => POOL_GRAD.map(([s, w]) => { const idx = windowIndices(r, s, w); return { label: poolLabel(s, w), inputs: [f32(r, idx.shape), idx], attrs: { ...w, size: s.slice(2) } }; }),
    tol: (c) => ({ rtol: c.attrs.kernel[0] * c.attrs.kernel[1] * U, scale: 'abs', why: 'each pixel sums the windows that picked it: at most KH KW terms' }),
  },
  depthwise_conv2d: {
    forward: (r) => DW_CASES.map(([s, k, w]) => ({ label: dwLabel(s, k, w), inputs: [f32(r, s), f32(r, [s[1], ...k])], attrs: { ...w, size: s.slice(2) } })),
    grad: (r) => DW_GRAD.map(([s, k, w]) => ({ label: dwLabel(s, k, w), inputs: [f32(r, s), f32(r, [s[1], ...k])], attrs: { ...w, size: s.slice(2) } })),
    tol: (c) => ({ rtol: (c.attrs.kernel[0] * c.attrs.kernel[1] + 1) * U, scale: 'abs', why: 'a serial sum of KH KW products per output' }),
  },
  depthwise_conv2d_input_grad: {
    forward: (r) => DW_CASES.map(([s, k, w]) => ({ label: dwLabel(s, k, w), inputs: [f32(r, [s[0], s[1], ...outHW(w, s[2], s[3])]), f32(r, [s[1], ...k])], attrs: { ...w, size: s.slice(2) } })),
    grad: (r) => DW_GRAD.map(([s, k, w]) => ({ label: dwLabel(s, k, w), inputs: [f32(r, [s[0], s[1], ...outHW(w, s[2], s[3])]), f32(r, [s[1], ...k])], attrs: { ...w, size: s.slice(2) } })),
    tol: (c) => ({ rtol: (c.attrs.kernel[0] * c.attrs.kernel[1] + 1) * U, scale: 'abs', why: 'a pixel sums at most KH KW products' }),
  },
  depthwise_conv2d_weight_grad: {
    forward: (r) => DW_CASES.map(([s, k, w]) => ({ label: dwLabel(s, k, w), inputs: [f32(r, s), f32(r, [s[0], s[1], ...outHW(w, s[2], s[3])])], attrs: { ...w, size: s.slice(2) } })),
    grad: (r) => DW_GRAD.map(([s, k, w]) => ({ label: dwLabel(s, k, w), inputs: [f32(r, s), f32(r, [s[0], s[1], ...outHW(w, s[2], s[3])])], attrs: { ...w, size: s.slice(2) } })),
    // One invocation sums B OH OW products serially.
    tol: (c) => { const [B] = c.inputs[0].shape, [OH, OW] = outHW(c.attrs, c.attrs.size[0], c.attrs.size[1]); return { rtol: (B * OH * OW + 1) * U, scale: 'abs', why: `a serial sum of B OH OW = ${B * OH * OW} products` }; },
  },
  fold2d: {
    forward: (r) => UNFOLD_CASES.map(([s, w]) => colsCase(r, s, w)),
    grad: (r) => UNFOLD_GRAD.map(([s, w]) => colsCase(r, s, w)),
    tol: (c) => ({ rtol: c.attrs.kernel[0] * c.attrs.kernel[1] * U, scale: 'abs', why: 'each pixel sums at most KH KW column entries' }),
  },
  // matmul: odd sizes, every transpose, batched with broadcasting up to rank 4. The transposed loads are the
  // same a_at/b_at functions in both kernel variants, so the shared-memory 'tiled' variant (the GPU default)
  // runs without transposes here: lavapipe's LLVM takes 2-10 s to compile each transposed tiled pipeline.
  matmul: {
    forward: (r) => {
      const cs: Case[] = [];
      for (const [M, K, N] of [[1, 1, 1], [7, 33, 65], [65, 130, 7], [33, 7, 130], [130, 65, 33]]) {
        for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) cs.push(mmCase(r, [], [], M, K, N, tA, tB, 'register'));
        cs.push(mmCase(r, [], [], M, K, N, false, false, 'tiled'));
      }
      // Every REGISTER layout whatever the cost model picks: swapped or not, vec4 rows of B (N % 4 == 0) or not,
      // each transpose, clamped rows (ROWS above M) and a broadcast operand.
      for (const [M, K, N] of [[12, 33, 16], [13, 33, 7]]) {
        for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
          for (const swap of [false, true]) cs.push(mmCase(r, [], [], M, K, N, tA, tB, 'register', { swap, rows: 8 }));
        }
      }
      cs.push(mmCase(r, [], [3], 5, 9, 12, false, false, 'register', { swap: true, rows: 16 }));
      cs.push(mmCase(r, [3], [], 12, 9, 3, true, false, 'register', { swap: false, rows: 1 }));
      cs.push(mmCase(r, [3], [3], 7, 33, 5, false, false, 'register'));
      cs.push(mmCase(r, [3], [3], 65, 33, 70, false, false, 'tiled'));
      cs.push(mmCase(r, [], [4], 7, 33, 5, true, false));
      cs.push(mmCase(r, [4], [], 65, 7, 9, false, true));
      cs.push(mmCase(r, [2, 1], [1, 3], 7, 5, 6, false, false));
      cs.push(mmCase(r, [2, 3], [3], 5, 65, 4, true, true));
      cs.push(mmCase(r, [2, 1], [1, 3], 7, 5, 6, false, false, 'tiled'));
      return cs;
    },
    grad: (r) => [
      mmCase(r, [], [], 3, 4, 5, false, false), mmCase(r, [], [], 3, 4, 5, true, false), mmCase(r, [], [], 3, 4, 5, false, true), mmCase(r, [], [], 3, 4, 5, true, true),
      mmCase(r, [2], [2], 2, 3, 4, false, false), mmCase(r, [], [3], 2, 3, 4, false, true), mmCase(r, [2, 1], [1, 2], 2, 3, 2, true, false),
    ],
    tol: (c) => ({ rtol: mmK(c) * U, scale: 'abs', why: `f32 accumulation over K = ${mmK(c)} terms: <= K u sum|a||b|` }),
  },
  softmax: {
    forward: (r) => SOFTMAX_SHAPES.map((s) => ({ label: fmtShape(s), inputs: [f32(r, s, -3, 3)], attrs: {} })),
    grad: (r) => SOFTMAX_GRAD.map((s) => ({ label: fmtShape(s), inputs: [f32(r, s, -3, 3)], attrs: {} })),
    tol: softmaxTol,
  },
  log_softmax: {
    forward: (r) => SOFTMAX_SHAPES.map((s) => ({ label: fmtShape(s), inputs: [f32(r, s, -3, 3)], attrs: {} })),
    grad: (r) => SOFTMAX_GRAD.map((s) => ({ label: fmtShape(s), inputs: [f32(r, s, -3, 3)], attrs: {} })),
    tol: logSoftmaxTol,
  },
  cross_entropy: {
    forward: (r) => [
      ...SOFTMAX_SHAPES.map((s) => ({ label: fmtShape(s), inputs: [f32(r, s, -3, 3), ints(r, s.slice(0, -1), 0, s.at(-1)!)], attrs: {} })),
      { label: 'label out of range gives NaN', inputs: [f32(r, [3, 4], -3, 3), { shape: [3], dtype: 'i32' as const, data: Float64Array.from([0, 4, -1]) }], attrs: {} },
    ],
    grad: (r) => SOFTMAX_GRAD.map((s) => ({ label: fmtShape(s), inputs: [f32(r, s, -3, 3), ints(r, s.slice(0, -1), 0, s.at(-1)!)], attrs: {} })),
    tol: (c) => { const t = logSoftmaxTol(c); return { ...t, rtol: U, atol: t.atol! + 3 * U * (3 + Math.log(c.inputs[0].shape.at(-1)!)), why: 'lse - x[label]: as log_softmax' }; },
  },
};

/** Composites of the public API: checked the same way as the primitives (their derivatives come from the table). */
interface CompositeDef { gpu(ts: Tensor[], attrs: any): Tensor; ref(hs: HostTensor[], attrs: any): HostTensor; spec: OpSpec; diff?: number[] }
const refOf = (name: string) => crit.opTable.get(name)!.reference!;
const refSum = (x: HostTensor, axes: number[], keepDims: boolean): HostTensor => {
  let y = x;
  for (const axis of [...axes].sort((a, b) => b - a)) y = refOf('sum')([y], { axis, keepDims: true });
  return keepDims ? y : { data: y.data, shape: x.shape.filter((_, i) => !axes.includes(i)) };
};
const mapHost = (x: HostTensor, f: (v: number, i: number) => number): HostTensor => ({ data: x.data.map(f), shape: x.shape });

export const composites: Record<string, CompositeDef> = {
  conv2d: {
    gpu: ([x, w, b], a) => crit.conv2d(x, w, b ?? null, a),
    ref: ([x, w, b], a) => crit.conv2dReference(x, w, b ?? null, a),
    spec: {
      forward: (r) => ([
        [[2, 3, 9, 8], [5, 3, 3, 3], true, { padding: 1 }],
        [[1, 4, 7, 7], [6, 2, 3, 2], true, { stride: [2, 1], dilation: [1, 2], groups: 2 }],
        [[2, 3, 6, 6], [3, 1, 3, 3], false, { padding: 1, groups: 3 }],
        [[1, 3, 32, 32], [32, 3, 5, 5], true, {}],
        [[3, 1, 5, 5], [1, 1, 5, 5], true, {}],
        [[2, 6, 7, 8], [6, 1, 3, 3], true, { stride: 2, padding: 1, groups: 6 }], // depthwise: the direct kernels
        [[2, 8, 5, 5], [8, 8, 1, 1], false, {}], // pointwise: the images are the columns
      ] as [number[], number[], boolean, object][]).map(([xs, ws, bias, o]) => ({
        label: `x ${fmtShape(xs)} w ${fmtShape(ws)}${bias ? ' + b' : ''} ${JSON.stringify(o)}`,
        inputs: [f32(r, xs), f32(r, ws), ...(bias ? [f32(r, [ws[0]])] : [])], attrs: o,
      })),
      grad: (r) => [
        { label: 'x [1,2,4,4] w [3,2,2,2] + b, stride 2, padding 1', inputs: [f32(r, [1, 2, 4, 4]), f32(r, [3, 2, 2, 2]), f32(r, [3])], attrs: { stride: 2, padding: 1 } },
        { label: 'x [2,4,3,3] w [2,2,2,2], groups 2', inputs: [f32(r, [2, 4, 3, 3]), f32(r, [2, 2, 2, 2])], attrs: { groups: 2 } },
        { label: 'x [1,3,4,4] w [3,1,3,3] + b, depthwise, padding 1', inputs: [f32(r, [1, 3, 4, 4]), f32(r, [3, 1, 3, 3]), f32(r, [3])], attrs: { padding: 1, groups: 3 } },
      ],
      tol: (c) => { const [, Cg, KH, KW] = c.inputs[1].shape; const K = Cg * KH * KW + 1; return { rtol: K * U, scale: 'abs', why: `f32 accumulation over ${K} terms (C / groups x KH x KW and the bias): <= K u sum|x||w|` }; },
    },
  },
  maxPool2d: {
    gpu: ([x], a) => crit.maxPool2d(x, a),
    ref: ([x], a) => crit.pool2dReference(x, a, 'max'),
    spec: {
      // Distinct values: one maximum per window, so the derivative is defined and finite differences exact.
      forward: (r) => ([[[2, 3, 8, 8], { kernel: 2 }], [[1, 2, 7, 9], { kernel: 3, stride: 2, padding: 1 }], [[1, 1, 5, 6], { kernel: [2, 3], stride: [1, 2] }],
        // ceil mode (SqueezeNet, GoogLeNet): a last, partial window; none where the sizes divide evenly.
        [[1, 2, 8, 7], { kernel: 3, stride: 2, ceilMode: true }], [[1, 1, 6, 6], { kernel: 2, stride: 2, ceilMode: true }], [[1, 1, 5, 9], { kernel: 3, stride: 2, padding: 1, ceilMode: true }]] as [number[], object][])
        .map(([s, o]) => ({ label: `${fmtShape(s)} ${JSON.stringify(o)}`, inputs: [distinct(r, s)], attrs: o })),
      grad: (r) => ([[[1, 2, 4, 4], { kernel: 2 }], [[1, 1, 5, 5], { kernel: 3, stride: 2, padding: 1 }], [[1, 1, 6, 5], { kernel: 3, stride: 2, ceilMode: true }]] as [number[], object][])
        .map(([s, o]) => ({ label: `${fmtShape(s)} ${JSON.stringify(o)}`, inputs: [distinct(r, s)], attrs: o })),
      tol: EXACT,
    },
  },
  avgPool2d: {
    gpu: ([x], a) => crit.avgPool2d(x, a),
    ref: ([x], a) => crit.pool2dReference(x, a, 'avg'),
    spec: {
      forward: (r) => ([[[2, 3, 8, 8], { kernel: 2 }], [[1, 2, 7, 9], { kernel: 3, stride: 2, padding: 1 }], [[1, 1, 5, 6], { kernel: [2, 3], stride: [1, 2] }]] as [number[], object][])
        .map(([s, o]) => ({ label: `${fmtShape(s)} ${JSON.stringify(o)}`, inputs: [f32(r, s)], attrs: o })),
      grad: (r) => [{ label: '[1,2,4,5] kernel 2, padding 1', inputs: [f32(r, [1, 2, 4, 5])], attrs: { kernel: 2, padding: 1 } }],
      tol: (c) => { const k = c.attrs.kernel; const n = typeof k === 'number' ? k * k : k[0] * k[1]; return { rtol: (n + 1) * U, scale: 'abs', why: `a sum over ${n} terms, then a scale` }; },
    },
  },
  adaptiveAvgPool2d: {
    gpu: ([x], a) => crit.adaptiveAvgPool2d(x, a.out),
    ref: ([x], a) => {
      const [B, C, H, W] = x.shape, [OH, OW] = a.out;
      const data = new Float64Array(B * C * OH * OW);
      let k = 0;
      for (let bc = 0; bc < B * C; bc++) for (let i = 0; i < OH; i++) for (let j = 0; j < OW; j++, k++) {
        const h0 = Math.floor(i * H / OH), h1 = Math.ceil((i + 1) * H / OH), w0 = Math.floor(j * W / OW), w1 = Math.ceil((j + 1) * W / OW);
        let sum = 0;
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) sum += x.data[(bc * H + h) * W + w];
        data[k] = sum / ((h1 - h0) * (w1 - w0));
      }
      return { data, shape: [B, C, OH, OW] };
    },
    spec: {
      forward: (r) => ([[[2, 3, 7, 9], [3, 4]], [[1, 2, 2, 3], [5, 4]], [[1, 1, 6, 6], [2, 3]], [[2, 2, 14, 14], [7, 7]]] as [number[], number[]][])
        .map(([s, out]) => ({ label: `${fmtShape(s)} to ${out.join('x')}`, inputs: [f32(r, s)], attrs: { out } })),
      grad: (r) => [{ label: '[1,2,5,4] to 2x3', inputs: [f32(r, [1, 2, 5, 4])], attrs: { out: [2, 3] } }, { label: '[1,1,2,2] to 3x3', inputs: [f32(r, [1, 1, 2, 2])], attrs: { out: [3, 3] } }],
      tol: (c) => { const [, , H, W] = c.inputs[0].shape; const n = H + W; return { rtol: (n + 4) * U, scale: 'abs', why: `two products with averaging matrices (sums over H and W, weights 1/len rounded)` }; },
    },
  },
  batchNormEval: {
    gpu: ([x, w, b, m, v]) => crit.batchNormEval(x, { weight: w, bias: b, runningMean: m, runningVar: v }),
    ref: ([x, w, b, m, v]) => {
      const C = x.shape[1], inner = x.data.length / x.shape[0] / C;
      return mapHost(x, (val, i) => { const c = Math.floor(i / inner) % C; return (val - m.data[c]) / Math.sqrt(v.data[c] + 1e-5) * w.data[c] + b.data[c]; });
    },
    spec: {
      forward: (r) => ([[2, 3, 5, 7], [7, 33], [1, 65, 2, 2]] as number[][]).map((s) => ({ label: fmtShape(s), inputs: [f32(r, s), f32(r, [s[1]]), f32(r, [s[1]]), f32(r, [s[1]]), f32(r, [s[1]], 0.5, 2)] })),
      grad: (r) => [{ label: '[2,3,2,2]', inputs: [f32(r, [2, 3, 2, 2]), f32(r, [3]), f32(r, [3]), f32(r, [3]), f32(r, [3], 0.5, 2)] }],
      // y = x·scale + (bias − mean·scale): the sum cancels where x ≈ mean, so its error is relative to
      // |x·scale| + |mean·scale| + |bias| <= 2·2.83 + 2·2.83 + 2 < 14 (|x|, |mean|, |w|, |b| <= 2, var >= 0.5), absolute.
      tol: { rtol: 12 * ULP, atol: 14 * 8 * U, why: 'sqrt (5 ulp), reciprocal, products; the final sum cancels where x ≈ mean (absolute, up to 14 · 8u)' },
    },
  },
  layerNorm: {
    gpu: ([x, w, b]) => crit.layerNorm(x, w, b),
    ref: ([x, w, b]) => {
      const D = x.shape.at(-1)!; const d = new Float64Array(x.data.length);
      for (let i = 0; i < d.length; i += D) {
        const row = x.data.subarray(i, i + D); const mu = row.reduce((a, v) => a + v, 0) / D;
        const varr = row.reduce((a, v) => a + (v - mu) ** 2, 0) / D;
        for (let j = 0; j < D; j++) d[i + j] = (row[j] - mu) / Math.sqrt(varr + 1e-5) * w.data[j] + b.data[j];
      }
      return { data: d, shape: x.shape };
    },
    spec: {
      forward: (r) => ([[7, 33], [2, 3, 65], [1, 130]] as number[][]).map((s) => ({ label: fmtShape(s), inputs: [f32(r, s), f32(r, [s.at(-1)!]), f32(r, [s.at(-1)!])] })),
      grad: (r) => [{ label: '[3,5]', inputs: [f32(r, [3, 5]), f32(r, [5]), f32(r, [5])] }, { label: '[2,2,4]', inputs: [f32(r, [2, 2, 4]), f32(r, [4]), f32(r, [4])] }],
      // mean and variance: sums of D terms (depth u of sum |x|); x̂ = (x − mean)/std is then off by that over std
      // (std ~ 1 for U[-2, 2]), |x̂| <= ~3, times |weight| <= 2, plus the bias.
      tol: (c) => { const D = c.inputs[0].shape.at(-1)!; return { rtol: 20 * ULP, atol: (2 * sumDepth(D) + 30) * U * 8, why: 'two sums over the last axis, sqrt, a division, an affine map' }; },
    },
  },
  'mean(axes)': {
    gpu: ([x], a) => crit.mean(x, a.axes, a.keepDims),
    ref: ([x], a) => { const s = refSum(x, a.axes, a.keepDims); const n = a.axes.reduce((p: number, k: number) => p * x.shape[k], 1); return mapHost(s, (v) => v / n); },
    spec: {
      forward: (r) => [{ s: [2, 3, 5, 7], axes: [1, 3] }, { s: [130, 65], axes: [0, 1] }, { s: [33, 7], axes: [1] }].map(({ s, axes }) => ({ label: `${fmtShape(s)} axes ${axes}`, inputs: [f32(r, s)], attrs: { axes, keepDims: false } })),
      grad: (r) => [{ label: '[2,3,4] axes 0,2 keep', inputs: [f32(r, [2, 3, 4])], attrs: { axes: [0, 2], keepDims: true } }],
      tol: (c) => { const n = c.attrs.axes.reduce((p: number, k: number) => p * c.inputs[0].shape[k], 1); return { rtol: (c.attrs.axes.map((k: number) => sumDepth(c.inputs[0].shape[k])).reduce((a: number, b: number) => a + b, 0) + 2) * U, scale: 'abs', why: `sums over ${n} terms (depths add) and a scale` }; },
    },
  },
  'l2norm(axes)': {
    gpu: ([x], a) => crit.l2norm(x, a.axes, false),
    ref: ([x], a) => mapHost(refSum(mapHost(x, (v) => v * v), a.axes, false), Math.sqrt),
    spec: {
      forward: (r) => [{ s: [2, 3, 5, 7], axes: [0, 2] }, { s: [130, 65], axes: [1] }, { s: [9000], axes: [0] }].map(({ s, axes }) => ({ label: `${fmtShape(s)} axes ${axes}`, inputs: [f32(r, s)], attrs: { axes } })),
      grad: (r) => [{ label: '[3,4] axis 1', inputs: [f32(r, [3, 4])], attrs: { axes: [1] } }, { label: '[2,3,2] axes 0,2', inputs: [f32(r, [2, 3, 2])], attrs: { axes: [0, 2] } }],
      // All terms are positive, so the sum's relative error is depth u; sqrt halves it and adds SQRT's 5 ulp.
      tol: (c) => ({ rtol: (c.attrs.axes.map((k: number) => sumDepth(c.inputs[0].shape[k]) + 1).reduce((a: number, b: number) => a + b, 0) * U) / 2 + 5 * ULP, why: 'sqrt of a positive sum (depth u), then sqrt (5 ulp)' }),
    },
  },
  'max(all axes)': {
    gpu: ([x]) => crit.max(x),
    ref: ([x]) => ({ data: Float64Array.of(x.data.reduce((m, v) => Math.max(m, v), -Infinity)), shape: [] }),
    spec: { forward: (r) => [{ label: '[2,3,5,7]', inputs: [f32(r, [2, 3, 5, 7])] }, { label: '[9000]', inputs: [f32(r, [9000])] }], grad: (r) => [{ label: '[3,4]', inputs: [distinct(r, [3, 4])] }], tol: EXACT },
  },
  'mul(x, x) (one input used twice)': {
    gpu: ([x]) => crit.mul(x, x),
    ref: ([x]) => mapHost(x, (v) => v * v),
    spec: { forward: (r) => [{ label: '[33,7]', inputs: [f32(r, [33, 7])] }], grad: (r) => [{ label: '[3,4]', inputs: [f32(r, [3, 4])] }], tol: ROUNDED },
  },
  'crossEntropy(mean)': {
    gpu: ([x, l]) => crit.crossEntropy(x, l),
    ref: ([x, l]) => { const v = refOf('cross_entropy')([x, l], {}); return { data: Float64Array.of(v.data.reduce((a, b) => a + b, 0) / v.data.length), shape: [] }; },
    diff: [0],
    spec: {
      forward: (r) => [{ label: '[65,10]', inputs: [f32(r, [65, 10], -3, 3), ints(r, [65], 0, 10)] }],
      grad: (r) => [{ label: '[4,3]', inputs: [f32(r, [4, 3], -3, 3), ints(r, [4], 0, 3)] }],
      tol: { rtol: 0, atol: 2e-6, why: 'mean of 65 losses each within ~1e-6 (lse error), plus a 65-term sum' },
    },
  },
  'normalize(axis)': {
    gpu: ([x]) => crit.normalize(x, -1),
    ref: ([x]) => { const C = x.shape.at(-1)!; const d = x.data.slice(); for (let i = 0; i < d.length; i += C) { let s = 0; for (let j = 0; j < C; j++) s += d[i + j] ** 2; for (let j = 0; j < C; j++) d[i + j] /= Math.sqrt(s); } return { data: d, shape: x.shape }; },
    spec: {
      forward: (r) => [{ label: '[7,65]', inputs: [f32(r, [7, 65])] }],
      grad: (r) => [{ label: '[3,4]', inputs: [f32(r, [3, 4])] }],
      tol: { rtol: (sumDepth(65) + 1) * U / 2 + 5 * ULP + 2.5 * ULP, why: 'l2norm (see there), then a division' },
    },
  },
  'transpose + copy + reshape(-1)': {
    gpu: ([x]) => crit.reshape(crit.copy(crit.transpose(x, 0, 2)), [-1, 2]),
    ref: ([x]) => { const t = refOf('permute')([x], { perm: [2, 1, 0] }); return { data: t.data, shape: [t.data.length / 2, 2] }; },
    spec: { forward: (r) => [{ label: '[3,5,4]', inputs: [f32(r, [3, 5, 4])] }], grad: (r) => [{ label: '[2,3,2]', inputs: [f32(r, [2, 3, 2])] }], tol: EXACT },
  },
  'slice(-2:) ++ slice(1:2) on axis 1': {
    gpu: ([x]) => crit.concat([crit.slice(x, [1, -2]), crit.slice(x, [1, 1], [x.shape[0], 2])], 1),
    ref: ([x]) => {
      const [R, C] = x.shape; const d: number[] = [];
      for (let i = 1; i < R; i++) d.push(x.data[i * C + C - 2], x.data[i * C + C - 1], x.data[i * C + 1]);
      return { data: Float64Array.from(d), shape: [R - 1, 3] };
    },
    spec: { forward: (r) => [{ label: '[7,5]', inputs: [f32(r, [7, 5])] }], grad: (r) => [{ label: '[3,4]', inputs: [f32(r, [3, 4])] }], tol: EXACT },
  },
};
/** Every op of the table and every composite as a Subject; throws naming the ops of the table that have no spec. */
export function subjects(): Subject[] {
  const missing = [...crit.opTable.keys()].filter((n) => !opSpecs[n]);
  if (missing.length) throw new Error(`ops without test cases in test/ops/cases.ts: ${missing.join(', ')}`);
  const stale = Object.keys(opSpecs).filter((n) => !crit.opTable.has(n));
  if (stale.length) throw new Error(`test cases for ops that are not in the table: ${stale.join(', ')}`);
  const list: Subject[] = [];
  for (const [name, rule] of crit.opTable) {
    if (!rule.reference) throw new Error(`op ${name} has no f64 reference`);
    list.push({
      name,
      gpu: (ts, attrs) => crit.apply(rule, ts, attrs),
      ref: (hs, attrs) => rule.reference!(hs, attrs),
      diff: (c) => c.inputs.map((x, i) => (x.dtype === 'i32' || (rule.nondiff ?? []).includes(i) ? -1 : i)).filter((i) => i >= 0),
      spec: opSpecs[name],
    });
  }
  for (const [name, d] of Object.entries(composites)) {
    list.push({ name, gpu: d.gpu, ref: d.ref, diff: (c) => d.diff ?? c.inputs.map((_, i) => i), spec: d.spec });
  }
  return list;
}

export function tolOf(spec: OpSpec, c: Case): Tol { return typeof spec.tol === 'function' ? spec.tol(c) : spec.tol; }
export function gradCases(spec: OpSpec, r: Rng): Case[] { return typeof spec.grad === 'string' ? [] : spec.grad(r); }
