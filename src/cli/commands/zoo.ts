// `crit zoo`: criticality of trained image classifiers (paper Figs. 2-3); see src/experiments/zoo/.
import { resolve } from 'node:path';
import { type CliCommand, UsageError } from '../command.js';
import { numberFlag, parseFlags } from '../flags.js';
import { init } from '../../api.js';
import { buildNetwork } from '../../models/build.js';
import { TORCHVISION_MODELS, TORCHVISION_SOURCE } from '../../experiments/zoo/table.js';
import { torchvisionEntries, manifestEntries, type ZooEntry } from '../../experiments/zoo/entries.js';
import { runZoo, readZooResults, type ZooRow, type ZooImages } from '../../experiments/zoo/run.js';
import { writeZooReport } from '../../experiments/zoo/report.js';

const usage = `usage: crit zoo --inputs IMAGES.npy (--weights-dir DIR | --manifest FILE) [--models resnet18,vit_b_16,...]
                [--out DIR] [--images N] [--tol T] [--max-iterations K] [--batch-size B] [--fresh] [--report-only]
                [--adapter A]
       crit zoo --list

Measures trained classifiers on the same images, as the paper's Figs. 2-3 do for torchvision's 80 ImageNet
models: per model σ and Σ over the images, and per image Λ0 (the input-output Jacobian's largest singular value,
by power iteration) and λ0 = log Λ0 / m (m = torchvision's number of leaf modules). Then the Spearman
correlations of accuracy, year, Σ, λ0, Λ0, m and p (Fig. 2a-c, S1), the 15 mixed models accuracy ~ subsets of
{λ0, Σ, p, m} + (1 | family) (Fig. 2d), and for architectures measured under two training recipes (IMAGENET1K_V1
and _V2) the changes ΔΣ, ΔΛ0 against Δ accuracy (Fig. 3). Writes zoo.csv, zoo-analysis.json and index.html.

  --inputs FILE      .npy images [n, 3, S, S] (or flat [n, 3·S·S]), preprocessed as the weights expect
                     (torchvision: resize, center crop S, scale to [0, 1], normalise by the ImageNet mean and sd)
  --weights-dir DIR  torchvision checkpoints found by torch.hub's file names (resnet18-f37072fd.pth, ...; e.g.
                     ~/.cache/torch/hub/checkpoints) or named <model>.<WEIGHTS>.pth|.safetensors
  --manifest FILE    or any models: a JSON array or CSV of name, arch, weights (path relative to the manifest),
                     accuracy, family, year, recipe (arch as crit measure takes it)
  --models a,b       only these torchvision models
  --images N         the first N images (default all)
  --tol T            power iteration: stop when log Λ0 changes by less than T (default 1e-4)
  --max-iterations K at most K steps (default 100)
  --batch-size B     images per power-iteration batch (default 8)
  --out DIR          output folder (default out/zoo); each measured model is stored at once in DIR/zoo.json and
                     skipped when the command runs again (resume); --fresh starts over
  --report-only      rebuild the report from DIR/zoo.json
  --list             torchvision's classifiers, their weights files and accuracies, and which crit builds

Progress goes to stderr.`;

function list(): void {
  console.log(`${TORCHVISION_SOURCE}: ${TORCHVISION_MODELS.length} ImageNet-1K classifiers`);
  let supported = 0;
  for (const m of TORCHVISION_MODELS) {
    let ok = true;
    try { buildNetwork(m.model); } catch { ok = false; }
    if (ok) supported++;
    console.log(`${ok ? '+' : ' '} ${m.model.padEnd(20)} ${m.family.padEnd(20)} ${m.year}  p ${m.params.toLocaleString('en').padStart(12)}  m ${String(m.modules).padStart(4)}  ${m.weights.map((w) => `${w.name} ${w.acc1 ?? '–'}% ${w.file}${w.crop !== 224 ? ` (${w.crop}px)` : ''}`).join('; ')}`);
  }
  console.log(`+ = crit builds the architecture (${supported} of ${TORCHVISION_MODELS.length})${supported < TORCHVISION_MODELS.length ? '; the others are not implemented yet' : ''}`);
}

