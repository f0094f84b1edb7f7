#!/usr/bin/python3
"""Golden values from torchvision 0.14 for crit's model-zoo networks (Debian: python3-torch python3-torchvision;
run with /usr/bin/python3). Small members of each family, built from torchvision's own classes so the state_dict
names, the block structure and the module count are torchvision's:

  resnet-basic       torchvision BasicBlock ResNet, layers 1-1-1-1, first width 4, 32x32 inputs, 10 classes
  resnet-bottleneck  torchvision Bottleneck ResNeXt-style, layers 1-1-1-1, width 4, groups 2, width_per_group 32
  vit                torchvision VisionTransformer, 32x32 images, patch 8, 2 layers, 2 heads, hidden 16, mlp 24
  vgg-bn             torchvision VGG (make_layers with batch norm) 4-M-8-M, classifier 12 wide
  alexnet            torchvision AlexNet's layers, 4-6-8-6-6 channels, classifier 12 wide
  regnet-y, regnet-x torchvision RegNet with explicit BlockParams (squeeze-excitation in Y, grouped 3x3)
  mobilenet-v2       torchvision MobileNetV2 with a two-stage inverted_residual_setting
  efficientnet       torchvision EfficientNet with fused and plain MBConv stages, batch-norm eps 1e-3
  squeezenet         torchvision SqueezeNet 1.1 with channels divided by 8 (ceil-mode max pooling)
  mnasnet            torchvision MNASNet at alpha 0.25 with a 32-channel last convolution
  mobilenet-v3       torchvision MobileNetV3 with three inverted residuals (SE, hardswish and ReLU)
  shufflenet         torchvision ShuffleNetV2 with repeats 2-1-1 and channels 8-16-32-64-48
  densenet           torchvision DenseNet, growth 4, blocks 2-2, 8 initial features (also saved with the old
                     norm.1 names, as densenet121-a639ec97.pth has them)
  convnext           torchvision ConvNeXt with dims 8-16 and depths 2-1 (layer scales randomised)
  swin               torchvision SwinTransformer, embed 8, depths 2-2, heads 2-2, windows of 3 (padding and shifts)
  swin-v2            the same with Swin V2's blocks and patch merging
  googlenet          torchvision GoogLeNet as built for its weights (no aux, transform_input), channels / 8
  inception-v3       torchvision Inception v3 (AuxLogits, transform_input, 1x7 and 7x1 kernels), channels / 8, 80x80
  maxvit             torchvision MaxVit, stem 8, channels 8-16, layers 2-1, head dim 4, partition 2

Batch-norm weights, biases and running statistics are randomised (a trained net's are not 1 and 0). For each
net, in f64 from the f32 weights and inputs (model.eval()): the logits; the gradient of the mean cross-entropy
for every parameter; per input the top singular value of d logits / d input (torch.autograd.functional.jacobian,
torch.linalg.svdvals); the number of leaf modules m (the paper's lambda0 = log(s_max) / m).
Weights as safetensors (F32, state_dict names, num_batches_tracked included as I64), the cross-entropy gradients
as safetensors (F32, computed in f64), inputs as .npy.

    /usr/bin/python3 scripts/make-torchvision-fixture.py   # writes test/fixtures/torch/tv-*.{json,safetensors,npy}

Seeded: rerunning leaves the committed files unchanged, except the legacy-format .pth files, whose storage keys
are Python object ids (their tensors are the same).
"""
import importlib.util
import json
import math
import os
import re

import numpy as np
import torch
import torchvision
from functools import partial

from torchvision.models.convnext import CNBlockConfig
from torchvision.models.efficientnet import EfficientNet, FusedMBConvConfig, MBConvConfig
from torchvision.models.mobilenetv3 import InvertedResidualConfig, MobileNetV3
from torchvision.models.regnet import BlockParams
from torchvision.models.swin_transformer import PatchMergingV2, SwinTransformerBlockV2
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'torch')
_spec = importlib.util.spec_from_file_location('fixture', os.path.join(HERE, 'make-torch-fixture.py'))
_fixture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixture)


