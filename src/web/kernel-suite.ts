// The kernel profiling suite shared by the profiler page and `crit profile kernels`: the engine's kernels
// (matmul shapes, elementwise maps, reductions, softmax/cross-entropy, a JVP and a VJP pass through an MLP)
// timed with timestamp queries, plus two probes that measure the adapter's peak compute (independent
// multiply-add chains in registers) and peak memory bandwidth (a vec4 copy) for the roofline.
import { Engine } from '../gpu/engine.js';
import { Profiler, type ProfileEvent } from '../gpu/profiler.js';
import { summarize } from '../gpu/profile-report.js';
import { ParamWriter } from '../ops/launch.js';
import {
  scope, matmul, uniform, add, mul, exp, scaledTanh, sum, max, softmax, crossEntropy, intTensor, jvp, valueAndGrad, Tensor,
} from '../api.js';

export type SuiteSize = 'tiny' | 'small' | 'full';

export interface SuiteItem {
  name: string;
  group: 'peak' | 'matmul' | 'elementwise' | 'reduction' | 'autodiff';
  /** Encodes one repetition; tensors made inside are released by the runner. */
  run(eng: Engine): void;
}

export interface SuiteRow {
  name: string;
  group: SuiteItem['group'];
  /** Kernel labels of the dispatches of one repetition, with their counts. */
  kernels: Record<string, number>;
  repeats: number;
  /** Mean GPU time of one repetition (sum over its dispatches). */
  meanNs: number;
  flops: number;
  bytes: number;
  gflops: number | null;
  gbps: number | null;
  /** Declared flop per declared byte. */
  intensity: number | null;
}

export interface SuiteResult {
  adapter: string;
  adapterKind: string;
  size: SuiteSize;
  rows: SuiteRow[];
  /** Measured by the probes (the larger of probe and best suite kernel). */
  peakGflops: number;
  peakGbps: number;
  /** Every timed dispatch, for the trace export. */
  events: (ProfileEvent & { item: string })[];
}

const PEAK_WGSL = /* wgsl */ `
struct Params { n: u32, iters: u32, k: f32, pad: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> out: array<vec4<f32>>;
// Four independent multiply-add chains on vec4: 32 flop per iteration, no memory traffic in the loop.
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.n) { return; }
  var a = vec4<f32>(f32(i) * 1e-7, 0.1, 0.2, 0.3);
  var b = a + vec4<f32>(0.5);
  var c = a + vec4<f32>(0.7);
  var d = a + vec4<f32>(0.9);
  let m = vec4<f32>(0.999);
  let k = vec4<f32>(p.k);
  for (var t = 0u; t < p.iters; t = t + 1u) {
    a = a * m + k; b = b * m + k; c = c * m + k; d = d * m + k;
  }
  out[i] = a + b + c + d;
}`;

const COPY_WGSL = /* wgsl */ `
struct Params { n: u32, pad0: u32, pad1: u32, pad2: u32 };
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<f32>>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= p.n) { return; }
  dst[i] = src[i];
}`;


function peakCompute(invocations: number, iters: number): SuiteItem {
  return {
    name: `peak FMA probe (${invocations / 1024}K threads x ${iters})`, group: 'peak',
    run(eng) {
      const out = Tensor.empty([invocations * 4]);
      eng.dispatch({
        kernel: { name: 'peak_fma', source: PEAK_WGSL }, label: 'peak_fma', buffers: [out.buffer],
        params: new ParamWriter().u32(invocations).u32(iters).f32(1e-3).u32(0).buffer, workgroups: Math.ceil(invocations / 64), flops: invocations * iters * 32, bytes: 16 * invocations,
      });
    },
  };
}

function peakCopy(vec4s: number): SuiteItem {
  return {
    name: `peak copy probe (${vec4s * 16 >= 2 ** 20 ? `${vec4s * 16 / 2 ** 20} MiB` : `${vec4s * 16 / 1024} KiB`})`, group: 'peak',
    run(eng) {
      const src = Tensor.empty([vec4s * 4]), dst = Tensor.empty([vec4s * 4]);
      const grid = eng.foldGrid(Math.ceil(vec4s / 64));
      eng.dispatch({ kernel: { name: 'peak_copy', source: COPY_WGSL }, label: 'peak_copy', buffers: [src.buffer, dst.buffer], params: new ParamWriter().u32(vec4s).u32(0).u32(0).u32(0).buffer, workgroups: grid, bytes: 32 * vec4s });
    },
  };
}

