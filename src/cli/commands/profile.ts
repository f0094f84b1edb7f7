import { parseArgs } from 'node:util';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { CliCommand } from '../command.js';
import { UsageError } from '../command.js';
import { init } from '../../api.js';
import { ProfileSession, printProfile } from '../profiling.js';
import { runKernelSuite, type SuiteSize } from '../../web/kernel-suite.js';
import { toTraceEvents } from '../../gpu/profile-report.js';

const usage = `usage: crit profile [--profile-out FILE.json] [--profile-top N] [--adapter A] <command> [args...]
       crit profile kernels [--size tiny|small|full] [--repeats N] [--json] [--profile-out FILE.json] [--adapter A]

The first form runs another crit command with every GPU dispatch timed by timestamp queries and prints a
per-kernel table on stderr (calls, total and mean time, share of kernel time, GFLOP/s and GB/s from the
work each kernel declares). --profile-out also writes a Chrome trace-event JSON file for
https://ui.perfetto.dev or chrome://tracing. Same as the command's own --profile flag, for any command.

'kernels' runs the profiling suite of the web profiler page (matmul shapes, elementwise maps, reductions,
a JVP and a VJP pass) after probes of the adapter's peak compute and memory bandwidth, and prints each
item's time, GFLOP/s, GB/s and its fraction of the roofline bound min(peak, intensity x bandwidth).`;

async function kernels(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: {
    size: { type: 'string' }, repeats: { type: 'string' }, json: { type: 'boolean' }, 'profile-out': { type: 'string' }, adapter: { type: 'string' }, filter: { type: 'string', multiple: true },
  } });
  const size = (values.size ?? 'small') as SuiteSize;
  if (!['tiny', 'small', 'full'].includes(size)) throw new UsageError(`--size must be tiny, small or full, got '${values.size}'`);
  const repeats = values.repeats === undefined ? 3 : Number(values.repeats);
  if (!Number.isInteger(repeats) || repeats < 1) throw new UsageError(`--repeats must be a positive integer, got '${values.repeats}'`);
  const eng = await init({ prefer: values.adapter });
  const res = await runKernelSuite(eng, {
    size, repeats, filter: values.filter,
    onItem: (row, done, total) => { if (!values.json) process.stderr.write(`\r[${done}/${total}] ${row.name}`.padEnd(70)); },
  });
  if (!values.json) process.stderr.write('\n');
  if (values['profile-out']) {
    const file = resolve(values['profile-out']);
    mkdirSync(dirname(file), { recursive: true });
    const trace = toTraceEvents(res.events.map((e) => ({ ...e, label: `${e.label} [${e.item}]` })), { processName: `crit kernels on ${res.adapter}`, otherData: { size, repeats } });
    writeFileSync(file, JSON.stringify(trace));
    console.error(`trace: ${file}`);
  }
  const bound = (i: number | null) => (i === null ? null : Math.min(res.peakGflops, i * res.peakGbps));
  if (values.json) {
    const { events: _e, ...rest } = res;
    console.log(JSON.stringify({ ...rest, rows: res.rows.map((r) => ({ ...r, rooflineGflops: bound(r.intensity) })) }, null, 2));
  } else {
    console.log(`adapter: ${res.adapter} (${res.adapterKind}); measured peak ${res.peakGflops.toFixed(2)} GFLOP/s, ${res.peakGbps.toFixed(2)} GB/s (ridge at ${(res.peakGflops / res.peakGbps).toFixed(2)} flop/byte)`);
    const head = ['item', 'mean ms', 'GFLOP/s', 'GB/s', 'flop/B', '% roofline'];
    const body = res.rows.map((r) => {
      const b = bound(r.intensity);
      return [r.name, (r.meanNs / 1e6).toFixed(3), r.gflops?.toFixed(2) ?? '-', r.gbps?.toFixed(2) ?? '-', r.intensity?.toFixed(2) ?? '-', b && r.gflops ? `${(100 * r.gflops / b).toFixed(0)}%` : '-'];
    });
    const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
    for (const r of [head, ...body]) console.log(r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  '));
  }
  eng.destroy();
  return 0;
}

export const profile: CliCommand = {
  name: 'profile',
  summary: 'time every GPU kernel of a crit command (or the kernel suite) with timestamp queries',
  usage,
  async run(args) {
    // Options before the command name belong to profile; everything after it to the command.
    const own: string[] = [];
    let i = 0;
    for (; i < args.length && args[i].startsWith('-'); i++) {
      own.push(args[i]);
      if (!args[i].includes('=') && ['--profile-out', '--profile-top', '--adapter'].includes(args[i])) own.push(args[++i]);
    }
    const [name, ...rest] = args.slice(i);
    if (!name) throw new UsageError(`crit profile: name a command to profile, or 'kernels'\n\n${usage}`);
    if (name === 'kernels') return kernels([...own, ...rest]);
    const { values } = parseArgs({ args: own, options: { 'profile-out': { type: 'string' }, 'profile-top': { type: 'string' }, adapter: { type: 'string' } } });
    const { commands } = await import('./index.js');
    const cmd = commands.find((c) => c.name === name);
    if (!cmd) throw new UsageError(`crit profile: unknown command '${name}' (one of: ${commands.map((c) => c.name).join(', ')}, kernels)`);
    if (cmd.name === 'profile' || cmd.name === 'serve') throw new UsageError(`crit profile: '${name}' runs no GPU work to profile`);
    // The command's own init() returns this engine (init is idempotent), so its dispatches are timed.
    const eng = await init({ prefer: values.adapter });
    const session = new ProfileSession(eng, values, `crit ${args.slice(i).join(' ')}`);
    let code: number;
    try {
      code = await cmd.run(rest);
    } catch (e) {
      await session.finish().catch(() => undefined);
      throw e;
    }
    printProfile(await session.finish());
    return code;
  },
};
