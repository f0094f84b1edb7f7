// The criticality metrics (paper, Methods; definitions in docs/criticality.md): activity, branching σ and
// distance Σ, Λ0 / λ0 by Jacobian power iteration, the top-k Lyapunov spectrum, dynamic range Δ, for any
// model built from crit ops; and the batched procedural measurement of the Fig. 1 deep MLPs.
export { type Stage, type ModelFn } from './model.js';
export { activity, activityProfile, branching, branchingFrom, type Branching } from './activity.js';
export { lambda0, logJvpNorm, linearize, jvpPass, vjpPass, jvpDirection, vjpDirection, type PowerIterationOptions, type Lambda0Result, type Linearization } from './power-iteration.js';
export { lyapunovSpectrum, type SpectrumOptions, type SpectrumResult } from './spectrum.js';
export { dynamicRange, stimulusGrid, stimulusResponse, type DynamicRange } from './dynamic-range.js';
export { measureDeepMlp, type DeepMlpMeasureOptions, type DeepMlpRun } from './deep-mlp.js';
export { deepMlpSpectrum, type DeepMlpSpectrumOptions, type DeepMlpSpectrum } from './deep-mlp-spectrum.js';
export { thinQR, singularValues, matmulHost } from './host-linalg.js';
export { digamma, finiteSizeShift, finiteSizeKappa, paperKappa, PAPER_FIT } from './theory.js';
export { exactLambda0, exactTopSingularVectors, jacobianRows, EXACT_MAX_OUTPUTS, type ExactLambda0 } from './mlp-jacobian.js';
export { criticalityLoss, lambda0Mlp, SingularVectorCache, lambdaPenalty, mlpJacobian, mlpStages, stagedSingularVectors, type StagedModel, type CriticalityLossOptions, type MlpLambda0Options, type MlpLambda0Result } from './loss.js';
