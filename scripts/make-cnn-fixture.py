#!/usr/bin/python3
"""Golden values from PyTorch for crit's convolutional networks (Debian's python3-torch: /usr/bin/python3).

Two seeded CNNs in crit's `cnn:` spec (each convolution followed by the activation and nn.MaxPool2d(2, 2), then
fully connected layers), with PyTorch's default init and state_dict names (conv1.weight, ..., fc1.bias):
  small:  cnn:2x10x9:4k3-5k2p1:6-3:scaled-tanh   (padding, odd sizes, smooth units for gradients)
  dohare: cnn:3x32x32:8k5-8k3-16k3:16-16-2:relu  (the geometry of Dohare et al.'s Continual ImageNet ConvNet,
          32 -> 28 -> 14 -> 12 -> 6 -> 4 -> 2, with fewer channels so the fixture stays small)
Per net, in f64 from the f32 weights and inputs: the logits; the mean cross-entropy and its gradient with respect
to every parameter; per input the top singular value of d logits / d input (torch.autograd.functional.jacobian and
torch.linalg.svdvals) with lambda0 = log(s_max) / L (L = conv + fc layers); and the gradient of
mean over inputs of (lambda_t - lambda0)^2 with lambda_t = 0 (the criticality penalty), by autograd through the SVD.
Weights are also written as safetensors (F32) and the inputs as .npy, for `crit measure`.

    /usr/bin/python3 scripts/make-cnn-fixture.py   # writes test/fixtures/torch/cnn-*.{json,safetensors,npy}

Seeded: rerunning leaves the committed files unchanged.
"""
import importlib.util
import json
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'torch')
_spec = importlib.util.spec_from_file_location('fixture', os.path.join(HERE, 'make-torch-fixture.py'))
_fixture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fixture)
write_safetensors = _fixture.write_safetensors

NETS = {
    'small': {'arch': 'cnn:2x10x9:4k3-5k2p1:6-3:scaled-tanh', 'input': (2, 10, 9), 'convs': [(4, 3, 0), (5, 2, 1)],
              'fcs': [6, 3], 'act': 'scaled-tanh', 'n': 4, 'seed': 11},
    'dohare': {'arch': 'cnn:3x32x32:8k5-8k3-16k3:16-16-2:relu', 'input': (3, 32, 32), 'convs': [(8, 5, 0), (8, 3, 0), (16, 3, 0)],
               'fcs': [16, 16, 2], 'act': 'relu', 'n': 3, 'seed': 12},
}


def activation(name):
    if name == 'relu':
        return torch.relu
    return lambda x: 1.7159 * torch.tanh(0.6666 * x)


class Net(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        c, h, w = cfg['input']
        self.act = activation(cfg['act'])
        self.convs = []
        for i, (out, k, p) in enumerate(cfg['convs']):
            conv = torch.nn.Conv2d(c, out, k, padding=p)
            setattr(self, f'conv{i + 1}', conv)
            self.convs.append(conv)
            c, h, w = out, (h + 2 * p - k + 1) // 2, (w + 2 * p - k + 1) // 2
        sizes = [c * h * w] + cfg['fcs']
        self.fcs = []
        for i in range(len(cfg['fcs'])):
            fc = torch.nn.Linear(sizes[i], sizes[i + 1])
            setattr(self, f'fc{i + 1}', fc)
            self.fcs.append(fc)
        self.shape = cfg['input']

    def forward(self, x):
        h = x.reshape(x.shape[0], *self.shape)
        for conv in self.convs:
            h = torch.nn.functional.max_pool2d(self.act(conv(h)), 2, 2)
        h = h.reshape(h.shape[0], -1)
        for i, fc in enumerate(self.fcs):
            h = fc(h)
            if i < len(self.fcs) - 1:
                h = self.act(h)
        return h


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, cfg in NETS.items():
        torch.manual_seed(cfg['seed'])
        net = Net(cfg)
        state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        names = list(state.keys())
        c, h, w = cfg['input']
        g = torch.Generator().manual_seed(cfg['seed'] + 100)
        x32 = torch.rand(cfg['n'], c * h * w, generator=g) * 2 - 1
        labels = torch.randint(0, cfg['fcs'][-1], (cfg['n'],), generator=g)
        net = net.double()
        x = x32.double()
        depth = len(cfg['convs']) + len(cfg['fcs'])

        logits = net(x)
        ce = torch.nn.functional.cross_entropy(logits, labels)
        ce_grads = torch.autograd.grad(ce, list(net.parameters()))

        s_max = []
        for i in range(cfg['n']):
            J = torch.autograd.functional.jacobian(lambda v: net(v.unsqueeze(0)).squeeze(0), x[i], create_graph=True)
            s_max.append(torch.linalg.svdvals(J)[0])
        lam = torch.stack(s_max).log() / depth
        penalty = ((0.0 - lam) ** 2).mean()
        # The last layer's bias does not enter the Jacobian: its gradient is zero (None from autograd).
        params = list(net.parameters())
        pen_grads = [torch.zeros_like(p) if gr is None else gr for p, gr in zip(params, torch.autograd.grad(penalty, params, allow_unused=True))]

        stem = f'cnn-{name}'
        write_safetensors(os.path.join(OUT, f'{stem}.safetensors'), [(k, state[k].numpy()) for k in names], 'F32')
        np.save(os.path.join(OUT, f'{stem}.inputs.npy'), x32.numpy())
        golden = {
            'arch': cfg['arch'], 'torch_version': torch.__version__, 'seed': cfg['seed'], 'depth': depth,
            'init': 'PyTorch defaults (nn.Conv2d, nn.Linear: weights and biases U[-1/sqrt(fan_in), 1/sqrt(fan_in)])',
            'names': names,
            'files': {'weights': f'{stem}.safetensors', 'inputs': f'{stem}.inputs.npy'}, 'labels': labels.tolist(),
            'logits': logits.tolist(),
            'ce': ce.item(), 'ce_grads': {k: gr.reshape(-1).tolist() for k, gr in zip(names, ce_grads)},
            'Lambda0': [s.item() for s in s_max], 'lambda0': lam.tolist(),
            'lambda_target': 0.0, 'penalty': penalty.item(), 'penalty_grads': {k: gr.reshape(-1).tolist() for k, gr in zip(names, pen_grads)},
        }
        with open(os.path.join(OUT, f'{stem}.json'), 'w') as f:
            json.dump(golden, f)
        print(stem, 'lambda0', [round(v, 4) for v in lam.tolist()], 'ce', round(ce.item(), 4))


if __name__ == '__main__':
    main()
