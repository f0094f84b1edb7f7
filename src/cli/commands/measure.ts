// `crit measure`: the criticality of a given MLP or CNN (weights from a safetensors file, e.g. written by PyTorch) at
// given inputs (.npy or raw f32): σ, Σ and per input λ0; optionally the gradient of mean (λ_t − λ0)², saved
// under the file's own tensor names.
import { parseFlags } from '../flags.js';
import { type CliCommand, UsageError } from '../command.js';
import { init } from '../../api.js';
import { Tensor } from '../../tensor/tensor.js';
import { buildNetwork } from '../../models/build.js';
import { matchParams, parseNameMap } from '../../nn/names.js';
import { readWeightsFile, readInputsFile, saveSafetensorsFile } from '../../io/files.js';
import { uploadAll } from '../../io/tensors.js';
import { measureModel, type MeasureMethod } from '../../experiments/measure.js';

const usage = `usage: crit measure --arch mlp:784-1000-500-10:scaled-tanh --weights FILE.safetensors|FILE.pth --inputs FILE
                    [--names W1=fc1.weight,b1=fc1.bias,...] [--method gram|power] [--json]
                    [--grad-out FILE.safetensors --lambda-target T]

Measures an MLP's or CNN's criticality at the given inputs and prints
  sigma, Sigma   branching parameter a_out / a_in over all inputs (a = mean |activity|) and |1 - sigma|
  per input      logLambda0 (log of the Jacobian's largest singular value), lambda0 = logLambda0 / L
                 (L = weight layers), Lambda0, and sigma of that input alone.

  --arch       mlp:<in>-<hidden>-...-<out>:<activation>[:nobias] (activations: scaled-tanh, tanh, relu, ...),
               cnn:<C>x<H>x<W>:<out>k<kernel>[s<stride>][p<pad>]-...:<fc>-...-<classes>:<activation>[:nobias]
               (each convolution followed by the activation and 2x2 max pooling; Dohare et al.'s ConvNet is
               cnn:3x32x32:32k5-64k3-128k3:128-128-2:relu; tensors conv1.weight, conv1.bias, ..., fc1.weight, ...),
               torchvision ResNets (resnet18 ... resnet152, resnext50_32x4d, ..., wide_resnet50_2; options
               :input=3x224x224 :classes=1000) and ViTs (vit_b_16, vit_b_32, vit_l_16, vit_l_32, vit_h_14), in
               eval mode; lambda0 = log Lambda0 / m with m torchvision's number of leaf modules
  --weights    safetensors file (F32/F64/F16/BF16) or PyTorch checkpoint (torch.save of a state_dict, ZIP or
               legacy format, e.g. torchvision's resnet18-f37072fd.pth). MLPs: tensors W1, b1, W2, ... in
               PyTorch's [out, in] layout, or a state_dict's names (0.weight, fc1.bias, ...) in layer order;
               other models: their PyTorch names (conv1.weight, layer1.0.bn1.running_mean, ...)
  --names      explicit map from crit's names to the file's, e.g. W1=fc1.weight,b1=fc1.bias,...
  --inputs     .npy (any numeric dtype, shape [n, in] or [n, 28, 28] ...) or raw little-endian f32 ([n * in] values)
  --method     gram: exact, from the Gram matrix J J^T of each input (MLPs; their default for <= 64 outputs);
               power: power iteration on J^T J to a relative change below 1e-6
  --grad-out   also write d/dparam of mean over inputs of (lambda_t - lambda0)^2, same names and shapes
  --lambda-target T  lambda_t for --grad-out
  --json       one JSON object {sigma, Sigma, inputs: [{logLambda0, lambda0, Lambda0, sigma}], ...}`;