class SmallResNet(ResNet):
    """torchvision's ResNet with the first stage's width `base` instead of 64 (everything else inherited)."""

    def __init__(self, block, layers, base, num_classes, groups=1, width_per_group=64):
        torch.nn.Module.__init__(self)
        self._norm_layer = torch.nn.BatchNorm2d
        self.inplanes, self.dilation, self.groups, self.base_width = base, 1, groups, width_per_group
        self.conv1 = torch.nn.Conv2d(3, base, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(base)
        self.relu = torch.nn.ReLU(inplace=True)
        self.maxpool = torch.nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, base, layers[0])
        self.layer2 = self._make_layer(block, base * 2, layers[1], stride=2)
        self.layer3 = self._make_layer(block, base * 4, layers[2], stride=2)
        self.layer4 = self._make_layer(block, base * 8, layers[3], stride=2)
        self.avgpool = torch.nn.AdaptiveAvgPool2d((1, 1))
        self.fc = torch.nn.Linear(base * 8 * block.expansion, num_classes)


class SmallVGG(torchvision.models.VGG):
    """torchvision's VGG with a narrower classifier (same module indices: classifier.0, .3, .6)."""

    def __init__(self, cfg, batch_norm, hidden, num_classes):
        super().__init__(torchvision.models.vgg.make_layers(cfg, batch_norm=batch_norm), num_classes=num_classes)
        width = [c for c in cfg if c != 'M'][-1]
        self.classifier = torch.nn.Sequential(
            torch.nn.Linear(width * 7 * 7, hidden), torch.nn.ReLU(True), torch.nn.Dropout(),
            torch.nn.Linear(hidden, hidden), torch.nn.ReLU(True), torch.nn.Dropout(), torch.nn.Linear(hidden, num_classes))


class SmallSqueezeNet(torchvision.models.SqueezeNet):
    """torchvision's SqueezeNet 1.1 with every channel count divided by 8 (same module indices)."""

    def __init__(self, num_classes):
        super().__init__('1_1', num_classes=num_classes)
        nn, Fire = torch.nn, torchvision.models.squeezenet.Fire
        pool = lambda: nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, kernel_size=3, stride=2), nn.ReLU(inplace=True), pool(), Fire(8, 2, 8, 8), Fire(16, 2, 8, 8), pool(),
            Fire(16, 4, 16, 16), Fire(32, 4, 16, 16), pool(), Fire(32, 6, 24, 24), Fire(48, 6, 24, 24), Fire(48, 8, 32, 32), Fire(64, 8, 32, 32))
        self.classifier[1] = nn.Conv2d(64, num_classes, kernel_size=1)


