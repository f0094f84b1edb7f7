// Matrix products: C = op(A) op(B), batched over any leading dims, which broadcast (NumPy matmul rules).
// The kernel variant is chosen per adapter (register blocks on CPU drivers, shared-memory tiles on GPUs) and
// its block shape per output shape: matmulPlan() below.
import source from '../../shaders/matmul.wgsl';
import { Tensor } from '../tensor/tensor.js';
import { fmt, sizeOf, sameShape, stridesOf, broadcastStrides } from '../tensor/shape.js';
import { stridedCopy, fillInPlace } from './layout.js';
import { defineOp, type HostTensor } from './op.js';
import { add } from './elementwise.js';
import { CritError } from '../util/errors.js';
import { ParamWriter } from './launch.js';

export interface MatmulAttrs { transA: boolean; transB: boolean; variant?: 'register' | 'tiled'; plan?: Partial<RegisterChoice> }

interface Dims {
  batch: number; M: number; N: number; K: number;
  /** Broadcast batch shape (leading dims), and each operand's batch shape left-padded with 1s. */
  batchShape: number[]; aBatch: number[]; bBatch: number[];
  outShape: number[];
}
function dims(aShape: readonly number[], bShape: readonly number[], { transA, transB }: MatmulAttrs): Dims {
  if (aShape.length < 2 || bShape.length < 2) {
    throw new CritError(`matmul: operands must have rank 2 or more, got ${fmt(aShape)} and ${fmt(bShape)}`);
  }
  const [ar, ac] = aShape.slice(-2), [br, bc] = bShape.slice(-2);
  const M = transA ? ac : ar, K = transA ? ar : ac;
  const K2 = transB ? bc : br, N = transB ? br : bc;
  if (K !== K2) throw new CritError(`matmul: inner dimensions differ: ${fmt(aShape)}${transA ? 'ᵀ' : ''} x ${fmt(bShape)}${transB ? 'ᵀ' : ''} (${K} vs ${K2})`);
  const rank = Math.max(aShape.length, bShape.length) - 2;
  const pad = (s: readonly number[]) => [...new Array(rank - (s.length - 2)).fill(1), ...s.slice(0, -2)];
  const aBatch = pad(aShape), bBatch = pad(bShape);
  const batchShape = aBatch.map((da, i) => {
    const db = bBatch[i];
    if (da !== db && da !== 1 && db !== 1) throw new CritError(`matmul: batch dimensions ${fmt(aShape.slice(0, -2))} and ${fmt(bShape.slice(0, -2))} do not broadcast (${fmt(aShape)} x ${fmt(bShape)})`);
    return Math.max(da, db);
  });
  return { batch: sizeOf(batchShape), M, N, K, batchShape, aBatch, bBatch, outShape: [...batchShape, M, N] };
}

/** Batch stride of an operand in the kernel: 0 when it is shared by every batch, its matrix size when it has them all. */
function batchStride(opBatch: number[], d: Dims, matrix: number): number | null {
  if (opBatch.every((x) => x === 1)) return 0;
  return sameShape(opBatch, d.batchShape) ? matrix : null;
}

/** An operand whose batch dims broadcast only partly ([2, 1] against [2, 3]) is expanded into a temporary copy. */
function expandBatch(t: Tensor, opBatch: number[], d: Dims): Tensor {
  const shape = [...d.batchShape, ...t.shape.slice(-2)];
  const tmp = Tensor.empty(shape, 'f32', t.engine);
  stridedCopy(t, 0, broadcastStrides([...opBatch, ...t.shape.slice(-2)], shape), tmp, 0, stridesOf(shape), shape, 'matmul_broadcast');
  return tmp;
}

/** How one product runs: kernel defines, grid, and whether the operands are swapped (see matmul.wgsl). */
export interface MatmulPlan { variant: 'register' | 'tiled'; defines: Record<string, boolean | number>; workgroups: [number, number, number]; swap: boolean; label: string }

/** Forces a REGISTER plan's free choices (benchmarks and tests); matmulPlan() picks them otherwise. */
export interface RegisterChoice { swap: boolean; rows: number }

/**
 * REGISTER: a workgroup covers ROWS rows and WG x 8 columns, WG = 16 lanes (8 for narrow outputs: one AVX2
 * vector on lavapipe). Swapped, the kernel computes Cᵀ = op(B)ᵀ op(A)ᵀ and writes it back transposed, so the
 * lanes run along M. matmulPlan() takes the candidate (swap or not, ROWS) that registerCost() rates cheapest.
 * TILED: 64 x 64 tiles, 16 x 16 invocations of 4 x 4.
 */