export const zoo: CliCommand = {
  name: 'zoo',
  summary: 'paper Figs. 2-3: criticality of trained classifiers (torchvision or your own) against accuracy',
  usage,
  async run(args) {
    const { values } = parseFlags(args, {
      inputs: { type: 'string' }, 'weights-dir': { type: 'string' }, manifest: { type: 'string' }, models: { type: 'string' },
      out: { type: 'string' }, images: { type: 'string' }, tol: { type: 'string' }, 'max-iterations': { type: 'string' }, 'batch-size': { type: 'string' },
      fresh: { type: 'boolean' }, 'report-only': { type: 'boolean' }, list: { type: 'boolean' }, adapter: { type: 'string' },
    }, usage);
    if (values.list) { list(); return 0; }
    const out = resolve(values.out ?? 'out/zoo');
    if (!values.inputs) throw new UsageError(`--inputs IMAGES.npy is required\n\n${usage}`);
    if (!values['weights-dir'] && !values.manifest) throw new UsageError(`--weights-dir DIR or --manifest FILE is required\n\n${usage}`);
    const only = values.models?.split(',').map((s) => s.trim()).filter(Boolean);
    const entries: ZooEntry[] = [
      ...(values['weights-dir'] ? torchvisionEntries(values['weights-dir'], only) : []),
      ...(values.manifest ? manifestEntries(values.manifest) : []),
    ];
    if (!entries.length) throw new UsageError(`no models: ${values['weights-dir'] ? `no torchvision checkpoint in ${values['weights-dir']} (crit zoo --list shows the file names)` : 'the manifest is empty'}`);
    const images = numberFlag('--images', values.images, { int: true, above: 0 });
    const opts = {
      entries, inputs: values.inputs, out, images, fresh: values.fresh,
      tol: numberFlag('--tol', values.tol, { above: 0 }), maxIterations: numberFlag('--max-iterations', values['max-iterations'], { int: true, above: 0 }),
      batchSize: numberFlag('--batch-size', values['batch-size'], { int: true, above: 0 }),
      log: (s: string) => process.stderr.write(`${s}\n`),
    };
    const eng = await init({ prefer: values.adapter });
    let rows: ZooRow[], failures: { key: string; error: string }[] = [];
    let inputs: ZooImages;
    if (values['report-only']) {
      const stored = readZooResults(out);
      const keys = new Set(entries.map((e) => e.key));
      rows = stored.rows.filter((r) => keys.has(r.key));
      inputs = stored.images;
    } else {
      ({ rows, failures, inputs } = await runZoo(opts));
    }
    const a = await writeZooReport(out, rows, { inputs, inputsPath: values.inputs, failures, adapter: eng.adapter.description });
    for (const c of a.correlations.filter((c) => c.y === 'accuracy' && Number.isFinite(c.rho))) console.log(`Spearman ${c.x} vs accuracy: ρ ${c.rho.toFixed(3)} (p ${c.p.toPrecision(3)}, n ${c.n})`);
    if (a.models.rows.length) console.log(`best mixed model by AIC: accuracy ~ ${a.models.rows[0].predictors.join(' + ')} + (1 | family), R² marginal ${a.models.rows[0].R2m.toFixed(3)}`);
    if (a.recipes.pairs.length) console.log(`recipes: ${a.recipes.pairs.length} pairs; median Δ accuracy ${a.recipes.accuracy!.median.toFixed(3)}, ΔΣ ${a.recipes.Sigma!.median.toPrecision(3)}, ΔΛ0 ${a.recipes.Lambda0!.median.toPrecision(3)}`);
    console.log(`${rows.length} models measured${failures.length ? `, ${failures.length} skipped (see the report)` : ''}; report: ${resolve(out, 'index.html')}`);
    eng.destroy();
    return failures.length && !rows.length ? 2 : 0;
  },
};