def divided_basic_conv(module, divide):
    """A BasicConv2d with every channel count divided by `divide` (the image's 3 channels kept), to patch into a module."""
    original = module.BasicConv2d

    class Small(original):
        def __init__(self, cin, cout, **kw):
            super().__init__(cin if cin == 3 else cin // divide, cout // divide, **kw)
    return Small


def small_googlenet(num_classes):
    """torchvision's GoogLeNet as built for its weights (no aux, transform_input), channels divided by 8."""
    gm = importlib.import_module('torchvision.models.googlenet')  # the module (torchvision.models.googlenet is the builder)
    original = gm.BasicConv2d
    gm.BasicConv2d = divided_basic_conv(gm, 8)
    try:
        net = gm.GoogLeNet(num_classes=num_classes, aux_logits=False, transform_input=True, init_weights=False,
                           blocks=[gm.BasicConv2d, gm.Inception, gm.InceptionAux])
    finally:
        gm.BasicConv2d = original
    net.fc = torch.nn.Linear(1024 // 8, num_classes)
    return net


def small_inception(num_classes):
    """torchvision's Inception v3 (AuxLogits kept, transform_input), channels divided by 8."""
    im = importlib.import_module('torchvision.models.inception')
    original = im.BasicConv2d
    small = divided_basic_conv(im, 8)
    im.BasicConv2d = small
    try:
        net = im.Inception3(num_classes=num_classes, aux_logits=True, transform_input=True, init_weights=False,
                            inception_blocks=[small, im.InceptionA, im.InceptionB, im.InceptionC, im.InceptionD, im.InceptionE, im.InceptionAux])
    finally:
        im.BasicConv2d = original
    net.fc = torch.nn.Linear(2048 // 8, num_classes)
    net.AuxLogits.fc = torch.nn.Linear(768 // 8, num_classes)
    return net


def small_mnasnet(alpha, last, num_classes):
    """torchvision's MNASNet at width alpha with a last convolution of `last` channels instead of 1280."""
    net = torchvision.models.MNASNet(alpha, num_classes=num_classes)
    cin = net.layers[14].in_channels
    net.layers[14] = torch.nn.Conv2d(cin, last, 1, bias=False)
    net.layers[15] = torch.nn.BatchNorm2d(last, momentum=1 - 0.9997)
    net.classifier[1] = torch.nn.Linear(last, num_classes)
    return net


class SmallAlexNet(torchvision.models.AlexNet):
    """torchvision's AlexNet with narrower layers (same module indices)."""

    def __init__(self, ch, hidden, num_classes):
        super().__init__(num_classes=num_classes)
        nn = torch.nn
        self.features = nn.Sequential(
            nn.Conv2d(3, ch[0], 11, 4, 2), nn.ReLU(True), nn.MaxPool2d(3, 2),
            nn.Conv2d(ch[0], ch[1], 5, padding=2), nn.ReLU(True), nn.MaxPool2d(3, 2),
            nn.Conv2d(ch[1], ch[2], 3, padding=1), nn.ReLU(True), nn.Conv2d(ch[2], ch[3], 3, padding=1), nn.ReLU(True),
            nn.Conv2d(ch[3], ch[4], 3, padding=1), nn.ReLU(True), nn.MaxPool2d(3, 2))
        self.classifier = nn.Sequential(
            nn.Dropout(), nn.Linear(ch[4] * 6 * 6, hidden), nn.ReLU(True), nn.Dropout(), nn.Linear(hidden, hidden),
            nn.ReLU(True), nn.Linear(hidden, num_classes))


NETS = {
    'resnet-basic': ('resnet:block=basic:layers=1-1-1-1:input=3x32x32:classes=10:base=4',
                     lambda: SmallResNet(BasicBlock, [1, 1, 1, 1], 4, 10), 21),
    'resnet-bottleneck': ('resnet:block=bottleneck:layers=1-1-1-1:input=3x32x32:classes=10:base=4:groups=2:width_per_group=32',
                          lambda: SmallResNet(Bottleneck, [1, 1, 1, 1], 4, 10, groups=2, width_per_group=32), 22),
    'vit': ('vit:image=32:patch=8:layers=2:heads=2:hidden=16:mlp=24:classes=10',
            lambda: torchvision.models.VisionTransformer(32, 8, 2, 2, 16, 24, num_classes=10), 23),
    # 32x32 images: two poolings leave 8x8, adaptively averaged to 7x7 (overlapping windows).
    'vgg-bn': ('vgg:cfg=4-M-8-M:bn:hidden=12:input=3x32x32:classes=10', lambda: SmallVGG([4, 'M', 8, 'M'], True, 12, 10), 24),
    'regnet-y': ('regnet:stem=8:stages=1x8x4-2x16x8:se:input=3x32x32:classes=10',
                 lambda: torchvision.models.RegNet(BlockParams([1, 2], [8, 16], [4, 8], [1.0, 1.0], [2, 2], 0.25), num_classes=10, stem_width=8), 26),
    'regnet-x': ('regnet:stem=8:stages=2x8x8-1x24x8:input=3x32x32:classes=10',
                 lambda: torchvision.models.RegNet(BlockParams([2, 1], [8, 24], [8, 8], [1.0, 1.0], [2, 2], None), num_classes=10, stem_width=8), 27),
    'mobilenet-v2': ('mobilenet_v2:setting=1x8x1x1-6x16x2x2:input=3x32x32:classes=10',
                     lambda: torchvision.models.MobileNetV2(num_classes=10, inverted_residual_setting=[[1, 8, 1, 1], [6, 16, 2, 2]]), 28),
    'efficientnet': ('efficientnet:stages=F1k3s1i8o8n1-F4k3s2i8o16n1-M1k3s1i16o16n1-M6k5s2i16o24n2:last=32:eps=0.001:input=3x32x32:classes=10',
                     lambda: EfficientNet([FusedMBConvConfig(1, 3, 1, 8, 8, 1), FusedMBConvConfig(4, 3, 2, 8, 16, 1), MBConvConfig(1, 3, 1, 16, 16, 1),
                                           MBConvConfig(6, 5, 2, 16, 24, 2)], 0.2, num_classes=10, last_channel=32,
                                          norm_layer=partial(torch.nn.BatchNorm2d, eps=1e-3)), 29),
    # 64x64 images: 31 -> ceil pools 15, 7, 3.
    'squeezenet': ('squeezenet1_1:divide=8:input=3x64x64:classes=10', lambda: SmallSqueezeNet(10), 30),
    'mnasnet': ('mnasnet:alpha=0.25:last=32:input=3x32x32:classes=10', lambda: small_mnasnet(0.25, 32, 10), 31),
    'mobilenet-v3': ('mobilenet_v3:blocks=i8k3e8o8s2+se-i8k3e24o16s2-i16k5e48o16s1+se+hs:last=32:input=3x32x32:classes=10',
                     lambda: MobileNetV3([InvertedResidualConfig(8, 3, 8, 8, True, 'RE', 2, 1, 1.0), InvertedResidualConfig(8, 3, 24, 16, False, 'RE', 2, 1, 1.0),
                                          InvertedResidualConfig(16, 5, 48, 16, True, 'HS', 1, 1, 1.0)], 32, num_classes=10), 32),
    'shufflenet': ('shufflenet_v2:repeats=2-1-1:channels=8-16-32-64-48:input=3x32x32:classes=10',
                   lambda: torchvision.models.ShuffleNetV2([2, 1, 1], [8, 16, 32, 64, 48], num_classes=10), 33),
    'densenet': ('densenet:growth=4:blocks=2-2:init=8:input=3x32x32:classes=10',
                 lambda: torchvision.models.DenseNet(growth_rate=4, block_config=(2, 2), num_init_features=8, num_classes=10), 34),
    'convnext': ('convnext:dims=8-16:depths=2-1:input=3x32x32:classes=10',
                 lambda: torchvision.models.ConvNeXt([CNBlockConfig(8, 16, 2), CNBlockConfig(16, None, 1)], num_classes=10), 35),
    # 8x8 patches in windows of 3: padded to 9x9, shifted by 1 in every second block; then 4x4 -> 6x6 padded.
    'swin': ('swin:embed=8:depths=2-2:heads=2-2:window=3:input=3x32x32:classes=10',
             lambda: torchvision.models.SwinTransformer([4, 4], 8, [2, 2], [2, 2], [3, 3], num_classes=10), 36),
    'swin-v2': ('swin_v2:embed=8:depths=2-2:heads=2-2:window=3:input=3x32x32:classes=10',
                lambda: torchvision.models.SwinTransformer([4, 4], 8, [2, 2], [2, 2], [3, 3], num_classes=10, block=SwinTransformerBlockV2,
                                                           downsample_layer=PatchMergingV2), 37),
    'googlenet': ('googlenet:divide=8:input=3x64x64:classes=10', lambda: small_googlenet(10), 38),
    'inception-v3': ('inception_v3:divide=8:input=3x80x80:classes=10', lambda: small_inception(10), 39),
    # 32x32 images: stem 16, blocks 8 and 4, partitions of 2 (window and grid attention both nontrivial).
    'maxvit': ('maxvit:stem=8:channels=8-16:layers=2-1:head_dim=4:partition=2:input=3x32x32:classes=10',
               lambda: torchvision.models.MaxVit((32, 32), 8, 2, [8, 16], [2, 1], 4, 0.0, num_classes=10), 40),
    # 64x64 images: 15 -> pool 7 -> 7 -> pool 3 -> 3 -> pool 1x1, adaptively replicated to 6x6.
    'alexnet': ('alexnet:channels=4-6-8-6-6:hidden=12:input=3x64x64:classes=10', lambda: SmallAlexNet([4, 6, 8, 6, 6], 12, 10), 25),
}


def randomise(net, g):
    """Batch-norm parameters and statistics away from 1 and 0; ViT's zero-initialised head and tokens too."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5, generator=g)
                m.bias.uniform_(-0.2, 0.2, generator=g)
                m.running_mean.uniform_(-0.2, 0.2, generator=g)
                m.running_var.uniform_(0.5, 2.0, generator=g)
        if type(net).__name__ in ('GoogLeNet', 'Inception3'):
            # Variance-preserving convolutions (kaiming, fan_in): with torchvision's std 0.01 init the Jacobian of these
            # narrow nets is ~1e-18 and Λ0 a poor test.
            for m in net.modules():
                if isinstance(m, torch.nn.Conv2d):
                    m.weight.normal_(0, math.sqrt(2 / (m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1])), generator=g)
        if type(net).__name__ == 'MaxVit':
            for m in net.modules():
                if isinstance(m, torch.nn.LayerNorm):
                    m.weight.uniform_(0.5, 1.5, generator=g)
                    m.bias.uniform_(-0.2, 0.2, generator=g)
                if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                    m.weight.normal_(0, 0.3, generator=g)  # std 0.02 at init would make every block an identity
            for name, p in net.named_parameters():
                if name.endswith('relative_position_bias_table'):
                    p.normal_(0, 0.5, generator=g)
        if isinstance(net, torchvision.models.SwinTransformer):
            for m in net.modules():
                if isinstance(m, torch.nn.LayerNorm):
                    m.weight.uniform_(0.5, 1.5, generator=g)
                    m.bias.uniform_(-0.2, 0.2, generator=g)
            for name, p in net.named_parameters():
                if name.endswith('relative_position_bias_table'):
                    p.normal_(0, 0.5, generator=g)  # visible against the attention logits
                if name.endswith('logit_scale'):
                    p.uniform_(1.0, 5.0, generator=g)  # some above the clamp at log(100) = 4.6
        if isinstance(net, torchvision.models.ConvNeXt):
            for name, p in net.named_parameters():
                if name.endswith('layer_scale'):
                    p.uniform_(0.5, 1.5, generator=g)  # 1e-6 at init would hide the blocks
            for m in net.modules():
                if isinstance(m, torch.nn.LayerNorm):
                    m.weight.uniform_(0.5, 1.5, generator=g)
                    m.bias.uniform_(-0.2, 0.2, generator=g)
        if isinstance(net, torchvision.models.VisionTransformer):
            for p in [net.class_token, net.heads.head.weight, net.heads.head.bias]:
                p.normal_(0, 0.2, generator=g)
            for m in net.modules():
                if isinstance(m, torch.nn.LayerNorm):
                    m.weight.uniform_(0.5, 1.5, generator=g)
                    m.bias.uniform_(-0.2, 0.2, generator=g)


def main():
    os.makedirs(OUT, exist_ok=True)
    for stem, (arch, make, seed) in NETS.items():
        torch.manual_seed(seed)
        net = make()
        g = torch.Generator().manual_seed(seed + 100)
        randomise(net, g)
        net.eval()
        state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        floats = [k for k, v in state.items() if v.is_floating_point()]
        side = int(re.search(r'input=3x(\d+)x', arch).group(1)) if 'input=3x' in arch else 32
        # The same images for every net of one size, so `crit zoo` can measure them together against these values.
        gi = torch.Generator().manual_seed(1000 + side)
        x32 = torch.rand(3, 3 * side * side, generator=gi) * 2 - 1
        labels = torch.randint(0, 10, (3,), generator=gi)
        net = net.double()
        x = x32.double()
        f = lambda v: net(v.reshape(v.shape[0], 3, side, side))
        logits = f(x)
        ce = torch.nn.functional.cross_entropy(logits, labels)
        params = dict(net.named_parameters())
        # Inception v3's AuxLogits are inactive in eval mode: their gradients are zero (None from autograd).
        grads = [torch.zeros_like(p) if g_ is None else g_ for p, g_ in zip(params.values(), torch.autograd.grad(ce, list(params.values()), allow_unused=True))]
        s_max = []
        for i in range(x.shape[0]):
            J = torch.autograd.functional.jacobian(lambda v: f(v.unsqueeze(0)).squeeze(0), x[i])
            s_max.append(torch.linalg.svdvals(J)[0].item())
        modules = sum(1 for m in net.modules() if not list(m.children()))

        tensors = [(k, state[k].numpy()) for k in floats]
        path = os.path.join(OUT, f'tv-{stem}.safetensors')
        _fixture.write_safetensors(path, tensors, 'F32')
        # num_batches_tracked as torch stores it (I64): a reader must take it, a model may ignore it.
        ints = [(k, state[k].numpy()) for k in state if k not in floats]
        if ints:
            append_i64(path, ints)
        np.save(os.path.join(OUT, f'tv-images-{side}.npy'), x32.numpy())
        # F32: the tests compare at 1e-4 and above; the f64 values' rounding (6e-8) is far below.
        _fixture.write_safetensors(os.path.join(OUT, f'tv-{stem}.ce-grads.safetensors'), [(k, gr.numpy()) for k, gr in zip(params.keys(), grads)], 'F32')
        golden = {
            'arch': arch, 'torchvision': torchvision.__version__, 'seed': seed, 'modules': modules,
            'files': {'weights': f'tv-{stem}.safetensors', 'inputs': f'tv-images-{side}.npy'},
            'float_names': floats, 'int_names': [k for k, _ in ints], 'labels': labels.tolist(),
            'logits': logits.tolist(), 'ce': ce.item(),
            'ce_grads': f'tv-{stem}.ce-grads.safetensors', 'Lambda0': s_max,
        }
        with open(os.path.join(OUT, f'tv-{stem}.json'), 'w') as fh:
            json.dump(golden, fh)
        if stem == 'resnet-basic':
            write_pth_fixtures(make, seed, state)
        if stem == 'densenet':
            # The names of torchvision's pre-0.2 DenseNet checkpoints: denselayerN.norm.1 for norm1, and so on.
            old = {re.sub(r'(denselayer\d+\.(?:norm|relu|conv))([12])\.', r'\1.\2.', k): v for k, v in state.items()}
            torch.save(old, os.path.join(OUT, 'tv-densenet.old-names.pth'))
        print(stem, 'params', sum(v.numel() for v in params.values()), 'modules', modules, 'Lambda0', [round(s, 4) for s in s_max])


def write_pth_fixtures(make, seed, state):
    """torch.save files for crit's .pth reader: the resnet-basic state_dict in the ZIP format (torch >= 1.6) and
    the legacy one, inside a checkpoint dict, small odd cases (a transposed view, f16, f64, int64, bool), and a
    pickled module (which crit must refuse by name)."""
    torch.save(state, os.path.join(OUT, 'tv-resnet-basic.zip.pth'))
    torch.save(state, os.path.join(OUT, 'tv-resnet-basic.legacy.pth'), _use_new_zipfile_serialization=False)
    odd = {
        'transposed': torch.arange(12, dtype=torch.float32).reshape(3, 4).t(),
        'sliced': torch.arange(20, dtype=torch.float32).reshape(4, 5)[1:3, ::2],
        'half': torch.tensor([0.5, -2.0, 65504.0], dtype=torch.float16),
        'double': torch.tensor([[1.0 / 3.0]], dtype=torch.float64),
        'long': torch.tensor([-3, 7], dtype=torch.int64),
        'flag': torch.tensor([True, False]),
        'scalar': torch.tensor(2.5),
    }
    for fmt in ['zip', 'legacy']:
        torch.save({'epoch': 3, 'state_dict': odd, 'note': 'crit test'}, os.path.join(OUT, f'odd.{fmt}.pth'),
                   _use_new_zipfile_serialization=(fmt == 'zip'))
    torch.manual_seed(seed)
    torch.save(torch.nn.Linear(2, 2), os.path.join(OUT, 'module.pth'))
    expect = {k: {'shape': list(v.shape), 'values': v.double().reshape(-1).tolist()} for k, v in odd.items()}
    with open(os.path.join(OUT, 'odd.pth.json'), 'w') as fh:
        json.dump(expect, fh)


def append_i64(path, ints):
    """Rewrites the safetensors file with integer tensors added as I64 (the writer above takes one float dtype)."""
    with open(path, 'rb') as fh:
        n = int.from_bytes(fh.read(8), 'little')
        header = json.loads(fh.read(n))
        blob = fh.read()
    pos = len(blob)
    for k, a in ints:
        b = np.ascontiguousarray(a.astype('<i8')).tobytes()
        header[k] = {'dtype': 'I64', 'shape': list(a.shape), 'data_offsets': [pos, pos + len(b)]}
        blob += b
        pos += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as fh:
        fh.write(len(h).to_bytes(8, 'little'))
        fh.write(h)
        fh.write(blob)


if __name__ == '__main__':
    main()
