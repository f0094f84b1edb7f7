// Dynamic range Δ = 10 log10(s_0.9 / s_0.1) (paper, Methods): the input s·u with u ~ U[-1, 1]^N fixed and s
// on a log grid over 10^-9..10^0; the response r(s) is the output activity; r_x = r_0 + x (r_max − r_0) with
// r_0, r_max the smallest and largest response on the grid; s_x is where r first reaches r_x, interpolated
// linearly in log s between grid points.
// Our addition: a response that does not even double over the grid (r_max < minSpan · r_0) codes no stimulus
// range: Δ = 0 ("saturated"). Without it, a super-critical net, saturated for every stimulus, would get a
// random Δ from the 10% and 90% crossings of its chaotic ±10% fluctuations.
import { Tensor, scopeAsync } from '../tensor/tensor.js';
import { abs, mul } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { tensor } from '../ops/create.js';
import { reshape } from '../ops/layout.js';
import { CritError } from '../util/errors.js';
import { type ModelFn, stagesOf } from './model.js';

/** s = 10^e for e from `from` to `to` (exponents) with `perDecade` points per decade. */
export function stimulusGrid(perDecade = 2, from = -9, to = 0): number[] {
  if (!(perDecade > 0) || !(to > from)) throw new CritError(`stimulusGrid: need perDecade > 0 and from < to, got ${perDecade}, ${from}, ${to}`);
  const n = Math.round((to - from) * perDecade);
  return Array.from({ length: n + 1 }, (_, i) => 10 ** (from + ((to - from) * i) / n));
}

export interface DynamicRange {
  /** Δ in dB; 0 for a saturated response (r_max < minSpan · r_0); NaN when there is none (all r = 0, as when f32 underflows). */
  Delta: number;
  s10: number;
  s90: number;
  r0: number;
  rMax: number;
  saturated: boolean;
}

export interface DynamicRangeOptions {
  /** r_max / r_0 below this counts as saturated: Δ = 0 (default 2). */
  minSpan?: number;
}

/** Where r first reaches level (r ascending in the stimulus), interpolated in log s. */
function crossing(s: readonly number[], r: readonly number[], level: number): number {
  if (r[0] >= level) return s[0];
  for (let i = 1; i < s.length; i++) {
    if (r[i] >= level) {
      const f = (level - r[i - 1]) / (r[i] - r[i - 1]);
      return Math.exp(Math.log(s[i - 1]) + f * (Math.log(s[i]) - Math.log(s[i - 1])));
    }
  }
  return s[s.length - 1];
}

/** Δ from a stimulus-response curve (s ascending, r >= 0). */
export function dynamicRange(s: readonly number[], r: readonly number[], opts: DynamicRangeOptions = {}): DynamicRange {
  if (s.length !== r.length || s.length < 2) throw new CritError(`dynamicRange: need matching s and r with at least 2 points, got ${s.length} and ${r.length}`);
  for (let i = 1; i < s.length; i++) if (!(s[i] > s[i - 1] && s[i - 1] > 0)) throw new CritError('dynamicRange: s must be positive and ascending');
  const minSpan = opts.minSpan ?? 2;
  let r0 = Infinity, rMax = -Infinity;
  for (const v of r) { if (!Number.isFinite(v)) return { Delta: NaN, s10: NaN, s90: NaN, r0: NaN, rMax: NaN, saturated: false }; r0 = Math.min(r0, v); rMax = Math.max(rMax, v); }
  if (!(rMax > 0)) return { Delta: NaN, s10: NaN, s90: NaN, r0, rMax, saturated: false };
  if (rMax < minSpan * r0) return { Delta: 0, s10: NaN, s90: NaN, r0, rMax, saturated: true };
  const s10 = crossing(s, r, r0 + 0.1 * (rMax - r0));
  const s90 = crossing(s, r, r0 + 0.9 * (rMax - r0));
  return { Delta: 10 * Math.log10(s90 / s10), s10, s90, r0, rMax, saturated: false };
}

/** The response r(s) = activity of model(s·u) for every s of the grid (one batched call); u of shape [1, ...]. */
export async function stimulusResponse(model: ModelFn, u: Tensor, grid: readonly number[] = stimulusGrid()): Promise<Float64Array> {
  if (u.shape[0] !== 1) throw new CritError(`stimulusResponse: u must be one input with a leading axis of 1, got [${u.shape.join(', ')}]`);
  const stages = stagesOf(model);
  return scopeAsync(async () => {
    const G = grid.length, n = u.size;
    const xs = mul(reshape(u, [1, n]), tensor(grid, [G, 1]));
    let cur = reshape(xs, [G, ...u.shape.slice(1)]);
    for (const f of stages) cur = f(cur);
    const r = await mean(abs(cur), cur.shape.map((_, i) => i).slice(1)).readF32();
    return Float64Array.from(r);
  });
}