function mm(m: number, k: number, n: number, o: { transA?: boolean; transB?: boolean } = {}): SuiteItem {
  const t = o.transA ? 'ᵀ' : '', u = o.transB ? 'ᵀ' : '';
  return {
    name: `matmul ${m}x${k}${t} · ${k}x${n}${u}`, group: 'matmul',
    run() {
      const a = uniform(o.transA ? [k, m] : [m, k], -1, 1, { seed: 1 }), b = uniform(o.transB ? [n, k] : [k, n], -1, 1, { seed: 2 });
      matmul(a, b, o);
    },
  };
}

function ew(name: string, n: number, f: (x: Tensor, y: Tensor) => Tensor, yShape?: number[]): SuiteItem {
  return {
    name: `${name} (${n >= 1 << 20 ? `${n / (1 << 20)}M` : `${n / 1024}K`})`, group: 'elementwise',
    run() { const x = uniform([n / 256, 256], -1, 1, { seed: 3 }), y = uniform(yShape ?? [n / 256, 256], -1, 1, { seed: 4 }); f(x, y); },
  };
}

function red(name: string, rows: number, cols: number, f: (x: Tensor) => Tensor): SuiteItem {
  return { name: `${name} ${rows}x${cols}`, group: 'reduction', run() { f(uniform([rows, cols], -1, 1, { seed: 5 })); } };
}

/** An MLP batch x in -> hidden (scaled tanh) -> out: one forward + JVP pass, and one forward + VJP of the CE loss. */
function mlpPasses(batch: number, din: number, hidden: number, dout: number): SuiteItem[] {
  const make = () => ({
    x: uniform([batch, din], -1, 1, { seed: 6 }),
    w1: uniform([din, hidden], -0.05, 0.05, { seed: 7 }), w2: uniform([hidden, dout], -0.05, 0.05, { seed: 8 }),
  });
  const f = (x: Tensor, w1: Tensor, w2: Tensor) => matmul(scaledTanh(matmul(x, w1)), w2);
  const shape = `${batch}x${din}-${hidden}-${dout}`;
  return [
    { name: `JVP pass MLP ${shape}`, group: 'autodiff', run() { const { x, w1, w2 } = make(); jvp((xx) => f(xx, w1, w2), [x], [uniform(x.shape, -1, 1, { seed: 9 })]); } },
    {
      name: `VJP pass MLP ${shape} (CE loss)`, group: 'autodiff',
      run() {
        const { x, w1, w2 } = make();
        const labels = intTensor(Array.from({ length: batch }, (_, i) => i % dout));
        valueAndGrad((a, b) => crossEntropy(f(x, a, b), labels), [w1, w2]);
      },
    },
  ];
}

/** The suite for a size: 'tiny' for tests on SwiftShader, 'small' for CPU drivers, 'full' for GPUs. */
export function kernelSuite(size: SuiteSize): SuiteItem[] {
  const s = size === 'tiny' ? 0 : size === 'small' ? 1 : 2;
  const sq = [[64, 128], [128, 256, 512], [256, 512, 1024, 2048]][s];
  const batch = [16, 64, 128][s];
  const n = [1 << 14, 1 << 18, 1 << 22][s];
  return [
    peakCompute([4096, 16384, 65536][s], [64, 256, 1024][s]),
    peakCopy([1 << 16, 1 << 18, 1 << 22][s]),
    ...sq.map((d) => mm(d, d, d)),
    mm(batch, 784, [100, 1000, 1000][s]),
    mm(batch, [100, 1000, 1000][s], [50, 500, 500][s]),
    mm([100, 1000, 1000][s], batch, 784, { transA: true }),
    mm(batch, [50, 500, 500][s], [100, 1000, 1000][s], { transB: true }),
    ew('add', n, add), ew('mul broadcast row', n, mul, [1, 256]), ew('exp', n, (x) => exp(x)), ew('scaled tanh', n, (x) => scaledTanh(x)),
    red('sum over rows', n / 256, 256, (x) => sum(x, 1)), red('sum over columns', n / 256, 256, (x) => sum(x, 0)),
    red('max over rows', n / 256, 256, (x) => max(x, 1)), red('softmax', n / 256, 256, (x) => softmax(x)),
    red('cross-entropy', n / 256, 256, (x) => crossEntropy(x, intTensor(Array.from({ length: n / 256 }, (_, i) => i % 256)))),
    ...mlpPasses(batch, 784, [100, 1000, 1000][s], 10),
  ];
}

