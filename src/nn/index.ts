// Training stack: models as pure functions of named parameters, init schemes, losses, optimizers, the loop.
export { linear, Linear } from './linear.js';
export { Conv2d, type Conv2dOptions } from './conv.js';
export { batchNormEval, layerNorm, type BatchNormParams } from './norm.js';
export { MLP, buildModel, paramList, paramRecord, disposeParams, type Model, type Params, type LayerInfo, type InitOptions } from './mlp.js';
export { parseArch, formatArch, type MlpSpec } from './arch.js';
export { activations, activation, type ActivationName } from './activations.js';
export { initSchemes, initScheme, type InitScheme, type InitName } from './init.js';
export { matchParams, torchSequentialNames, parseNameMap } from './names.js';
export { crossEntropyLoss, type LossFn, type LossOutput, type BatchContext } from './loss.js';
export { SGD, Adam, exponentialDecay, type Optimizer, type SGDOptions, type AdamOptions } from './optim.js';
export { evaluate, scoreLogits, type Evaluation } from './evaluate.js';
export { trainModel, type TrainOptions, type EpochMetrics, type StepHook, type StepInfo } from './train.js';
export { ContinualBackprop, unitLayers, type UnitLayer, type UtilityType, type ContinualBackpropOptions, type ContinualBackpropCounters, type ModelWithUnits } from './continual-backprop.js';
