// Accuracy and mean cross-entropy of a model on a dataset. Logits of all batches are read back once and
// scored on the host in f64, with argmax ties going to the lowest class like torch.argmax.
import { Tensor, engine, scopeAsync, scope } from '../tensor/tensor.js';
import { noGrad } from '../autodiff/state.js';
import { concat } from '../ops/layout.js';
import type { Dataset } from '../data/dataset.js';
import { CritError } from '../util/errors.js';
import type { Model, Params } from './mlp.js';

export interface Evaluation {
  /** Fraction of samples whose largest logit is at their label. */
  accuracy: number;
  /** Mean cross-entropy (natural log). */
  loss: number;
  correct: number;
  count: number;
}

/** Scores logits [n, classes] against labels on the host. */
export function scoreLogits(logits: Float32Array, labels: Int32Array, classes: number): Evaluation {
  const n = labels.length;
  if (logits.length !== n * classes) throw new CritError(`scoreLogits: ${logits.length} logits for ${n} samples of ${classes} classes`);
  let correct = 0, loss = 0;
  for (let i = 0; i < n; i++) {
    const row = logits.subarray(i * classes, (i + 1) * classes);
    let best = 0, m = row[0];
    for (let c = 1; c < classes; c++) if (row[c] > m) { m = row[c]; best = c; }
    if (best === labels[i]) correct++;
    let s = 0;
    for (let c = 0; c < classes; c++) s += Math.exp(row[c] - m);
    loss += m + Math.log(s) - row[labels[i]];
  }
  return { accuracy: n ? correct / n : NaN, loss: n ? loss / n : NaN, correct, count: n };
}

/** Evaluates in batches (no gradients); one readback for the whole set. */
export async function evaluate(model: Pick<Model, 'forward' | 'outputSize'>, params: Params, data: Dataset, o: { batchSize?: number } = {}): Promise<Evaluation> {
  const bs = o.batchSize ?? 1000;
  if (data.length === 0) return { accuracy: NaN, loss: NaN, correct: 0, count: 0 };
  const logits = await scopeAsync(async () => {
    const parts = data.batchIndices(bs).map((idx) => {
      const b = data.batch(idx);
      const out = scope(() => noGrad(() => model.forward(params, Tensor.from(b.x, [b.size, data.features]))));
      engine().flush(); // lets the buffer pool recycle this batch's intermediates
      return out;
    });
    return (await noGrad(() => concat(parts, 0)).readF32());
  });
  return scoreLogits(logits, data.y, model.outputSize);
}
