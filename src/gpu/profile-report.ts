// What a profile says: a per-kernel table (calls, total and mean GPU time, share, GFLOP/s and GB/s from the
// work each dispatch declared) and the Chrome trace-event JSON that Perfetto and chrome://tracing open.
// Plain data in, plain data out, so Node (CLI) and the browser (profiler page) share it.
import type { ProfileEvent } from './profiler.js';

export interface KernelRow {
  label: string;
  calls: number;
  totalNs: number;
  meanNs: number;
  /** Fraction of all timed kernel time. */
  share: number;
  /** Declared work summed over the calls that declared it. */
  flops: number;
  bytes: number;
  /** Declared work over the GPU time of the calls that declared it; null when no call declared any. */
  gflops: number | null;
  gbps: number | null;
}

export interface ProfileSummary {
  rows: KernelRow[];
  /** Sum of all kernel durations. */
  kernelNs: number;
  /** First start to last end on the GPU clock. */
  spanNs: number;
  dispatches: number;
}

/** Groups events by label; rows sorted by total time, largest first. */
export function summarize(events: readonly ProfileEvent[]): ProfileSummary {
  const by = new Map<string, { calls: number; ns: number; flops: number; flopNs: number; bytes: number; byteNs: number }>();
  let kernelNs = 0, first = Infinity, last = -Infinity;
  for (const e of events) {
    const ns = e.endNs - e.startNs;
    kernelNs += ns;
    first = Math.min(first, e.startNs);
    last = Math.max(last, e.endNs);
    let r = by.get(e.label);
    if (!r) by.set(e.label, (r = { calls: 0, ns: 0, flops: 0, flopNs: 0, bytes: 0, byteNs: 0 }));
    r.calls++;
    r.ns += ns;
    if (e.flops) { r.flops += e.flops; r.flopNs += ns; }
    if (e.bytes) { r.bytes += e.bytes; r.byteNs += ns; }
  }
  const rows: KernelRow[] = [...by].map(([label, r]) => ({
    label, calls: r.calls, totalNs: r.ns, meanNs: r.ns / r.calls, share: kernelNs > 0 ? r.ns / kernelNs : 0,
    flops: r.flops, bytes: r.bytes,
    // flop per ns = GFLOP/s; a kernel timed at 0 ns (quantised timestamps) has no meaningful rate.
    gflops: r.flops > 0 && r.flopNs > 0 ? r.flops / r.flopNs : null,
    gbps: r.bytes > 0 && r.byteNs > 0 ? r.bytes / r.byteNs : null,
  }));
  rows.sort((a, b) => b.totalNs - a.totalNs || a.label.localeCompare(b.label));
  return { rows, kernelNs, spanNs: events.length ? last - first : 0, dispatches: events.length };
}

function ms(ns: number): string { return (ns / 1e6).toFixed(ns >= 1e9 ? 0 : 3); }
function us(ns: number): string { return (ns / 1e3).toFixed(ns >= 1e6 ? 0 : 1); }
function rate(v: number | null): string { return v === null ? '-' : v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(2); }

/** The table as text, `top` rows (the rest folded into one line). */
export function formatTable(s: ProfileSummary, opts: { top?: number; wallMs?: number; untimed?: number } = {}): string {
  const top = opts.top ?? 30;
  const header = ['kernel', 'calls', 'total ms', 'mean us', 'share', 'GFLOP/s', 'GB/s'];
  const body = s.rows.slice(0, top).map((r) => [r.label, String(r.calls), ms(r.totalNs), us(r.meanNs), `${(100 * r.share).toFixed(1)}%`, rate(r.gflops), rate(r.gbps)]);
  const rest = s.rows.slice(top);
  if (rest.length) {
    const ns = rest.reduce((a, r) => a + r.totalNs, 0), calls = rest.reduce((a, r) => a + r.calls, 0);
    body.push([`(${rest.length} more)`, String(calls), ms(ns), us(ns / calls), `${(100 * ns / (s.kernelNs || 1)).toFixed(1)}%`, '', '']);
  }
  const w = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  const out = [line(header), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)];
  const wall = opts.wallMs !== undefined ? ` in ${opts.wallMs.toFixed(0)} ms wall (GPU busy ${(100 * s.kernelNs / 1e6 / Math.max(opts.wallMs, 1e-9)).toFixed(0)}%)` : '';
  out.push(`${s.dispatches} dispatches, ${ms(s.kernelNs)} ms of kernel time${wall}${opts.untimed ? `; ${opts.untimed} untimed` : ''}`);
  return out.join('\n');
}

export interface TraceMeta {
  /** Shown as the process name in Perfetto, e.g. the adapter. */
  processName?: string;
  /** Free-form facts stored in otherData (command line, adapter kind). */
  otherData?: Record<string, string | number | boolean>;
}

/**
 * Chrome trace-event JSON (the "JSON Object Format"): one complete ('X') event per dispatch on a
 * "GPU queue" track, timestamps in microseconds from the first dispatch, declared work in args.
 */
export function toTraceEvents(events: readonly ProfileEvent[], meta: TraceMeta = {}): { traceEvents: object[]; displayTimeUnit: 'ms'; otherData: Record<string, unknown> } {
  const t0 = events.reduce((m, e) => Math.min(m, e.startNs), Infinity);
  const pid = 1, tid = 1;
  const traceEvents: object[] = [
    { ph: 'M', name: 'process_name', pid, tid: 0, args: { name: meta.processName ?? 'crit' } },
    { ph: 'M', name: 'thread_name', pid, tid, args: { name: 'GPU queue' } },
  ];
  for (const e of events) {
    const dur = (e.endNs - e.startNs) / 1e3;
    const args: Record<string, number> = { submit: e.submit };
    if (e.flops) { args.flops = e.flops; if (dur > 0) args.gflops = e.flops / (dur * 1e3); }
    if (e.bytes) { args.bytes = e.bytes; if (dur > 0) args.gbps = e.bytes / (dur * 1e3); }
    traceEvents.push({ name: e.label, cat: 'kernel', ph: 'X', ts: (e.startNs - t0) / 1e3, dur, pid, tid, args });
  }
  return { traceEvents, displayTimeUnit: 'ms', otherData: { ...meta.otherData, generator: 'crit' } };
}
