// Matrix products: C = op(A) op(B), batched over leading dims (a rank-2 operand broadcasts over the batch).
// The kernel variant is chosen per adapter: register blocks on CPU drivers, shared-memory tiles on GPUs.
import source from '../../shaders/matmul.wgsl';
import { Tensor } from '../tensor/tensor.js';
import { fmt } from '../tensor/shape.js';
import { defineOp, type HostTensor } from './op.js';
import { add } from './elementwise.js';
import { CritError } from '../util/errors.js';
import { ParamWriter } from './launch.js';

export interface MatmulAttrs { transA: boolean; transB: boolean; variant?: 'register' | 'tiled' }

interface Dims { batch: number; M: number; N: number; K: number; sa: number; sb: number; outShape: number[] }
function dims(aShape: readonly number[], bShape: readonly number[], { transA, transB }: MatmulAttrs): Dims {
  if (aShape.length < 2 || bShape.length < 2 || aShape.length > 3 || bShape.length > 3) {
    throw new CritError(`matmul: operands must be rank 2 or 3, got ${fmt(aShape)} and ${fmt(bShape)}`);
  }
  const [ar, ac] = aShape.slice(-2), [br, bc] = bShape.slice(-2);
  const M = transA ? ac : ar, K = transA ? ar : ac;
  const K2 = transB ? bc : br, N = transB ? br : bc;
  if (K !== K2) throw new CritError(`matmul: inner dimensions differ: ${fmt(aShape)}${transA ? 'ᵀ' : ''} x ${fmt(bShape)}${transB ? 'ᵀ' : ''} (${K} vs ${K2})`);
  const ba = aShape.length === 3 ? aShape[0] : 1, bb = bShape.length === 3 ? bShape[0] : 1;
  if (ba !== bb && ba !== 1 && bb !== 1) throw new CritError(`matmul: batch sizes ${ba} and ${bb} differ (${fmt(aShape)} x ${fmt(bShape)})`);
  const batch = Math.max(ba, bb);
  const batched = aShape.length === 3 || bShape.length === 3;
  return { batch, M, N, K, sa: ba === 1 ? 0 : M * K, sb: bb === 1 ? 0 : K * N, outShape: batched ? [batch, M, N] : [M, N] };
}

export const matmulOp = defineOp<MatmulAttrs>({
  name: 'matmul',
  forward([a, b], attrs) {
    if (a.dtype !== 'f32' || b.dtype !== 'f32') throw new CritError('matmul: needs f32 tensors');
    const d = dims(a.shape, b.shape, attrs);
    const out = Tensor.empty(d.outShape, 'f32', a.engine);
    if (out.size === 0) return out;
    if (d.K === 0) throw new CritError(`matmul: empty inner dimension (${fmt(a.shape)} x ${fmt(b.shape)})`);
    const eng = a.engine;
    const variant = attrs.variant ?? (eng.isCpuAdapter ? 'register' : 'tiled');
    const register = variant === 'register';
    const workgroups: [number, number, number] = register
      ? [Math.ceil(d.N / 64), Math.ceil(d.M / 32), d.batch]
      : [Math.ceil(d.N / 64), Math.ceil(d.M / 64), d.batch];
    const max = eng.limits.maxComputeWorkgroupsPerDimension;
    if (workgroups.some((w) => w > max)) throw new CritError(`matmul ${fmt(a.shape)} x ${fmt(b.shape)}: grid ${workgroups.join('x')} over the adapter's ${max} workgroups per dimension`);
    eng.dispatch({
      kernel: { name: 'matmul', source, defines: { REGISTER: register, TILED: !register, TRANS_A: attrs.transA, TRANS_B: attrs.transB } },
      label: `matmul_${variant}`,
      buffers: [a.buffer, b.buffer, out.buffer],
      params: new ParamWriter().u32(d.M).u32(d.N).u32(d.K).u32(d.batch).u32(d.sa).u32(d.sb).u32(d.M * d.N).f32(1).buffer,
      workgroups,
      flops: 2 * d.batch * d.M * d.N * d.K,
      bytes: 4 * (a.size + b.size + out.size),
    });
    return out;
  },
  // d op(A) = gC op(B)ᵀ and d op(B) = op(A)ᵀ gC, written back in each operand's stored layout.
  vjp({ inputs: [a, b], attrs: { transA, transB } }, g) {
    const da = transA ? matmul(b, g, { transA: transB, transB: true }) : matmul(g, b, { transA: false, transB: !transB });
    const db = transB ? matmul(g, a, { transA: true, transB: transA }) : matmul(a, g, { transA: !transA, transB: false });
    return [da, db];
  },
  jvp({ inputs: [a, b], attrs }, [ta, tb]) {
    const x = ta && matmul(ta, b, attrs), y = tb && matmul(a, tb, attrs);
    return x && y ? add(x, y) : x ?? y;
  },
  reference([a, b], attrs) {
    const d = dims(a.shape, b.shape, attrs);
    const out = new Float64Array(d.batch * d.M * d.N);
    for (let t = 0; t < d.batch; t++) for (let i = 0; i < d.M; i++) for (let j = 0; j < d.N; j++) {
      let s = 0;
      for (let k = 0; k < d.K; k++) {
        const av = attrs.transA ? a.data[t * d.sa + k * d.M + i] : a.data[t * d.sa + i * d.K + k];
        const bv = attrs.transB ? b.data[t * d.sb + j * d.K + k] : b.data[t * d.sb + k * d.N + j];
        s += av * bv;
      }
      out[(t * d.M + i) * d.N + j] = s;
    }
    return { data: out, shape: d.outShape } as HostTensor;
  },
});

/** op(A) op(B); `transA`/`transB` read an operand as transposed without copying it. */
export function matmul(a: Tensor, b: Tensor, opts: Partial<MatmulAttrs> = {}): Tensor {
  return matmulOp([a, b], { transA: !!opts.transA, transB: !!opts.transB, variant: opts.variant });
}
