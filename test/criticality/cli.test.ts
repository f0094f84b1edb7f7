// `crit lyapunov` and `crit fig1` through their run functions: JSON shape and values, files written, usage errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as crit from '../../src/index.node.js';
import { lyapunov } from '../../src/cli/commands/lyapunov.js';
import { fig1 } from '../../src/cli/commands/fig1.js';
import { UsageError } from '../../src/cli/command.js';
import { parseFlags } from '../../src/cli/flags.js';

/** Runs a command, capturing console.log; the command destroys the engine when done, so start a new one. */
async function run(cmd: typeof lyapunov, args: string[]): Promise<string> {
  let out = '';
  const log = console.log, err = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => { out += a.join(' ') + '\n'; };
  (process.stderr as any).write = () => true;
  try {
    assert.is(await cmd.run(args), 0);
  } finally {
    console.log = log;
    (process.stderr as any).write = err;
    crit.shutdown();
  }
  return out;
}
async function usageError(cmd: typeof lyapunov, args: string[], re: RegExp) {
  try { await cmd.run(args); } catch (e) {
    assert.ok(e instanceof UsageError, `expected a UsageError, got ${(e as Error).name}: ${(e as Error).message}`);
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable(`should fail with ${re}`);
}

test('crit lyapunov --json: {config, runs} equal to the library', async () => {
  const r = JSON.parse(await run(lyapunov, ['--width', '16', '--depth', '30', '--kappa', 'mf*1.1', '--seeds', '2', '--json', '--stimulus-per-decade', '1']));
  assert.is(r.config.width, 16);
  assert.ok(Math.abs(r.config.kappa - 1.1 * crit.meanFieldKappa(16)) < 1e-12);
  assert.equal(r.runs.map((x: any) => x.seed), [0, 1]);
  for (const k of ['seed', 'sigma', 'Sigma', 'logLambda0', 'lambda0', 'Delta', 'iterations']) assert.ok(k in r.runs[0], k);
  await crit.init();
  const lib = await crit.measureDeepMlp({ width: 16, depth: 30, seeds: [0, 1], kappas: [r.config.kappa], tol: 1e-4, stimulus: crit.stimulusGrid(1) });
  r.runs.forEach((x: any, i: number) => {
    assert.ok(Math.abs(x.logLambda0 - lib[i].logLambda0) < 1e-4 && Math.abs(x.sigma / lib[i].sigma - 1) < 1e-6);
    assert.ok(Math.abs(x.lambda0 - x.logLambda0 / 30) < 1e-12);
  });
  crit.shutdown();
  const text = await run(lyapunov, ['--width', '16', '--depth', '30', '--kappa', '3,4', '--stimulus-per-decade', '0']);
  assert.match(text, /2 networks/);
  // --spectrum: λ_1 of the block iteration is the fused kernels' λ0.
  const sp = JSON.parse(await run(lyapunov, ['--width', '16', '--depth', '30', '--kappa', 'mf', '--json', '--stimulus-per-decade', '0', '--spectrum', '3', '--tol', '1e-7']));
  const s0 = sp.runs[0].spectrum;
  assert.is(s0.exponents.length, 3);
  assert.ok(s0.exponents[0] >= s0.exponents[1] && s0.exponents[1] >= s0.exponents[2]);
  assert.ok(Math.abs(s0.exponents[0] - sp.runs[0].lambda0) < 1e-5, `λ_1 ${s0.exponents[0]} vs λ0 ${sp.runs[0].lambda0}`);
});

test('flags: negative numbers as values of string options', () => {
  const opts = { 'lambda-targets': { type: 'string' }, fresh: { type: 'boolean' } } as const;
  assert.is(parseFlags(['--lambda-targets', '-0.2,0,0.2'], opts, '').values['lambda-targets'], '-0.2,0,0.2');
  assert.is(parseFlags(['--lambda-targets', '-.5', '--fresh'], opts, '').values['lambda-targets'], '-.5');
  assert.is(parseFlags(['--lambda-targets=-1'], opts, '').values['lambda-targets'], '-1');
  assert.throws(() => parseFlags(['--lambda-targets', '--fresh'], opts, ''), (e: Error) => e instanceof UsageError);
  assert.throws(() => parseFlags(['--fresh', '-3'], opts, ''), (e: Error) => e instanceof UsageError, 'a boolean takes no value');
});

test('crit lyapunov: usage errors', async () => {
  await usageError(lyapunov, ['--width', '16'], /required/);
  await usageError(lyapunov, ['--width', '0', '--depth', '3', '--kappa', '1'], /--width takes an integer >= 1/);
  await usageError(lyapunov, ['--width', '8', '--depth', '3', '--kappa', 'lots'], /--kappa takes a number/);
  await usageError(lyapunov, ['--width', '8', '--depth', '3', '--kappa', '1', '--spectrum', '9'], /--spectrum takes at most the width \(8\)/);
});

test('crit fig1 on tiny nets: files, summary, --report-only, usage errors', async () => {
  const out = mkdtempSync(join(tmpdir(), 'crit-fig1-'));
  const args = ['--widths', '8,16', '--depth', '30', '--seeds', '2', '--kappas', '0.8,1.3,1.8', '--refine', '0.05', '--stimulus-per-decade', '1', '--out', out];
  const text = await run(fig1, args);
  assert.match(text, /N=    8 {2}κ_c = /);
  assert.match(text, /fit κ_c|report:/);
  for (const f of ['rows.json', 'rows.csv', 'fig1.json', 'index.html']) assert.ok(existsSync(join(out, f)), f);
  const j = JSON.parse(readFileSync(join(out, 'fig1.json'), 'utf8'));
  assert.is(j.critical.length, 2);
  assert.ok(j.rows.length >= 2 * 2 * 3);
  const again = await run(fig1, [...args, '--report-only']);
  assert.is(again, text, 'the report is rebuilt from the stored rows');
  await usageError(fig1, ['--quick', '--full'], /exclude each other/);
  await usageError(fig1, ['--widths', '8,x'], /positive integers/);
  await usageError(fig1, ['--depth=-3'], /positive integer/);
  await usageError(fig1, ['--widht', '8'], /Unknown option '--widht'/);
});

test.run();
