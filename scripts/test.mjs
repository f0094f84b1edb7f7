// Runs every compiled uvu test file (dist/test/**/*.test.mjs) in its own Node process, one after another
// (the CPU Vulkan driver already uses every core), and ends with the line CI reads: `N passed, N failed`.
// A file that crashes or times out counts as one failure. Filter: `npm test -- <substring>`.
import { spawn } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

// --dist DIR reads the bundles from another build folder (see build.mjs --out).
const args = process.argv.slice(2);
const di = args.indexOf('--dist');
const dist = di >= 0 ? args.splice(di, 2)[1] : 'dist';
const filters = args;
const perFileTimeoutMs = Number(process.env.CRIT_TEST_TIMEOUT_MS ?? 600_000);
function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.test.mjs')) out.push(p);
  }
  return out;
}
const files = walk(`${dist}/test`).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.log('no test files found (did `node build.mjs` run?)');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
let passed = 0, failed = 0, skipped = 0;
const failures = [];
const t0 = Date.now();
for (const file of files) {
  const started = Date.now();
  const { code, out, timedOut } = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--enable-source-maps', file], { env: { ...process.env, NODEVICE_SELECT: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
    const timer = setTimeout(() => { child.kill('SIGKILL'); resolve({ code: -1, out, timedOut: true }); }, perFileTimeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out, timedOut: false }); });
  });
  const total = Number(/Total:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const ok = Number(/Passed:\s+(\d+)/.exec(out)?.[1] ?? NaN);
  const sk = Number(/Skipped:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (Number.isFinite(total) && Number.isFinite(ok)) {
    // uvu's Total counts the tests that ran (skipped ones are not in it).
    const bad = total - ok;
    passed += ok; skipped += sk; failed += bad;
    if (bad > 0 || code !== 0) failures.push(`${file} (${bad} failed, exit ${code})`);
    if (code !== 0 && bad === 0) failed += 1;
  } else {
    failed += 1;
    failures.push(`${file} (${timedOut ? 'timed out' : `crashed, exit ${code}`})`);
  }
  console.log(`# ${file}: ${secs}s`);
}
console.log(`\ntest files: ${files.length}, ${((Date.now() - t0) / 1000).toFixed(1)} s`);
if (failures.length) console.log('failing files:\n  ' + failures.join('\n  '));
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
