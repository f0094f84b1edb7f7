// Any classifier crit knows from its spec string: `mlp:...` (nn/mlp.ts), `cnn:...` (models/cnn.ts), torchvision
// ResNets (models/resnet.ts), Vision Transformers (models/vit.ts), VGG and AlexNet (models/vgg.ts), RegNets
// (models/regnet.ts), MobileNet V2 and EfficientNets (models/mobilenet.ts), SqueezeNets (models/squeezenet.ts),
// MNASNets (models/mnasnet.ts), ShuffleNet V2 (models/shufflenet.ts),
// DenseNets (models/densenet.ts), ConvNeXts (models/convnext.ts), Swin Transformers (models/swin.ts),
// GoogLeNet and Inception v3 (models/inception.ts), MaxViT (models/maxvit.ts).
import { MLP } from '../nn/mlp.js';
import { CNN, DOHARE_CONVNET } from './cnn.js';
import { ResNet, isResNetArch } from './resnet.js';
import { ViT, isViTArch } from './vit.js';
import { PlainConvNet, isPlainArch } from './vgg.js';
import { RegNet, isRegNetArch } from './regnet.js';
import { MobileNetV2, MobileNetV3, EfficientNet, isEfficientNetArch, isMobileNetV3Arch } from './mobilenet.js';
import { SqueezeNet, isSqueezeNetArch } from './squeezenet.js';
import { MNASNet, isMNASNetArch } from './mnasnet.js';
import { ShuffleNetV2, isShuffleNetArch } from './shufflenet.js';
import { DenseNet, isDenseNetArch } from './densenet.js';
import { ConvNeXt, isConvNeXtArch } from './convnext.js';
import { SwinTransformer, isSwinArch } from './swin.js';
import { InceptionNet, isInceptionArch } from './inception.js';
import { MaxViT, isMaxViTArch } from './maxvit.js';
import { CritError } from '../util/errors.js';

export type Network = MLP | CNN | ResNet | ViT | PlainConvNet | RegNet | MobileNetV2 | MobileNetV3 | EfficientNet | SqueezeNet | MNASNet | ShuffleNetV2 | DenseNet | ConvNeXt | SwinTransformer | InceptionNet | MaxViT;

export function buildNetwork(spec: string): Network {
  const kind = spec.trim().split(':')[0];
  if (kind === 'mlp') return new MLP(spec);
  if (kind === 'cnn') return new CNN(spec);
  if (isResNetArch(spec)) return new ResNet(spec);
  if (isViTArch(spec)) return new ViT(spec);
  if (isPlainArch(spec)) return new PlainConvNet(spec);
  if (isRegNetArch(spec)) return new RegNet(spec);
  if (kind === 'mobilenet_v2') return new MobileNetV2(spec);
  if (isMobileNetV3Arch(spec)) return new MobileNetV3(spec);
  if (isEfficientNetArch(spec)) return new EfficientNet(spec);
  if (isSqueezeNetArch(spec)) return new SqueezeNet(spec);
  if (isMNASNetArch(spec)) return new MNASNet(spec);
  if (isShuffleNetArch(spec)) return new ShuffleNetV2(spec);
  if (isDenseNetArch(spec)) return new DenseNet(spec);
  if (isConvNeXtArch(spec)) return new ConvNeXt(spec);
  if (isSwinArch(spec)) return new SwinTransformer(spec);
  if (isInceptionArch(spec)) return new InceptionNet(spec);
  if (isMaxViTArch(spec)) return new MaxViT(spec);
  throw new CritError(`architecture '${spec}': unknown kind '${kind}' (known: mlp, e.g. mlp:784-1000-500-10:scaled-tanh; cnn, e.g. ${DOHARE_CONVNET}; torchvision ResNets, ViTs, VGGs, AlexNet, RegNets, MobileNet V2, EfficientNets, e.g. resnet18, vit_b_16, vgg16_bn, regnet_y_400mf, efficientnet_b0)`);
}
