// `crit fig5`: continual learning with backpropagation, continual backpropagation and the criticality loss
// (paper Fig. 5); see src/experiments/fig5/.
import { resolve } from 'node:path';
import { type CliCommand, UsageError } from '../command.js';
import { numberFlag, numberList, parseFlags, shardFlag } from '../flags.js';
import { init } from '../../api.js';
import { profileOptions, profileUsage, withProfiling } from '../profiling.js';
import { mixedModelLine } from '../../experiments/mixed-model-report.js';
import { runFig5, presets, gridRuns, type Fig5Config } from '../../experiments/fig5/index.js';
import { benchFig5 } from '../../experiments/fig5/bench.js';

const usage = `usage: crit fig5 [--quick | --full] [--out DIR] [--data DIR] [--arch SPEC] [--tasks T] [--epochs E]
                 [--rhos 3e-3,3e-4,...] [--alphas 0.01,...] [--lambda-targets -0.2,0,0.2] [--penalty-rows K] [--no-bp]
                 [--reps R]
                 [--lr LR] [--momentum M] [--batch-size B] [--utility contribution|adaptable_contribution]
                 [--maturity N] [--train-per-class N] [--test-per-class N] [--lambda-inputs N] [--bin N] [--seed S]
                 [--shard K/N] [--fresh] [--report-only] [--adapter A] [--profile]
       crit fig5 --bench [--arch SPEC] [--batch-size 100] [--json]

One network learns a stream of two-class tasks (the next two classes of a seeded class order; the output layer
zeroed at every task) with plain backpropagation (BP), continual backpropagation (CBP, Dohare et al. 2024:
low-utility units replaced at rate ρ) and the criticality loss L = L_CE + α (λ_t − λ0)² (CritL). After each task:
its test accuracy, λ0 and σ on its test images, L_λ's trace and the units replaced. Writes tasks.csv/json,
fig5.json, the mixed model accuracy ~ ∂L_λ/∂e + λ0 + (1 | configuration) and an HTML report with the paper's plots.

  --full (default)   the paper: Dohare et al.'s ConvNet (cnn:3x32x32:32k5-64k3-128k3:128-128-2:relu) on
                     Continual ImageNet (--data), 2,000 tasks of 250 epochs, 600 training / 100 test images
                     per class, SGD 0.01 momentum 0.9, batch 100; BP, CBP at ρ = 3e-3 ... 3e-9
                     (adaptable_contribution, maturity 100, decay 0.99), CritL at α in {0.01, 0.05, 0.1, 0.5,
                     1, 3} x λ_t in {-0.2, 0, 0.2} (weeks on a GPU per run: use --tasks, and a GPU)
  --quick            pairs of the embedded MNIST digits, a small ConvNet (cnn:1x28x28:8k5-16k3-16k3:32-32-2:relu),
                     50 tasks of 10 epochs, 250 / 50 images per class, batch 50, lr 0.05; BP and CBP (ρ = 3e-3):
                     about 7 minutes on 2 CPU cores. --alphas 0.1 adds CritL (λ_t = 0), at most ~15 min per α
  --data DIR         Continual ImageNet as Dohare et al. store it: DIR/<class>.npy or DIR/classes/<class>.npy,
                     classes numbered from 0, each [images, channels, height, width] (values used as stored);
                     or an MNIST-format folder (MNIST, Fashion-MNIST: the four IDX files, e.g.
                     /usr/share/datasets/fashion-mnist); default: the 10,000 embedded MNIST digits (10 classes,
                     1x28x28, pixels in [-1, 1])
  --arch SPEC        a cnn: or mlp: network with 2 outputs whose input matches the images
  --tasks, --epochs (per task), --rhos, --alphas, --lambda-targets, --reps, --lr, --momentum, --batch-size,
  --utility, --maturity, --train-per-class, --test-per-class   override the preset
  --penalty-rows K   CritL: the penalty on the first K rows of each shuffled mini-batch (a random sample; the
                     cross-entropy on all): power iteration is most of a CritL step, so K = B/10 cuts its cost
                     several-fold (default: every row). Part of a run's identity (its own runs and series)
  --no-bp            leave the BP run out of the grid
  --lambda-inputs N  test images per task over which λ0 and σ are measured (half from each class)
  --bin N            tasks per point of the report's curves (the paper: 50)
  --seed S           base seed: initial weights (seed + repetition), class orders, shuffling, new units (default 1)
  --shard K/N        run only runs K, K+N, K+2N, ... of the grid (0 <= K < N): start N processes (one per GPU)
                     with the same flags and K = 0..N-1; each stores its tasks in DIR/tasks-store.shard-K-of-N.json,
                     every report merges all stores in DIR
  --fresh            discard the tasks stored in DIR and start over (default: resume; with --shard, only this
                     shard's)
  --report-only      rebuild the report from the stores in DIR

--bench times SGD steps of BP, CBP (ρ 3e-3, the paper's largest, replacing from the first step) and CritL (power iteration: a cold
epoch from random vectors, then warm-started; and with --penalty-rows of a tenth of the batch) on Dohare et al.'s ConvNet (or --arch) over a Continual-ImageNet-sized
task of 1,200 random images (the PyTorch twin: /usr/bin/python3 scripts/bench_fig5_torch.py).

Resumable: each task is stored in DIR/tasks-store.json when it ends and the run checkpointed in DIR/checkpoints/;
run the same command again to continue. Progress goes to stderr.

${profileUsage}`;

