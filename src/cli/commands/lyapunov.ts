import type { CliCommand } from '../command.js';
import { UsageError } from '../command.js';
import { numberFlag, parseFlags } from '../flags.js';
import { init } from '../../api.js';
import { profileOptions, profileUsage, withProfiling } from '../profiling.js';
import { measureDeepMlp } from '../../criticality/deep-mlp.js';
import { stimulusGrid } from '../../criticality/dynamic-range.js';
import { meanFieldKappa } from '../../models/deep-mlp.js';
import { deepMlpSpectrum, type DeepMlpSpectrum } from '../../criticality/deep-mlp-spectrum.js';

const usage = `usage: crit lyapunov --width N --depth L --kappa K[,K2,...] [--seeds S] [--json] [--tol T]
                     [--max-iterations M] [--stimulus-per-decade K] [--adapter A] [--profile]

The criticality metrics of S Fig. 1 networks (seeds 0..S-1; default 1) of one configuration: N neurons per
layer, L layers, W_ij ~ U[-0.05, 0.05]·κ (κ = --kappa; 'mf' or 'mf*1.1' for multiples of the mean-field
30.29/√N; a comma list runs every κ for every seed), g = 1.7159 tanh(0.6666 x), input U[-1e-3, 1e-3].
All networks run in the same dispatches.
  sigma, Sigma   branching parameter a_out/a_in and |1 - sigma|
  logLambda0     log of the largest singular value of the input-output Jacobian (power iteration on JᵀJ)
  lambda0        logLambda0 / L
  Delta          dynamic range in dB (stimulus grid 10^-9..10^0, K points per decade, default 2; 0 skips it)
  iterations     power-iteration steps until a half step gained less than T in log Λ0 (default 1e-4)
  --spectrum K   also the top-K Lyapunov spectrum λ_1..λ_K (block power iteration with a QR between layers,
                 through the generic library: keeps all L·N² weights, so up to 1 GiB of them)
--json prints {config, runs: [{seed, kappa, sigma, Sigma, logLambda0, lambda0, Delta, iterations, converged
[, spectrum: {exponents, logSingularValues, iterations, converged}]}]}.

${profileUsage}`;



export const lyapunov: CliCommand = {
  name: 'lyapunov',
  summary: 'σ, Σ, Λ0, λ0 and Δ of Fig. 1 deep MLPs of one (N, L, κ), several seeds at once',
  usage,
  async run(args) {
    const { values } = parseFlags(args, {
      width: { type: 'string' }, depth: { type: 'string' }, kappa: { type: 'string' }, seeds: { type: 'string' }, json: { type: 'boolean' },
      tol: { type: 'string' }, 'max-iterations': { type: 'string' }, 'stimulus-per-decade': { type: 'string' }, spectrum: { type: 'string' }, adapter: { type: 'string' }, ...profileOptions,
    }, usage);
    const width = numberFlag('--width', values.width, { int: true, min: 1 });
    const depth = numberFlag('--depth', values.depth, { int: true, min: 1 });
    if (width === undefined || depth === undefined || values.kappa === undefined) throw new UsageError(`--width, --depth and --kappa are required\n\n${usage}`);
    const kappas = values.kappa.split(',').map((text) => {
      const mf = /^mf(?:\*([0-9.eE+-]+))?$/.exec(text.trim());
      return mf ? meanFieldKappa(width) * (mf[1] !== undefined ? numberFlag('--kappa', mf[1], { min: 0 })! : 1) : numberFlag('--kappa', text, { min: 0 })!;
    });
    const kappa = kappas[0];
    const seeds = numberFlag('--seeds', values.seeds ?? '1', { int: true, min: 1 })!;
    const tol = numberFlag('--tol', values.tol ?? '1e-4', { min: 0 })!;
    const maxIterations = numberFlag('--max-iterations', values['max-iterations'] ?? '100', { int: true, min: 1 })!;
    const perDecade = numberFlag('--stimulus-per-decade', values['stimulus-per-decade'] ?? '2', { int: true, min: 0 })!;
    const spectrumK = numberFlag('--spectrum', values.spectrum, { int: true, min: 1 });
    if (spectrumK !== undefined && spectrumK > width) throw new UsageError(`--spectrum takes at most the width (${width}) exponents, got ${spectrumK}`);
    const eng = await init({ prefer: values.adapter });
    const t0 = performance.now();
    const runs = await withProfiling(eng, values, () => measureDeepMlp({
      width, depth, kappas, seeds: Array.from({ length: seeds }, (_, i) => i), tol, maxIterations,
      stimulus: perDecade > 0 ? stimulusGrid(perDecade) : null,
      onProgress: values.json ? undefined : (m) => process.stderr.write(`${m}\n`),
    }));
    const spectra = new Map<string, DeepMlpSpectrum>();
    if (spectrumK !== undefined) for (const r of runs) {
      if (!values.json) process.stderr.write(`spectrum: seed ${r.seed}, κ ${r.kappa.toPrecision(6)}, k = ${spectrumK}\n`);
      spectra.set(`${r.seed}/${r.kappa}`, await deepMlpSpectrum({ width, depth, kappa: r.kappa, seed: r.seed, k: spectrumK, tol, maxIterations }));
    }
    const seconds = (performance.now() - t0) / 1000;
    const config = { width, depth, kappa, kappaOverMeanField: kappa / meanFieldKappa(width), ...(kappas.length > 1 ? { kappas } : {}), seeds, tol, maxIterations, stimulusPerDecade: perDecade, adapter: eng.adapter.description, seconds };
    const out = runs.map((r) => ({
      seed: r.seed, kappa: r.kappa, sigma: r.sigma, Sigma: r.Sigma, logLambda0: r.logLambda0, lambda0: r.lambda0, Delta: r.Delta, iterations: r.iterations, converged: r.converged,
      ...(spectra.has(`${r.seed}/${r.kappa}`) ? { spectrum: spectra.get(`${r.seed}/${r.kappa}`)! } : {}),
    }));
    if (values.json) console.log(JSON.stringify({ config, runs: out }, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2));
    else {
      console.log(`N = ${width}, L = ${depth}, ${runs.length} networks, ${seconds.toFixed(1)} s`);
      console.log('seed      kappa  κ/κ_mf        sigma        Sigma    logLambda0     lambda0      Delta  iterations');
      for (const r of out) console.log(`${String(r.seed).padStart(4)}  ${r.kappa.toPrecision(6).padStart(9)}  ${(r.kappa / meanFieldKappa(width)).toFixed(4)}  ${r.sigma.toExponential(4).padStart(11)}  ${r.Sigma.toExponential(4).padStart(11)}  ${r.logLambda0.toFixed(4).padStart(12)}  ${r.lambda0.toFixed(6).padStart(10)}  ${Number.isFinite(r.Delta) ? r.Delta.toFixed(2).padStart(9) : '        –'}  ${String(r.iterations).padStart(6)}${r.converged ? '' : ' (not converged)'}`);
      for (const r of out) if (r.spectrum) console.log(`seed ${r.seed}, κ ${r.kappa.toPrecision(6)}: λ_1..λ_${r.spectrum.exponents.length} = ${r.spectrum.exponents.map((e) => e.toFixed(6)).join(', ')}${r.spectrum.converged ? '' : ' (not converged)'}`);
    }
    eng.destroy();
    return 0;
  },
};
