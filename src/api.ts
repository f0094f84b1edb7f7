// The library API shared by the Node and browser entry points.
import { Engine } from './gpu/engine.js';
import { setEngine, engine } from './tensor/tensor.js';
import type { AdapterChoice } from './gpu/adapter.js';

export { Engine } from './gpu/engine.js';
export { Profiler } from './gpu/profiler.js';
export { summarize, formatTable, toTraceEvents, type KernelRow, type ProfileSummary } from './gpu/profile-report.js';
export { describeAdapter, type AdapterDescription, type AdapterChoice } from './gpu/adapter.js';
export { Tensor, scope, scopeAsync, keep, engine } from './tensor/tensor.js';
export * from './tensor/shape.js';
export * from './ops/index.js';
export { vjp, jvp, grad, valueAndGrad } from './autodiff/grad.js';
export { noGrad } from './autodiff/state.js';
export { CritError } from './util/errors.js';
export * from './criticality/index.js';
export { DeepMlpBatch, ColumnSet, meanFieldKappa, deepMlpHost, deepMlpWeightsHost, deepMlpInputHost, deepMlpStimulusHost, statAt, type DeepMlpColumns, type PassStats } from './models/deep-mlp.js';
export { CNN, parseCnnArch, formatCnnArch, DOHARE_CONVNET, type CnnSpec, type ConvSpec } from './models/cnn.js';
export { ResNet, RESNETS, parseResNetArch, formatResNetArch, type ResNetSpec } from './models/resnet.js';
export { ViT, VITS, parseViTArch, formatViTArch, type ViTSpec } from './models/vit.js';
export { PlainConvNet, VGGS, parsePlainArch, formatPlainArch, type PlainSpec } from './models/vgg.js';
export { RegNet, REGNETS, parseRegNetArch, formatRegNetArch, type RegNetSpec } from './models/regnet.js';
export { MobileNetV2, MobileNetV3, EfficientNet, makeDivisible, parseEfficientNetArch, parseMobileNetV2Arch } from './models/mobilenet.js';
export { SqueezeNet } from './models/squeezenet.js';
export { MNASNet } from './models/mnasnet.js';
export { ShuffleNetV2 } from './models/shufflenet.js';
export { DenseNet } from './models/densenet.js';
export { ConvNeXt } from './models/convnext.js';
export { SwinTransformer } from './models/swin.js';
export { InceptionNet } from './models/inception.js';
export { MaxViT } from './models/maxvit.js';
export { ImageClassifier, ParamBuilder } from './models/layers.js';
export { buildNetwork, type Network } from './models/build.js';
export * as stats from './stats/index.js';
export * from './nn/index.js';
export * from './data/index.js';
export * from './io/index.js';

/** Creates the engine on the preferred adapter and makes it current. Safe to call again (returns the same engine). */
export async function init(choice: AdapterChoice = {}): Promise<Engine> {
  try { return engine(); } catch { /* none yet */ }
  const e = await Engine.create(choice);
  setEngine(e);
  return e;
}

/** Releases the device (tests, short scripts). */
export function shutdown(): void {
  try { engine().destroy(); } catch { /* none */ }
  setEngine(null);
}
