// Softmax, log-softmax (last axis) and cross-entropy with integer labels. The derivative rules are
// written with differentiable ops, so second-order uses (gradients of tangents) work through them.
import source from '../../shaders/softmax.wgsl';
import { Tensor } from '../tensor/tensor.js';
import { fmt } from '../tensor/shape.js';
import { defineOp, type HostTensor } from './op.js';
import { ParamWriter, groups1d, WG } from './launch.js';
import { mul, sub, exp } from './elementwise.js';
import { sum, mean } from './reduce.js';
import { reshape } from './layout.js';
import { oneHot } from './layout.js';
import { CritError } from '../util/errors.js';

function rowsCols(x: Tensor, op: string): [number, number] {
  if (x.rank < 1) throw new CritError(`${op}: needs at least one axis`);
  const cols = x.shape[x.rank - 1];
  if (cols === 0) throw new CritError(`${op}: empty last axis in ${fmt(x.shape)}`);
  return [x.size / cols, cols];
}

/** Rows longer than this get a workgroup each (tree reductions); shorter ones an invocation each. */
const SERIAL_MAX = 64;

function dispatch(x: Tensor, extra: Tensor[], out: Tensor, rows: number, cols: number, label: string, defines: { LOG: boolean; CROSS_ENTROPY: boolean }): void {
  const tree = cols > SERIAL_MAX;
  x.engine.dispatch({
    kernel: { name: 'softmax', source, defines: { WG, TREE: tree, ...defines } },
    label,
    buffers: [x.buffer, ...extra.map((t) => t.buffer), out.buffer],
    params: new ParamWriter().u32(rows).u32(cols).buffer,
    workgroups: tree ? rows : groups1d(rows), bytes: 4 * (x.size + out.size), flops: 4 * x.size,
  });
}

function launch(x: Tensor, log: boolean): Tensor {
  if (x.dtype !== 'f32') throw new CritError(`${log ? 'logSoftmax' : 'softmax'}: needs an f32 tensor, got ${x.dtype} ${fmt(x.shape)}`);
  const [rows, cols] = rowsCols(x, log ? 'logSoftmax' : 'softmax');
  const out = Tensor.empty(x.shape, 'f32', x.engine);
  if (rows === 0) return out;
  dispatch(x, [], out, rows, cols, log ? 'log_softmax' : 'softmax', { LOG: log, CROSS_ENTROPY: false });
  return out;
}

function refRows(x: HostTensor, f: (row: Float64Array) => Float64Array): HostTensor {
  const cols = x.shape[x.shape.length - 1];
  const data = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / cols; r++) data.set(f(x.data.subarray(r * cols, (r + 1) * cols)), r * cols);
  return { data, shape: [...x.shape] };
}
function logSumExp(row: Float64Array): number {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
}

export const softmaxOp = defineOp<Record<string, never>>({
  name: 'softmax',
  forward: ([x]) => launch(x, false),
  vjp: ({ output: y }, gy) => [mul(y, sub(gy, sum(mul(gy, y), -1, true)))],
  jvp: ({ output: y }, [t]) => mul(y, sub(t!, sum(mul(t!, y), -1, true))),
  reference: ([x]) => refRows(x, (row) => { const l = logSumExp(row); return row.map((v) => Math.exp(v - l)); }),
});
export const logSoftmaxOp = defineOp<Record<string, never>>({
  name: 'log_softmax',
  forward: ([x]) => launch(x, true),
  vjp: ({ output: y }, gy) => [sub(gy, mul(exp(y), sum(gy, -1, true)))],
  jvp: ({ output: y }, [t]) => sub(t!, sum(mul(exp(y), t!), -1, true)),
  reference: ([x]) => refRows(x, (row) => { const l = logSumExp(row); return row.map((v) => v - l); }),
});

function softmaxMinusOneHot(x: Tensor, labels: Tensor): Tensor {
  return sub(softmaxOp([x], {}), reshape(oneHot(labels, x.shape[x.rank - 1]), x.shape));
}

/** Per-row loss logsumexp(x) - x[label]; labels are i32 with the shape of x without its last axis. */
export const crossEntropyOp = defineOp<Record<string, never>>({
  name: 'cross_entropy',
  nondiff: [1],
  forward([x, labels]) {
    if (x.dtype !== 'f32') throw new CritError(`crossEntropy: logits must be f32, got ${x.dtype} ${fmt(x.shape)}`);
    const [rows, cols] = rowsCols(x, 'crossEntropy');
    if (labels.dtype !== 'i32') throw new CritError(`crossEntropy: labels must be i32, got ${labels.dtype}`);
    if (labels.size !== rows) throw new CritError(`crossEntropy: ${labels.size} labels for ${rows} rows of logits ${fmt(x.shape)}`);
    const out = Tensor.empty(x.shape.slice(0, -1), 'f32', x.engine);
    if (rows === 0) return out;
    dispatch(x, [labels], out, rows, cols, 'cross_entropy', { LOG: false, CROSS_ENTROPY: true });
    return out;
  },
  // d loss / d x = softmax(x) - onehot(label), per row.
  vjp: ({ inputs: [x, labels] }, gy) => [mul(softmaxMinusOneHot(x, labels), reshape(gy, [...gy.shape, 1])), null],
  jvp: ({ inputs: [x, labels] }, [t]) => sum(mul(softmaxMinusOneHot(x, labels), t!), -1),
  reference: ([x, labels]) => {
    const cols = x.shape[x.shape.length - 1], rows = x.data.length / cols;
    const data = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const row = x.data.subarray(r * cols, (r + 1) * cols), l = labels.data[r];
      data[r] = l >= 0 && l < cols ? logSumExp(row) - row[l] : NaN;
    }
    return { data, shape: x.shape.slice(0, -1) };
  },
});

export const softmax = (x: Tensor) => softmaxOp([x], {});
export const logSoftmax = (x: Tensor) => logSoftmaxOp([x], {});
/** Cross-entropy of logits [..., C] against i32 labels [...]; reduction 'mean' (default), 'sum' or 'none'. */
export function crossEntropy(logits: Tensor, labels: Tensor, reduction: 'mean' | 'sum' | 'none' = 'mean'): Tensor {
  const l = crossEntropyOp([logits, labels.rank === logits.rank - 1 ? labels : reshape(labels, logits.shape.slice(0, -1))], {});
  return reduction === 'none' ? l : reduction === 'sum' ? sum(l) : mean(l);
}