export function matmulPlan(variant: 'register' | 'tiled', d: ProductDims, trans: Trans, choice?: Partial<RegisterChoice>): MatmulPlan {
  if (variant === 'tiled') {
    return { variant, swap: false, label: 'matmul_tiled', workgroups: [Math.ceil(d.N / 64), Math.ceil(d.M / 64), d.batch], defines: { TILED: true, TRANS_A: trans.transA, TRANS_B: trans.transB } };
  }
  let best: RegisterChoice = { swap: false, rows: 16 }, bestCost = Infinity;
  for (const swap of choice?.swap === undefined ? [false, true] : [choice.swap]) {
    for (const rows of choice?.rows === undefined ? [16, 8, 4, 2, 1] : [choice.rows]) {
      const c = registerCost(d, trans, { swap, rows });
      if (c < bestCost) { best = { swap, rows }; bestCost = c; }
    }
  }
  const l = registerLayout(d, trans, best.swap);
  return {
    variant: 'register', swap: best.swap, label: 'matmul_register', workgroups: registerGrid(d, l, best.rows),
    defines: { REGISTER: true, ROWS: best.rows, WG: l.wg, TRANS_A: l.tA, TRANS_B: l.tB, B_VEC4: l.bVec4, C_VEC4: l.bVec4 && !best.swap, C_TRANS: best.swap },
  };
}

type ProductDims = { batch: number; M: number; N: number; K: number };
type Trans = { transA: boolean; transB: boolean };

/** The product the REGISTER kernel computes: swapped, Cᵀ = op(B)ᵀ op(A)ᵀ; its lanes per workgroup; vec4 reads of B. */
function registerLayout(d: ProductDims, { transA, transB }: Trans, swap: boolean) {
  const [M, N, tA, tB] = swap ? [d.N, d.M, !transB, !transA] : [d.M, d.N, transA, transB];
  return { M, N, tA, tB, wg: N > 64 ? 16 : 8, bVec4: !tB && N % 4 === 0 };
}

function registerGrid(d: ProductDims, l: { M: number; N: number; wg: number }, rows: number): [number, number, number] {
  return [Math.ceil(l.N / (8 * l.wg)), Math.ceil(l.M / rows), d.batch];
}

/**
 * Relative time of a REGISTER plan on lavapipe: per workgroup, 8-lane vector and k, one read of B (2 vec4 loads,
 * 8 gathered scalars, or 8 scalars a row of B apart when B is transposed) and ROWS broadcast reads of A with 2
 * FMAs each, clamped rows and columns costing like real ones; a fixed cost per workgroup; and the scattered
 * stores of a transposed C. Constants fitted to the kernel times of 18 shapes x 6 plans (convolution, MLP and
 * square products; median error 7%): docs/bench.md.
 */
export function registerCost(d: ProductDims, trans: Trans, { swap, rows }: RegisterChoice): number {
  const l = registerLayout(d, trans, swap);
  const [gx, gy, gz] = registerGrid(d, l, rows);
  const readB = l.bVec4 ? COST.bVec4 : l.tB ? COST.bTransposed : COST.bScalar;
  const stores = swap ? d.batch * d.M * d.N * COST.transposedStore : 0;
  return gx * gy * gz * (l.wg / 8) * (d.K * (readB + rows * COST.row) + COST.workgroup) + stores;
}
const COST = { bVec4: 2.7, bScalar: 3.9, bTransposed: 5.5, row: 1, workgroup: 34, transposedStore: 0.05 };

