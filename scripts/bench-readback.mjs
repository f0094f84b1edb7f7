// Does engine.read's sleep-before-map help? DESIGN.md: while a mapAsync promise is pending, Dawn's Node addon
// polls with setImmediate, which takes a core from a CPU Vulkan driver. This times one matmul plus the
// readback of its result (wall, median) with four ways of waiting, each on a fresh engine:
//   engine  engine.read(): sleeps for the time it expects (learned from earlier reads), then maps
//   poll    mapAsync right after submit (Dawn busy-polls until the GPU is done)
//   done    await queue.onSubmittedWorkDone(), then map (also a pending promise while the GPU works)
//   sleep   sleep for the kernel time measured by timestamp queries in the warm-up, then map (the ideal case)
// usage: node build.mjs --out dist-bench && node scripts/bench-readback.mjs dist-bench [--sizes 256,1024] [--reps 7]
import { parseArgs } from 'node:util';
const { positionals, values } = parseArgs({ allowPositionals: true, options: { sizes: { type: 'string' }, reps: { type: 'string' } } });
const crit = await import(`../${positionals[0] ?? 'dist'}/node/index.mjs`);
const sizes = (values.sizes ?? '256,1024').split(',').map(Number);
const reps = Number(values.reps ?? 7);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run(strategy, n) {
  const eng = await crit.init();
  const a = crit.uniform([n, n], -1, 1, { seed: 1 }), b = crit.uniform([n, n], -1, 1, { seed: 2 });
  const bytes = n * n * 4;
  const staging = eng.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  // Warm-up (pipeline compile) and the kernel time from timestamps.
  const prof = new crit.Profiler(eng.device);
  eng.profiler = prof;
  for (let i = 0; i < 3; i++) { const c = crit.matmul(a, b); await eng.sync(); c.dispose(); }
  eng.profiler = null;
  const kernelMs = median((await prof.collect()).map((e) => (e.endNs - e.startNs) / 1e6));
  if (strategy === 'engine') for (let i = 0; i < 2; i++) { const c = crit.matmul(a, b); await c.read(); c.dispose(); }
  const walls = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const c = crit.matmul(a, b);
    if (strategy === 'engine') await c.read();
    else {
      eng.copyBuffer(c.buffer, 0, staging, 0, bytes);
      eng.flush();
      if (strategy === 'done') await eng.device.queue.onSubmittedWorkDone();
      if (strategy === 'sleep') await sleep(kernelMs * 0.9);
      await staging.mapAsync(GPUMapMode.READ);
      new Float32Array(staging.getMappedRange()).slice();
      staging.unmap();
    }
    walls.push(performance.now() - t0);
    c.dispose();
  }
  staging.destroy();
  crit.shutdown();
  return { kernelMs, wallMs: median(walls), walls };
}

console.log('size  strategy  kernel ms  wall ms  (all walls)');
for (const n of sizes) for (const s of ['engine', 'poll', 'done', 'sleep']) {
  const r = await run(s, n);
  console.log(`${String(n).padStart(4)}  ${s.padEnd(8)}  ${r.kernelMs.toFixed(1).padStart(9)}  ${r.wallMs.toFixed(1).padStart(7)}  (${r.walls.map((w) => w.toFixed(0)).join(' ')})`);
}
process.exit(0);