export const fig5: CliCommand = {
  name: 'fig5',
  summary: 'paper Fig. 5: continual learning with BP, continual backprop and the criticality loss (HTML report)',
  usage,
  async run(args) {
    const { values } = parseFlags(args, {
      quick: { type: 'boolean' }, full: { type: 'boolean' }, out: { type: 'string' }, data: { type: 'string' }, arch: { type: 'string' },
      tasks: { type: 'string' }, epochs: { type: 'string' }, rhos: { type: 'string' }, alphas: { type: 'string' }, 'lambda-targets': { type: 'string' },
      'penalty-rows': { type: 'string' }, 'no-bp': { type: 'boolean' }, reps: { type: 'string' }, lr: { type: 'string' }, momentum: { type: 'string' }, 'batch-size': { type: 'string' },
      utility: { type: 'string' }, maturity: { type: 'string' }, 'train-per-class': { type: 'string' }, 'test-per-class': { type: 'string' },
      'lambda-inputs': { type: 'string' }, bin: { type: 'string' }, seed: { type: 'string' }, shard: { type: 'string' }, fresh: { type: 'boolean' }, 'report-only': { type: 'boolean' }, adapter: { type: 'string' },
      bench: { type: 'boolean' }, json: { type: 'boolean' }, ...profileOptions,
    }, usage);
    if (values.quick && values.full) throw new UsageError('--quick and --full exclude each other');
    if (values.bench) {
      const eng = await init({ prefer: values.adapter });
      const r = await withProfiling(eng, values, () => benchFig5({ arch: values.arch, batchSize: numberFlag('--batch-size', values['batch-size'], { int: true, above: 0 }) }));
      if (values.json) console.log(JSON.stringify({ adapter: eng.adapter.description, ...r }));
      else {
        console.log(`${eng.adapter.description} (${eng.adapter.kind}): ${r.arch}, ${r.images} random images, batch ${r.batchSize} (${r.steps} steps per epoch)`);
        console.log(`  BP step          ${r.bp.toFixed(1)} ms`);
        console.log(`  CBP step         ${r.cbp.toFixed(1)} ms (${(r.cbp / r.bp).toFixed(2)}x BP; ρ ${r.rho}, ${r.replaced} units replaced)`);
        console.log(`  CritL step, cold ${r.critlCold.toFixed(1)} ms (${r.coldIterations} power-iteration steps per sample from random)`);
        console.log(`  CritL step, warm ${r.critl.toFixed(1)} ms (${(r.critl / r.bp).toFixed(2)}x BP; ${r.warmIterations} warm-started steps per sample)`);
        console.log(`  CritL, ${r.penaltyRows} rows  ${r.critlRows.toFixed(1)} ms (${(r.critlRows / r.bp).toFixed(2)}x BP; the penalty on ${r.penaltyRows} of ${r.batchSize} rows per batch, warm)`);
      }
      eng.destroy();
      return 0;
    }
    const base = values.quick ? presets.quick : presets.full;
    const cfg: Fig5Config = { ...base, rhos: [...base.rhos], alphas: [...base.alphas], lambdaTargets: [...base.lambdaTargets] };
    const int = (flag: string, v: string | undefined, min = 1) => numberFlag(flag, v, { int: true, min })!;
    if (values.arch) cfg.arch = values.arch;
    if (values.tasks) cfg.tasks = int('--tasks', values.tasks);
    if (values.epochs) cfg.epochsPerTask = int('--epochs', values.epochs);
    if (values.rhos !== undefined) cfg.rhos = values.rhos.trim() ? numberList('--rhos', values.rhos, { min: 0 }) : [];
    if (values.alphas !== undefined) cfg.alphas = values.alphas.trim() ? numberList('--alphas', values.alphas, { min: 0 }) : [];
    if (values['lambda-targets'] !== undefined) cfg.lambdaTargets = values['lambda-targets'].trim() ? numberList('--lambda-targets', values['lambda-targets']) : [];
    if (values['penalty-rows']) cfg.penaltyRows = int('--penalty-rows', values['penalty-rows']);
    if (values['no-bp']) cfg.bp = false;
    if (values.reps) cfg.reps = int('--reps', values.reps);
    if (values.lr) cfg.lr = numberFlag('--lr', values.lr, { above: 0 })!;
    if (values.momentum) cfg.momentum = numberFlag('--momentum', values.momentum, { min: 0 })!;
    if (values['batch-size']) cfg.batchSize = int('--batch-size', values['batch-size']);
    if (values.utility) {
      if (values.utility !== 'contribution' && values.utility !== 'adaptable_contribution') throw new UsageError(`--utility must be contribution or adaptable_contribution, got '${values.utility}'`);
      cfg.utility = values.utility;
    }
    if (values.maturity) cfg.maturity = int('--maturity', values.maturity, 0);
    if (values['train-per-class']) cfg.trainPerClass = int('--train-per-class', values['train-per-class']);
    if (values['test-per-class']) cfg.testPerClass = int('--test-per-class', values['test-per-class']);
    if (values['lambda-inputs']) cfg.lambdaInputs = int('--lambda-inputs', values['lambda-inputs']);
    if (values.bin) cfg.bin = int('--bin', values.bin);
    if (values.seed) cfg.seed = int('--seed', values.seed, 0);
    const custom = ['arch', 'tasks', 'epochs', 'rhos', 'alphas', 'lambda-targets', 'penalty-rows', 'no-bp', 'reps', 'lr', 'momentum', 'batch-size', 'utility', 'maturity', 'train-per-class', 'test-per-class', 'lambda-inputs', 'bin', 'seed'].some((k) => (values as Record<string, unknown>)[k] !== undefined);
    if (custom) cfg.preset = 'custom';
    if (!values.quick && !values.data && !values['report-only'] && cfg.arch === presets.full.arch) {
      throw new UsageError('--full trains Dohare et al.\'s 3x32x32 ConvNet on Continual ImageNet: pass its folder with --data DIR (DIR/<class>.npy), or use --quick for the embedded digits');
    }
    const shard = shardFlag(values.shard);
    const out = resolve(values.out ?? (values.quick ? 'out/fig5-quick' : 'out/fig5'));
    const eng = await init({ prefer: values.adapter });
    process.stderr.write(`crit fig5 (${cfg.preset === 'custom' ? `custom, from ${base.preset}` : cfg.preset}): ${eng.adapter.description} (${eng.adapter.kind}); ${gridRuns(cfg).length} runs of ${cfg.tasks} tasks x ${cfg.epochsPerTask} epochs; output ${out}\n`);
    const s = await withProfiling(eng, values, () => runFig5(cfg, { out, data: values.data, fresh: values.fresh, reportOnly: values['report-only'], shard }));
    for (const c of s.configurations) {
      const lam = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'none finite');
      console.log(`${c.configuration.padEnd(24)} accuracy ${(100 * c.acc).toFixed(1)}% (last ${cfg.bin} tasks ${(100 * c.lastAcc).toFixed(1)}%), λ0 ${lam(c.lambda0)} (last ${lam(c.lastLambda0)})${c.deadTasks ? `, dead (zero Jacobian) after ${c.deadTasks} of ${c.tasks} tasks, the first task ${c.firstDead! + 1}` : ''}${c.method === 'CBP' ? `, ${c.replacedPerTask.toFixed(1)} units replaced per task` : ''}`);
    }
    if (s.collapse) console.log(`accuracy vs |λ0| over ${s.collapse.n} tasks${s.collapse.dead ? ` (${s.collapse.dead} with a dead network, |λ0| = ∞)` : ''}: Spearman ρ ${s.collapse.rho.toFixed(3)} (p ${s.collapse.p.toPrecision(2)})`);
    for (const m of [s.lmm, s.lmmAbs]) console.log(mixedModelLine(m));
    console.log(`report: ${resolve(out, 'index.html')}`);
    eng.destroy();
    return 0;
  },
};
