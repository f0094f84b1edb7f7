import { parseArgs } from 'node:util';
import type { CliCommand } from '../command.js';
import { UsageError } from '../command.js';
import { numberList } from '../flags.js';
import { init } from '../../api.js';
import { benchMatmul, formatMatmulTable, mnistShapes } from '../../bench/matmul.js';

const usage = `usage: crit bench matmul [--json] [--sizes 256,512,1024,2048] [--batch 128] [--reps N]
                        [--budget SECONDS] [--variant auto|register|tiled] [--no-tfjs] [--adapter A]

f32 matmul GFLOP/s of crit and of @tensorflow/tfjs-backend-webgpu, in the same process, on the same
adapter and the same seeded inputs: square sizes (--sizes) and the MNIST MLP layers
[batch x 784] x [784 x 1000] and [batch x 1000] x [1000 x 500] (--batch; 0 leaves them out).
crit kernel = timestamp queries around the dispatch; wall = encode + submit + readback done, the same for
both engines, after warm-up runs; then rounds of one crit run and one tfjs run (--reps rounds, default 5;
fewer once --budget seconds went by, default 20, with at least 2). GFLOP/s from the median times;
ratio = tfjs wall / crit wall, median over the rounds (alternating keeps it fair on a loaded machine).
--json prints an array of rows {m, n, k, crit_gflops_kernel, crit_gflops_wall, tfjs_gflops_wall,
ratio_wall, ...}. When tfjs cannot load, its columns are null and the row says why (tfjs_error).`;


export const bench: CliCommand = {
  name: 'bench',
  summary: 'benchmarks: f32 matmul GFLOP/s against tfjs-backend-webgpu on the same adapter',
  usage,
  async run(args) {
    const [what, ...rest] = args;
    if (what !== 'matmul') throw new UsageError(`crit bench: unknown benchmark '${what ?? ''}' (available: matmul)\n\n${usage}`);
    const { values } = parseArgs({ args: rest, options: {
      json: { type: 'boolean' }, sizes: { type: 'string' }, batch: { type: 'string' }, reps: { type: 'string' }, budget: { type: 'string' },
      variant: { type: 'string' }, 'no-tfjs': { type: 'boolean' }, adapter: { type: 'string' },
    } });
    const sizes = numberList('--sizes', values.sizes ?? '256,512,1024,2048', { int: true, min: 1 });
    const [batch] = numberList('--batch', values.batch ?? '128', { int: true, min: 0 });
    const [reps] = numberList('--reps', values.reps ?? '5', { int: true, min: 1 });
    const budget = Number(values.budget ?? 20);
    if (!(budget > 0)) throw new UsageError(`--budget takes a number of seconds > 0, got '${values.budget}'`);
    const variant = values.variant ?? 'auto';
    if (!['auto', 'register', 'tiled'].includes(variant)) throw new UsageError(`--variant must be auto, register or tiled, got '${variant}'`);
    const eng = await init({ prefer: values.adapter });
    const status = (line: string) => { if (!values.json) process.stderr.write(`${line}\n`); };
    status(`adapter: ${eng.adapter.description} (${eng.adapter.kind})`);
    const { rows } = await benchMatmul(eng, {
      sizes, shapes: batch > 0 ? mnistShapes(batch) : [], reps, budgetSeconds: budget,
      variant: variant === 'auto' ? undefined : (variant as 'register' | 'tiled'),
      tfjs: !values['no-tfjs'], onStatus: status,
    });
    if (values.json) console.log(JSON.stringify(rows, null, 2));
    else console.log(formatMatmulTable(rows));
    eng.destroy();
    return 0;
  },
};
