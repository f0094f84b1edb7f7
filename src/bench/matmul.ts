// `crit bench matmul`: f32 matmul GFLOP/s of crit against tfjs-backend-webgpu, same process, same adapter,
// same inputs, same wall clock (encode, submit, readback done; median of repetitions after a warm-up).
import type { Engine } from '../gpu/engine.js';
import { uniformHost } from '../ops/random.js';
import { critMatmul, type MatmulShape, type MatmulRunner } from './matmul-crit.js';
import { loadTfjs, tfjsMatmul, type TfjsPeer } from './matmul-tfjs.js';
import { alternate, gflops, median, type RepeatOptions } from './timing.js';

export interface MatmulBenchRow {
  m: number; n: number; k: number;
  crit_gflops_kernel: number | null;
  crit_gflops_wall: number;
  tfjs_gflops_wall: number | null;
  /** tfjs wall time over crit wall time, median over the rounds (> 1: crit is faster). */
  ratio_wall: number | null;
  crit_variant: string;
  crit_kernel_ms: number | null;
  crit_wall_ms: number;
  tfjs_wall_ms: number | null;
  /** Timed rounds (one run of each engine per round, alternating). */
  reps: number;
  /** Largest |crit - tfjs| over the output, relative to the largest |tfjs| value (both are f32). */
  max_rel_diff: number | null;
  /** Why the tfjs columns are empty, when they are. */
  tfjs_error?: string;
  adapter: string;
}

export interface MatmulBenchOptions {
  /** Square sizes n x n x n. */
  sizes: number[];
  /** Extra shapes (the MNIST MLP layers by default). */
  shapes: MatmulShape[];
  reps: number;
  /** Per engine and shape: stop repeating after this many seconds (at least 2 repetitions). */
  budgetSeconds: number;
  variant?: 'register' | 'tiled';
  tfjs: boolean;
  onRow?: (row: MatmulBenchRow) => void;
  onStatus?: (line: string) => void;
}

/** The MNIST MLP 784-1000-500-10 forward products at a batch size: [batch x 784] x [784 x 1000], [batch x 1000] x [1000 x 500]. */
export const mnistShapes = (batch: number): MatmulShape[] => [{ m: batch, k: 784, n: 1000 }, { m: batch, k: 1000, n: 500 }];

export async function benchMatmul(eng: Engine, o: MatmulBenchOptions): Promise<{ rows: MatmulBenchRow[]; tfjs: string }> {
  const peer: TfjsPeer | { error: string } = o.tfjs ? await loadTfjs(eng) : { error: 'tfjs skipped (--no-tfjs)' };
  const tfjsNote = 'error' in peer ? peer.error : `@tensorflow/tfjs-backend-webgpu ${peer.version} on ${peer.adapter}`;
  o.onStatus?.(`tfjs: ${tfjsNote}`);
  const rep: RepeatOptions = { reps: o.reps, budgetMs: o.budgetSeconds * 1000 };
  const rows: MatmulBenchRow[] = [];
  const shapes = [...o.sizes.map((s) => ({ m: s, k: s, n: s })), ...o.shapes];
  for (const [i, shape] of shapes.entries()) {
    const { m, k, n } = shape;
    o.onStatus?.(`[${i + 1}/${shapes.length}] ${m} x ${k} x ${n}`);
    const flops = 2 * m * n * k;
    // Seeded inputs in [-1, 1), the same for both engines.
    const a = uniformHost(m * k, -1, 1, { seed: 1, stream: i }), b = uniformHost(k * n, -1, 1, { seed: 2, stream: i });
    const crit = critMatmul(eng, shape, a, b, o.variant);
    let tfjs: MatmulRunner | null = null;
    let tfjsError = 'error' in peer ? peer.error : undefined;
    let times: number[][];
    try {
      await crit.warmup();
      if (!('error' in peer)) {
        try { tfjs = tfjsMatmul(peer, shape, a, b); await tfjs.warmup(); } catch (e) { tfjs?.dispose(); tfjs = null; tfjsError = `tfjs failed: ${(e as Error).message.split('\n')[0]}`; }
      }
      // One crit run, then one tfjs run, per round.
      times = await alternate(tfjs ? [crit.once, tfjs.once] : [crit.once], rep);
    } finally {
      crit.dispose();
      tfjs?.dispose();
    }
    const kernelMs = await crit.kernelMs();
    const critMs = median(times[0]), tfjsMs = tfjs ? median(times[1]) : null;
    const row: MatmulBenchRow = {
      m, n, k,
      crit_gflops_kernel: kernelMs === null ? null : round(gflops(flops, kernelMs)),
      crit_gflops_wall: round(gflops(flops, critMs)),
      tfjs_gflops_wall: tfjsMs === null ? null : round(gflops(flops, tfjsMs)),
      // Median of the per-round ratios: robust to load that drifts between rounds.
      ratio_wall: tfjs ? round(median(times[1].map((t, r) => t / times[0][r]))) : null,
      crit_variant: crit.variant,
      crit_kernel_ms: kernelMs === null ? null : round(kernelMs),
      crit_wall_ms: round(critMs),
      tfjs_wall_ms: tfjsMs === null ? null : round(tfjsMs),
      reps: times[0].length,
      max_rel_diff: tfjs ? maxRelDiff(crit.result, tfjs.result) : null,
      ...(tfjsError ? { tfjs_error: tfjsError } : {}),
      adapter: eng.adapter.description,
    };
    rows.push(row);
    o.onRow?.(row);
  }
  return { rows, tfjs: tfjsNote };
}

function maxRelDiff(x: Float32Array, y: Float32Array): number {
  if (x.length !== y.length) return Infinity;
  let d = 0, s = 0;
  for (let i = 0; i < x.length; i++) { d = Math.max(d, Math.abs(x[i] - y[i])); s = Math.max(s, Math.abs(y[i])); }
  return Number((d / (s || 1)).toExponential(2));
}

const round = (x: number): number => Number(x.toPrecision(4));

/** The human-readable table. */
export function formatMatmulTable(rows: MatmulBenchRow[]): string {
  const head = ['m', 'k', 'n', 'crit kernel', 'crit wall', 'tfjs wall', 'wall ratio', 'crit variant'];
  const fmt = (v: number | null, unit = '') => (v === null ? '-' : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)}${unit}`);
  const body = rows.map((r) => [String(r.m), String(r.k), String(r.n), fmt(r.crit_gflops_kernel), fmt(r.crit_gflops_wall), fmt(r.tfjs_gflops_wall), r.ratio_wall === null ? '-' : `${fmt(r.ratio_wall)}x`, r.crit_variant]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padStart(w[i]))).join('  ');
  const notes = rows.filter((r) => r.tfjs_error).map((r) => r.tfjs_error!);
  return [line(head), ...body.map(line), '(GFLOP/s; wall = encode + submit + readback done, median of alternating rounds after warm-up; ratio = tfjs wall / crit wall)', ...[...new Set(notes)].map((n) => `tfjs: ${n}`)].join('\n');
}
