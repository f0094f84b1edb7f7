// GPU profiling for CLI commands: `--profile` prints a per-kernel table on stderr when the command ends,
// `--profile-out FILE.json` also writes a Chrome trace-event file (Perfetto, chrome://tracing).
// An experiment command adds `...profileOptions` to its parseArgs options and wraps its work:
//   return withProfiling(eng, values, () => runTheExperiment(...));
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Engine } from '../gpu/engine.js';
import { Profiler } from '../gpu/profiler.js';
import { summarize, formatTable, toTraceEvents } from '../gpu/profile-report.js';
import { CritError } from '../util/errors.js';

/** parseArgs options for the profiling flags. */
export const profileOptions = {
  profile: { type: 'boolean' },
  'profile-out': { type: 'string' },
  'profile-top': { type: 'string' },
} as const;

export interface ProfilingFlags {
  profile?: boolean;
  'profile-out'?: string;
  'profile-top'?: string;
}

export const profileUsage = `profiling:
  --profile               print a per-kernel GPU time table on stderr at the end (timestamp queries)
  --profile-out FILE.json also write the dispatches as Chrome trace-event JSON (open in ui.perfetto.dev)
  --profile-top N         rows in the table (default 30)`;

export interface ProfileResult {
  table: string;
  events: number;
  kernelMs: number;
  wallMs: number;
  traceFile?: string;
}

/** A profiling run on one engine: start() attaches a profiler, finish() reads it back and reports. */
export class ProfileSession {
  private profiler: Profiler;
  private t0 = performance.now();
  private realDestroy: () => void;
  private destroyRequested = false;

  constructor(private engine: Engine, private flags: ProfilingFlags, private command = 'crit') {
    if (!engine.hasTimestamps) {
      throw new CritError(`profiling needs the WebGPU feature 'timestamp-query', which the adapter '${engine.adapter.description || engine.adapter.kind}' does not offer`);
    }
    this.profiler = new Profiler(engine.device);
    engine.flush(); // earlier work stays out of the profile
    engine.profiler = this.profiler;
    // A command may destroy the device when it is done; the timestamps must be read first, so destroying
    // waits until finish().
    this.realDestroy = engine.destroy.bind(engine);
    engine.destroy = () => { this.destroyRequested = true; engine.flush(); };
  }

  async finish(): Promise<ProfileResult> {
    const eng = this.engine;
    try {
      await eng.sync();
      const wallMs = performance.now() - this.t0;
      const events = await this.profiler.collect();
      const summary = summarize(events);
      const top = this.flags['profile-top'] !== undefined ? Number(this.flags['profile-top']) : 30;
      if (!Number.isInteger(top) || top < 1) throw new CritError(`--profile-top must be a positive integer, got '${this.flags['profile-top']}'`);
      const table = formatTable(summary, { top, wallMs, untimed: this.profiler.untimed });
      let traceFile: string | undefined;
      if (this.flags['profile-out']) {
        traceFile = resolve(this.flags['profile-out']);
        const trace = toTraceEvents(events, {
          processName: `crit on ${eng.adapter.description || eng.adapter.kind}`,
          otherData: { command: this.command, adapter: eng.adapter.description, adapterKind: eng.adapter.kind, wallMs: Math.round(wallMs), untimed: this.profiler.untimed },
        });
        mkdirSync(dirname(traceFile), { recursive: true });
        writeFileSync(traceFile, JSON.stringify(trace));
      }
      return { table, events: events.length, kernelMs: summary.kernelNs / 1e6, wallMs, traceFile };
    } finally {
      eng.profiler = null;
      this.profiler.destroy();
      eng.destroy = this.realDestroy;
      if (this.destroyRequested) this.realDestroy();
    }
  }
}

function report(r: ProfileResult): void {
  console.error(`\nGPU profile (per kernel, timestamp queries):\n${r.table}`);
  if (r.traceFile) console.error(`trace: ${r.traceFile} (${r.events} events; open in https://ui.perfetto.dev or chrome://tracing)`);
}

/**
 * Runs fn; with --profile or --profile-out, times every dispatch it makes and reports at the end.
 * Inside an outer profile (`crit profile <command> --profile`) the outer one reports.
 */
export async function withProfiling<T>(engine: Engine, flags: ProfilingFlags, fn: () => Promise<T>, command?: string): Promise<T> {
  if ((!flags.profile && !flags['profile-out']) || engine.profiler) return fn();
  const session = new ProfileSession(engine, flags, command ?? process.argv.slice(2).join(' '));
  let result: T;
  try {
    result = await fn();
  } catch (e) {
    await session.finish().catch(() => undefined);
    throw e;
  }
  report(await session.finish());
  return result;
}

export { report as printProfile };