export const measure: CliCommand = {
  name: 'measure',
  summary: 'σ, Σ and λ0 per input of an MLP or CNN from a weights file (and the gradient of (λ_t − λ0)²)',
  usage,
  async run(args) {
    const { values } = parseFlags(args, {
        arch: { type: 'string' }, weights: { type: 'string' }, inputs: { type: 'string' }, names: { type: 'string' },
        method: { type: 'string' }, json: { type: 'boolean' }, 'grad-out': { type: 'string' }, 'lambda-target': { type: 'string' },
        adapter: { type: 'string' },
    }, usage);
    for (const k of ['arch', 'weights', 'inputs'] as const) if (!values[k]) throw new UsageError(`--${k} is required\n\n${usage}`);
    const method = values.method as MeasureMethod | undefined;
    if (method !== undefined && method !== 'gram' && method !== 'power') throw new UsageError(`--method must be gram or power, got '${method}'`);
    let lambdaTarget: number | undefined;
    if (values['lambda-target'] !== undefined) {
      lambdaTarget = Number(values['lambda-target']);
      if (values['lambda-target'].trim() === '' || !Number.isFinite(lambdaTarget)) throw new UsageError(`--lambda-target must be a number, got '${values['lambda-target']}'`);
    }
    if (values['grad-out'] && lambdaTarget === undefined) throw new UsageError('--grad-out needs --lambda-target T (the lambda_t of (lambda_t - lambda0)^2)');
    if (lambdaTarget !== undefined && !values['grad-out']) throw new UsageError('--lambda-target is only used with --grad-out FILE.safetensors');

    const model = buildNetwork(values.arch!);
    // Everything about the files is checked on the host before the GPU starts.
    const file = readWeightsFile(values.weights!);
    // A file with some of crit's names but not all: name what is missing rather than fall back to layer order.
    const have = Object.keys(file.tensors);
    const missing = model.paramNames.filter((n) => !(n in file.tensors));
    if (!values.names && missing.length && missing.length < model.paramNames.length) {
      const n = missing[0];
      // Name a few of each: a different architecture's file can differ in hundreds of tensors.
      const few = (names: string[], k = 6) => (names.length > k ? `${names.slice(0, k).join(', ')} and ${names.length - k} more` : names.join(', '));
      throw new UsageError(`${values.weights}: no tensor '${n}' for ${n} [${model.paramShapes[n].join(', ')}]${missing.length > 1 ? ` (nor ${few(missing.slice(1))})` : ''}; the file has ${few(have, 10)} (is --arch the file's architecture?)`);
    }
    const { params: host, source, unused } = matchParams(model, file.tensors, values.names ? parseNameMap(values.names) : undefined);
    const xs = readInputsFile(values.inputs!, model.inputSize);
    if (xs.shape[0] === 0) throw new UsageError(`${values.inputs}: no inputs`);

    await init({ prefer: values.adapter });
    const params = uploadAll(host);
    const x = Tensor.from(xs.data, xs.shape);
    const r = await measureModel(model, params, x, { method, lambdaTarget });
    if (values['grad-out']) {
      // Gradients under the file's own names (ours → theirs), in the model's parameter order.
      await saveSafetensorsFile(values['grad-out'], Object.fromEntries(model.paramNames.map((n) => [source[n], r.grads![n]])), {
        source: 'crit measure', arch: model.arch, lambda_target: String(lambdaTarget),
        loss: 'mean over inputs of (lambda_target - lambda0)^2, lambda0 = log(largest singular value of d output/d input) / layers',
        inputs: String(xs.shape[0]),
      });
    }
    const out = {
      arch: model.arch, weights: values.weights, inputs_file: values.inputs, count: xs.shape[0], method: r.method,
      ...(r.converged !== undefined ? { converged: r.converged, iterations: r.iterations } : {}),
      unused_tensors: unused,
      sigma: r.sigma, Sigma: r.Sigma, a_in: r.aIn, a_out: r.aOut, lambda0_mean: r.lambda0Mean,
      ...(r.penalty !== undefined ? { lambda_target: lambdaTarget, penalty: r.penalty, grad_out: values['grad-out'] } : {}),
      inputs: r.inputs,
    };
    if (values.json) console.log(JSON.stringify(out, null, 2));
    else {
      console.log(`${model.arch}: ${xs.shape[0]} inputs, λ0 by ${r.method === 'gram' ? 'the Gram matrix J Jᵀ (exact)' : `power iteration (${r.iterations} steps, ${r.converged ? 'converged' : 'NOT converged'})`}`);
      if (unused.length) console.log(`unused tensors in ${values.weights}: ${unused.join(', ')}`);
      console.log(`sigma ${fmt(r.sigma)}  Sigma ${fmt(r.Sigma)}  (a_in ${fmt(r.aIn)}, a_out ${fmt(r.aOut)})  mean lambda0 ${fmt(r.lambda0Mean)}`);
      console.log(['input', 'logLambda0', 'lambda0', 'Lambda0', 'sigma'].map((h, i) => (i ? h.padStart(12) : h.padEnd(6))).join(' '));
      r.inputs.forEach((p, i) => console.log([String(i).padEnd(6), ...[p.logLambda0, p.lambda0, p.Lambda0, p.sigma].map((v) => fmt(v).padStart(12))].join(' ')));
      if (r.penalty !== undefined) console.log(`mean (lambda_t - lambda0)^2 = ${fmt(r.penalty)} at lambda_t = ${lambdaTarget}; gradient written to ${values['grad-out']}`);
    }
    return 0;
  },
};

function fmt(v: number): string {
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toFixed(6) : v.toExponential(5);
}