export const matmulOp = defineOp<MatmulAttrs>({
  name: 'matmul',
  forward([a, b], attrs) {
    if (a.dtype !== 'f32' || b.dtype !== 'f32') throw new CritError(`matmul: needs f32 tensors, got ${a.dtype} ${fmt(a.shape)} and ${b.dtype} ${fmt(b.shape)}`);
    const d = dims(a.shape, b.shape, attrs);
    const eng = a.engine;
    const variant = attrs.variant ?? (eng.isCpuAdapter ? 'register' : 'tiled');
    const p = matmulPlan(variant, d, attrs, attrs.plan);
    const max = eng.limits.maxComputeWorkgroupsPerDimension;
    if (p.workgroups.some((w) => w > max)) throw new CritError(`matmul ${fmt(a.shape)} x ${fmt(b.shape)}: grid ${p.workgroups.join('x')} over the adapter's ${max} workgroups per dimension`);
    const out = Tensor.empty(d.outShape, 'f32', eng);
    if (out.size === 0) return out;
    if (d.K === 0) return fillInPlace(out, 0); // an empty sum
    // The kernel takes one stride per operand over a flat batch: expand operands that broadcast partly.
    let sa = batchStride(d.aBatch, d, d.M * d.K), sb = batchStride(d.bBatch, d, d.K * d.N);
    const ta = sa === null ? expandBatch(a, d.aBatch, d) : a, tb = sb === null ? expandBatch(b, d.bBatch, d) : b;
    sa ??= d.M * d.K; sb ??= d.K * d.N;
    // Swapped: the kernel computes Cᵀ = op(B)ᵀ op(A)ᵀ and writes it back transposed (C_TRANS).
    const [x, y, sx, sy, M, N] = p.swap ? [tb, ta, sb, sa, d.N, d.M] : [ta, tb, sa, sb, d.M, d.N];
    eng.dispatch({
      kernel: { name: 'matmul', source, defines: p.defines },
      label: p.label,
      buffers: [x.buffer, y.buffer, out.buffer],
      params: new ParamWriter().u32(M).u32(N).u32(d.K).u32(d.batch).u32(sx).u32(sy).u32(d.M * d.N).f32(1).buffer,
      workgroups: p.workgroups,
      flops: 2 * d.batch * d.M * d.N * d.K,
      bytes: 4 * (a.size + b.size + out.size),
    });
    if (ta !== a) ta.dispose();
    if (tb !== b) tb.dispose();
    return out;
  },
  // d op(A) = gC op(B)ᵀ and d op(B) = op(A)ᵀ gC, written back in each operand's stored layout.
  vjp({ inputs: [a, b], attrs: { transA, transB }, needs }, g) {
    // Skip the product nobody needs (e.g. the input's cotangent in a first layer: ~20% of an MLP step).
    const da = needs?.[0] === false ? null : transA ? matmul(b, g, { transA: transB, transB: true }) : matmul(g, b, { transA: false, transB: !transB });
    const db = needs?.[1] === false ? null : transB ? matmul(g, a, { transA: true, transB: transA }) : matmul(a, g, { transA: !transA, transB: false });
    return [da, db];
  },
  jvp({ inputs: [a, b], attrs }, [ta, tb]) {
    const x = ta && matmul(ta, b, attrs), y = tb && matmul(a, tb, attrs);
    return x && y ? add(x, y) : x ?? y;
  },
  reference([a, b], attrs) {
    const d = dims(a.shape, b.shape, attrs);
    const out = new Float64Array(d.batch * d.M * d.N);
    // Offset of each operand's matrix for batch t, through broadcast strides over the batch dims.
    const offA = broadcastStrides(d.aBatch, d.batchShape), offB = broadcastStrides(d.bBatch, d.batchShape);
    const bst = stridesOf(d.batchShape);
    const base = (t: number, st: number[], matrix: number) => matrix * d.batchShape.reduce((s, _n, i) => s + Math.floor(t / bst[i]) % d.batchShape[i] * st[i], 0);
    for (let t = 0; t < d.batch; t++) for (let i = 0; i < d.M; i++) for (let j = 0; j < d.N; j++) {
      const pa = base(t, offA, d.M * d.K), pb = base(t, offB, d.K * d.N);
      let s = 0;
      for (let k = 0; k < d.K; k++) {
        const av = attrs.transA ? a.data[pa + k * d.M + i] : a.data[pa + i * d.K + k];
        const bv = attrs.transB ? b.data[pb + j * d.K + k] : b.data[pb + k * d.N + j];
        s += av * bv;
      }
      out[(t * d.M + i) * d.N + j] = s;
    }
    return { data: out, shape: d.outShape } as HostTensor;
  },
});

/** op(A) op(B); `transA`/`transB` read an operand as transposed without copying it. */
export function matmul(a: Tensor, b: Tensor, opts: Partial<MatmulAttrs> = {}): Tensor {
  return matmulOp([a, b], { transA: !!opts.transA, transB: !!opts.transB, variant: opts.variant, plan: opts.plan });
}