export interface SuiteOptions {
  size?: SuiteSize;
  /** Timed repetitions of each item after one warm-up (default 3). */
  repeats?: number;
  /** Called after each item; awaited, so a page can repaint between items. */
  onItem?: (row: SuiteRow, done: number, total: number) => void | Promise<void>;
  /** Only items whose name contains one of these. */
  filter?: string[];
}

/**
 * Runs the suite on an engine with timestamp queries. Every item runs once untimed (pipeline compilation,
 * buffer pool), then `repeats` times in one submit; its row is the mean per repetition.
 */
export async function runKernelSuite(eng: Engine, opts: SuiteOptions = {}): Promise<SuiteResult> {
  if (!eng.hasTimestamps) throw new Error(`the adapter '${eng.adapter.description || eng.adapter.kind}' has no 'timestamp-query' feature, so kernels cannot be timed`);
  const repeats = opts.repeats ?? 3;
  let items = kernelSuite(opts.size ?? 'small');
  if (opts.filter?.length) items = items.filter((it) => opts.filter!.some((f) => it.name.includes(f)));
  const prof = new Profiler(eng.device);
  const previous = eng.profiler;
  const rows: SuiteRow[] = [];
  const events: SuiteResult['events'] = [];
  try {
    for (const [i, item] of items.entries()) {
      eng.profiler = null;
      scope(() => item.run(eng));
      await eng.sync();
      eng.profiler = prof;
      for (let r = 0; r < repeats; r++) scope(() => item.run(eng));
      await eng.sync();
      const evs = (await prof.collect()).slice();
      prof.reset();
      // Inputs are made by the RNG inside run(); they are not part of what the item measures.
      const own = evs.filter((e) => e.label !== 'uniform');
      const sm = summarize(own);
      const kernels: Record<string, number> = {};
      for (const r of sm.rows) kernels[r.label] = r.calls / repeats;
      const flops = own.reduce((a, e) => a + (e.flops ?? 0), 0) / repeats;
      const bytes = own.reduce((a, e) => a + (e.bytes ?? 0), 0) / repeats;
      const meanNs = sm.kernelNs / repeats;
      const row: SuiteRow = {
        name: item.name, group: item.group, kernels, repeats, meanNs, flops, bytes,
        gflops: flops > 0 && meanNs > 0 ? flops / meanNs : null,
        gbps: bytes > 0 && meanNs > 0 ? bytes / meanNs : null,
        intensity: flops > 0 && bytes > 0 ? flops / bytes : null,
      };
      rows.push(row);
      for (const e of own) events.push({ ...e, item: item.name });
      await opts.onItem?.(row, i + 1, items.length);
    }
  } finally {
    eng.profiler = previous;
    prof.destroy();
  }
  // The roofline's ceilings are the best rates measured: normally the probes; a suite kernel that beats
  // a probe raises the ceiling, so no point sits above the roofline.
  const best = (g: 'gflops' | 'gbps') => Math.max(0, ...rows.map((r) => r[g] ?? 0));
  return {
    adapter: eng.adapter.description || `${eng.adapter.vendor} ${eng.adapter.architecture}`, adapterKind: eng.adapter.kind, size: opts.size ?? 'small', rows,
    peakGflops: best('gflops'), peakGbps: best('gbps'),
    events,
  };
}
