// crit's side of the matmul benchmark: wall time (encode, submit, readback done) through the library's own
// readback, and kernel time from timestamp queries around the same dispatches.
import type { Engine } from '../gpu/engine.js';
import { Profiler } from '../gpu/profiler.js';
import { tensor } from '../ops/create.js';
import { matmul, matmulPlan } from '../ops/matmul.js';
import type { Tensor } from '../tensor/tensor.js';
import { median } from './timing.js';

export interface MatmulShape { m: number; k: number; n: number }

/** One engine's side of a benchmark row: warm up once, then time single runs (milliseconds, wall). */
export interface MatmulRunner {
  warmup(): Promise<void>;
  once(): Promise<number>;
  /** The product of the last run (for the cross-check between engines). */
  result: Float32Array;
  dispose(): void;
}

export interface CritMatmulRunner extends MatmulRunner {
  /** Kernel label and block shape, e.g. `register 16x128` (ROWS x columns per workgroup). */
  variant: string;
  /** Median kernel time of the timed runs, from timestamp queries (null without the feature). */
  kernelMs(): Promise<number | null>;
}

export function critMatmul(eng: Engine, { m, k, n }: MatmulShape, a: Float32Array, b: Float32Array, variant?: 'register' | 'tiled'): CritMatmulRunner {
  const ta: Tensor = tensor(a, [m, k]), tb: Tensor = tensor(b, [k, n]);
  const prof = eng.hasTimestamps ? new Profiler(eng.device) : null;
  const p = matmulPlan(variant ?? (eng.isCpuAdapter ? 'register' : 'tiled'), { batch: 1, M: m, N: n, K: k }, { transA: false, transB: false });
  const runner: CritMatmulRunner = {
    variant: p.variant + (p.variant === 'register' ? ` ${p.defines.ROWS}x${8 * Number(p.defines.WG)}${p.swap ? ' swapped' : ''}` : ' 64x64'),
    result: new Float32Array(0),
    async warmup() {
      // engine.read sleeps for the time it expects the queued work to take (learned from earlier reads)
      // before it maps, so that Dawn's busy-polling does not take a core from a CPU driver. The first run
      // compiles the pipeline; waiting for it with sync() keeps that compile time out of what read() learns.
      // The next runs let its estimate settle, as it does in any loop that reads every step.
      const c0 = matmul(ta, tb, { variant });
      await eng.sync();
      await c0.read();
      c0.dispose();
      for (let i = 0; i < 4; i++) { const c = matmul(ta, tb, { variant }); await c.read(); c.dispose(); }
    },
    async once() {
      const before = eng.profiler;
      eng.profiler = prof;
      try {
        const t0 = performance.now();
        const c = matmul(ta, tb, { variant });
        runner.result = await c.readF32();
        const ms = performance.now() - t0;
        c.dispose();
        return ms;
      } finally {
        eng.profiler = before;
      }
    },
    async kernelMs() {
      const events = prof ? (await prof.collect()).filter((e) => e.label.startsWith('matmul')) : [];
      return events.length ? median(events.map((e) => (e.endNs - e.startNs) / 1e6)) : null;
    },
    dispose() { ta.dispose(); tb.dispose(); },
  };
  return runner;
}
