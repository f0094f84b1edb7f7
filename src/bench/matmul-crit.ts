// crit's side of the matmul benchmark: wall time (encode, submit, readback done) through the library's own
// readback, and kernel time from timestamp queries around the same dispatches.
import type { Engine } from '../gpu/engine.js';
import { Profiler } from '../gpu/profiler.js';
import { tensor } from '../ops/create.js';
import { matmul, matmulPlan } from '../ops/matmul.js';
import { median, repeat, type RepeatOptions } from './timing.js';

export interface MatmulShape { m: number; k: number; n: number }

export interface CritMatmulResult {
  /** Kernel label and block shape, e.g. `register 16x128` or `register 16x128 swapped`. */
  variant: string;
  kernelMs: number | null;
  wallMs: number;
  reps: number;
  /** The product of the last repetition (for the cross-check against tfjs). */
  result: Float32Array;
}

export async function benchCritMatmul(eng: Engine, { m, k, n }: MatmulShape, a: Float32Array, b: Float32Array, variant: 'register' | 'tiled' | undefined, rep: RepeatOptions): Promise<CritMatmulResult> {
  const ta = tensor(a, [m, k]), tb = tensor(b, [k, n]);
  try {
    // Warm-up. engine.read sleeps for the time it expects the queued work to take (learned from earlier
    // reads) before it maps, so that Dawn's busy-polling does not take a core from a CPU driver. The first
    // run compiles the pipeline; waiting for it with sync() keeps that compile time out of what read()
    // learns. The next runs let its estimate settle, as it does in any loop that reads every step.
    const c0 = matmul(ta, tb, { variant });
    await eng.sync();
    await c0.read();
    c0.dispose();
    for (let i = 0; i < 4; i++) { const c = matmul(ta, tb, { variant }); await c.read(); c.dispose(); }
    const prof = eng.hasTimestamps ? new Profiler(eng.device) : null;
    const before = eng.profiler;
    eng.profiler = prof;
    let result: Float32Array = new Float32Array(0);
    let walls: number[];
    try {
      walls = await repeat(async () => {
        const t0 = performance.now();
        const c = matmul(ta, tb, { variant });
        result = await c.readF32();
        const ms = performance.now() - t0;
        c.dispose();
        return ms;
      }, rep);
    } finally {
      eng.profiler = before;
    }
    const events = prof ? (await prof.collect()).filter((e) => e.label.startsWith('matmul')) : [];
    const p = matmulPlan(variant ?? (eng.isCpuAdapter ? 'register' : 'tiled'), { batch: 1, M: m, N: n }, { transA: false, transB: false });
    const block = p.variant === 'register' ? ` ${p.defines.ROWS}x${8 * Number(p.defines.WG)}${p.swap ? ' swapped' : ''}` : ' 64x64';
    return {
      variant: p.variant + block,
      kernelMs: events.length ? median(events.map((e) => (e.endNs - e.startNs) / 1e6)) : null,
      wallMs: median(walls),
      reps: walls.length,
      result,
    };
  } finally {
    ta.dispose(); tb.dispose();
  }
}
