#!/usr/bin/python3
"""The table of torchvision's ImageNet-1K classifiers that `crit zoo` measures (Debian python3-torchvision 0.14.1,
the release that goes with the paper's PyTorch 1.13.1; run with /usr/bin/python3):

  per model: family and year (the paper's Table S1; Swin V2, not in it, is dated by its paper, 2022), number of
  parameters p, number of leaf modules m (of the model as torchvision builds it for its weights: GoogLeNet without
  its auxiliary classifiers), and per weights enum (IMAGENET1K_V1,
  IMAGENET1K_V2, IMAGENET1K_SWAG_*): the checkpoint's file name (as torch.hub caches it), acc@1, acc@5 (null for
  feature-extractor weights), the parameters of the model these weights fit (vit_h_14's 518px weights have a larger
  position embedding), the
  evaluation crop and resize sizes, and the recipe link.

    /usr/bin/python3 scripts/make-torchvision-table.py   # writes src/experiments/zoo/torchvision-models.json

Deterministic: rerunning leaves the file unchanged.
"""
import json
import os

import torchvision
from torchvision.models import get_model_builder, get_model_weights, list_models

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'experiments', 'zoo', 'torchvision-models.json')

# Prefix -> (family, year): the paper's Table S1.
FAMILIES = [
    ('alexnet', 'AlexNet', 2012), ('convnext', 'ConvNeXt', 2022), ('densenet', 'DenseNet', 2016),
    ('efficientnet_v2', 'EfficientNetV2', 2021), ('efficientnet', 'EfficientNet', 2019), ('googlenet', 'GoogLeNet', 2014),
    ('inception', 'Inception v3', 2015), ('maxvit', 'MaxViT', 2022), ('mnasnet', 'MNASNet', 2018),
    ('mobilenet_v2', 'MobileNet V2', 2018), ('mobilenet_v3', 'MobileNet V3', 2019), ('regnet', 'RegNet', 2020),
    ('resnext', 'ResNeXt', 2016), ('resnet', 'ResNet', 2015), ('shufflenet', 'ShuffleNet V2', 2018),
    ('squeezenet', 'SqueezeNet', 2016), ('swin_v2', 'Swin Transformer V2', 2022), ('swin', 'Swin Transformer', 2021),
    ('vgg', 'VGG', 2014), ('vit', 'Vision Transformer', 2020), ('wide_resnet', 'Wide ResNet', 2016),
]


def family(name):
    for prefix, fam, year in FAMILIES:
        if name.startswith(prefix):
            return fam, year
    raise KeyError(name)


def main():
    models = []
    for name in sorted(list_models(module=torchvision.models)):
        fam, year = family(name)
        # As the pretrained model is built: torchvision drops GoogLeNet's auxiliary classifiers when it loads weights
        # (Inception v3 keeps its AuxLogits module, unused in eval mode).
        net = get_model_builder(name)(weights=None, **({'aux_logits': False, 'init_weights': False} if name == 'googlenet' else {}))
        weights = []
        for w in get_model_weights(name):
            t = w.transforms()
            crop = t.crop_size[0] if isinstance(t.crop_size, (list, tuple)) else t.crop_size
            resize = t.resize_size[0] if isinstance(t.resize_size, (list, tuple)) else t.resize_size
            metrics = w.meta['_metrics']['ImageNet-1K']
            # Feature-extractor weights (vgg16's IMAGENET1K_FEATURES) have no accuracy: null, not NaN (JSON).
            acc = lambda v: v if v == v else None
            weights.append({'name': w.name, 'file': os.path.basename(w.url), 'acc1': acc(metrics['acc@1']), 'acc5': acc(metrics['acc@5']),
                            'params': w.meta['num_params'],
                            'crop': crop, 'resize': resize, 'recipe': w.meta.get('recipe', '')})
        models.append({
            'model': name, 'family': fam, 'year': year,
            'params': sum(p.numel() for p in net.parameters()),  # equals the weights' meta num_params
            'modules': sum(1 for m in net.modules() if not list(m.children())),
            'weights': weights,
        })
        print(name, len(weights), flush=True)
        del net
    with open(OUT, 'w') as fh:
        json.dump({'source': f'torchvision {torchvision.__version__}', 'script': 'scripts/make-torchvision-table.py', 'models': models}, fh, indent=1)
        fh.write('\n')


if __name__ == '__main__':
    main()
