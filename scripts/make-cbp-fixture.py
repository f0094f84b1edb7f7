#!/usr/bin/python3
"""Golden trajectories of continual backpropagation from PyTorch (Debian's python3-torch: /usr/bin/python3).

An independent f64 implementation of generate-and-test as Dohare et al. describe it (Nature 2024; their
lop/algos/convGnT.py with SGD), run on a small ConvNet of crit's `cnn:` spec and on an MLP, for both utility types:
  after every SGD step (momentum 0.9), per hidden layer: ages += 1; (adaptable) running mean activation;
  u = decay u + (1 - decay) * mean_positions(mean_batch |h - c| * mean_out |w_out|) (/ mean |w_in| for adaptable);
  corrected u = u / (1 - decay^age); rate * units accumulates while a unit is older than the maturity; its integer
  part of the mature units with the lowest corrected utility get new input weights, zero bias, zero outgoing
  weights, zero utility and mean activation, age 0. Momentum buffers are left alone (as theirs with SGD).
Everything random is drawn with crit's counter-based generator (pcg4d, f32 arithmetic), so the initial weights,
the batches and the new units' weights are the same numbers in both: the initial weights as crit's
`model.init({scheme: 'torch', seed})` (layer i: weight stream 2i, bias stream 2i + 1), inputs U[-1, 1) with
seed DATA_SEED and stream 1000 + step, labels (bits of stream 2000 + step) % classes, new weights of layer i from
stream 0x5eed0000 + i, continuing across replacements.

    /usr/bin/python3 scripts/make-cbp-fixture.py   # writes test/fixtures/torch/cbp.json

Deterministic: rerunning leaves the committed file unchanged.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'torch', 'cbp.json')

# The ConvNet: 16 -> 14 -> 7 -> 5 -> 2, so the last convolution feeds fc1 with 2x2 positions per channel; the MLP:
# crit's W1, b1, ... names.
NETS = {
    'cnn': {'arch': 'cnn:3x16x16:4k3-6k3:8-5-3:relu', 'input': (3, 16, 16), 'convs': [(4, 3), (6, 3)], 'fcs': [8, 5, 3]},
    'mlp': {'arch': 'mlp:20-12-8-3:relu', 'input': (20,), 'convs': [], 'fcs': [12, 8, 3]},
}
SEED = 5
DATA_SEED = 7
STEPS = 40
BATCH = 10
LR = 0.05
MOMENTUM = 0.9
RATE = 0.1
DECAY = 0.9
MATURITY = 4

M32 = 0xFFFFFFFF


def pcg4d(x, y, z, w):
    x = (x * 1664525 + 1013904223) & M32
    y = (y * 1664525 + 1013904223) & M32
    z = (z * 1664525 + 1013904223) & M32
    w = (w * 1664525 + 1013904223) & M32
    x = (x + y * w) & M32; y = (y + z * x) & M32; z = (z + x * y) & M32; w = (w + y * z) & M32
    x ^= x >> 16; y ^= y >> 16; z ^= z >> 16; w ^= w >> 16
    x = (x + y * w) & M32; y = (y + z * x) & M32; z = (z + x * y) & M32; w = (w + y * z) & M32
    return x, y, z, w


def bits(seed, stream, counter):
    return pcg4d(counter & M32, stream & M32, seed & M32, 0x9e3779b9)[0]


def uniform_sym(n, bound, seed, stream, offset=0):
    """crit's uniformHost(n, -bound, bound): f32(f32(bound) * f32((b >> 8) * 2^-23 - 1))."""
    hi = np.float32(bound)
    out = np.empty(n, dtype=np.float32)
    for i in range(n):
        b = bits(seed, stream, offset + i)
        out[i] = hi * np.float32((b >> 8) * 1.1920928955078125e-7 - 1.0)
    return out


def layer_names(net):
    """(weight, bias) names of every weight layer, in crit's order."""
    convs = [(f'conv{i + 1}.weight', f'conv{i + 1}.bias') for i in range(len(net['convs']))]
    if net['convs']:
        return convs + [(f'fc{i + 1}.weight', f'fc{i + 1}.bias') for i in range(len(net['fcs']))]
    return [(f'W{i + 1}', f'b{i + 1}') for i in range(len(net['fcs']))]


def init_params(net):
    shapes, names = [], []
    layers = layer_names(net)
    if net['convs']:
        c_in = net['input'][0]
        for i, (c, k) in enumerate(net['convs']):
            shapes += [((c, c_in, k, k), c_in * k * k), ((c,), c_in * k * k)]
            c_in = c
        h = net['input'][1]
        for _, k in net['convs']:
            h = (h - k + 1) // 2
        f_in = c_in * h * h
    else:
        f_in = net['input'][0]
    for f in net['fcs']:
        shapes += [((f, f_in), f_in), ((f,), f_in)]
        f_in = f
    names = [n for pair in layers for n in pair]
    params = {}
    for j, (name, (shape, fan_in)) in enumerate(zip(names, shapes)):
        n = int(np.prod(shape))
        params[name] = torch.tensor(uniform_sym(n, 1 / math.sqrt(fan_in), SEED, j).reshape(shape).astype(np.float64))
    return params


def batch(net, step):
    shape = net['input']
    x = uniform_sym(BATCH * int(np.prod(shape)), 1.0, DATA_SEED, 1000 + step).astype(np.float64).reshape((BATCH,) + shape)
    y = np.array([bits(DATA_SEED, 2000 + step, i) % net['fcs'][-1] for i in range(BATCH)])
    return torch.tensor(x), torch.tensor(y)


def forward(net, p, x):
    hidden = []
    h = x
    layers = layer_names(net)
    for i in range(len(net['convs'])):
        w, b = layers[i]
        h = F.max_pool2d(torch.relu(F.conv2d(h, p[w], p[b])), 2, 2)
        hidden.append(h)
    h = h.reshape(h.shape[0], -1)
    for i, (w, b) in enumerate(layers[len(net['convs']):]):
        h = F.linear(h, p[w], p[b])
        if i < len(net['fcs']) - 1:
            h = torch.relu(h)
            hidden.append(h)
    return h, hidden


def unit_layers(net):
    """(input weight, bias, next weight) of every layer of hidden units."""
    layers = layer_names(net)
    return [(layers[i][0], layers[i][1], layers[i + 1][0]) for i in range(len(layers) - 1)]


def run(net, utility):
    p = init_params(net)
    for t in p.values():
        t.requires_grad_(True)
    momentum = {k: None for k in p}
    layers = unit_layers(net)
    units = [p[a].shape[0] for a, _, _ in layers]
    util = [torch.zeros(n, dtype=torch.float64) for n in units]
    mean_act = [torch.zeros(n, dtype=torch.float64) for n in units]
    ages = [torch.zeros(n, dtype=torch.float64) for n in units]
    acc = [0.0 for _ in units]
    drawn = [0 for _ in units]
    events, losses = [], []
    for step in range(STEPS):
        x, y = batch(net, step)
        logits, hidden = forward(net, p, x)
        loss = F.cross_entropy(logits, y)
        losses.append(loss.item())
        grads = torch.autograd.grad(loss, list(p.values()))
        with torch.no_grad():
            for (k, t), g in zip(p.items(), grads):
                momentum[k] = g.clone() if momentum[k] is None else MOMENTUM * momentum[k] + g
                t -= LR * momentum[k]
            due = []
            for i, (a, _, b) in enumerate(layers):
                ages[i] += 1
                corr = 1 - DECAY ** ages[i]
                h = hidden[i].reshape(BATCH, units[i], -1)
                P = h.shape[2]
                c = 0.0
                if utility == 'adaptable_contribution':
                    mean_act[i] = DECAY * mean_act[i] + (1 - DECAY) * h.mean(dim=(0, 2))
                    c = (mean_act[i] / corr).view(1, -1, 1)
                act = (h - c).abs().mean(dim=0)
                wn = p[b]
                out_mag = wn.abs().mean(dim=0).reshape(units[i], P) if wn.dim() == 2 else wn.abs().mean(dim=(0, 2, 3)).reshape(units[i], 1)
                fresh = (act * out_mag).mean(dim=1)
                if utility == 'adaptable_contribution':
                    fresh = fresh / p[a].abs().reshape(units[i], -1).mean(dim=1)
                util[i] = DECAY * util[i] + (1 - DECAY) * fresh
                mature = [u for u in range(units[i]) if ages[i][u] > MATURITY]
                if not mature:
                    due.append([])
                    continue
                acc[i] += RATE * units[i]
                n = int(math.floor(acc[i]))
                acc[i] -= n
                corrected = util[i] / corr
                order = sorted(mature, key=lambda u: (corrected[u].item(), u))
                due.append(order[:min(n, len(mature))])
            for i, (a, bias, b) in enumerate(layers):
                chosen = due[i]
                if not chosen:
                    continue
                w = p[a]
                fan_in = int(np.prod(w.shape[1:]))
                new = uniform_sym(len(chosen) * fan_in, 1 / math.sqrt(fan_in), SEED, 0x5eed0000 + i, drawn[i])
                drawn[i] += new.size
                wn = p[b]
                for k, u in enumerate(chosen):
                    w[u] = torch.tensor(new[k * fan_in:(k + 1) * fan_in].astype(np.float64)).reshape(w.shape[1:])
                    p[bias][u] = 0
                    if wn.dim() == 2:
                        P = wn.shape[1] // units[i]
                        wn[:, u * P:(u + 1) * P] = 0
                    else:
                        wn[:, u] = 0
                    util[i][u] = 0
                    mean_act[i][u] = 0
                    ages[i][u] = 0
                events.append({'step': step, 'layer': i, 'units': chosen})
    return {
        'losses': losses, 'events': events,
        'params': {k: t.detach().flatten().tolist() for k, t in p.items()},
        'util': [u.tolist() for u in util], 'ages': [a.tolist() for a in ages],
    }


def main():
    torch.set_grad_enabled(True)
    out = {
        'seed': SEED, 'data_seed': DATA_SEED, 'steps': STEPS, 'batch': BATCH, 'lr': LR, 'momentum': MOMENTUM,
        'rate': RATE, 'decay': DECAY, 'maturity': MATURITY, 'torch': torch.__version__,
        'nets': {k: {'arch': net['arch'], 'runs': {u: run(net, u) for u in ['contribution', 'adaptable_contribution']}} for k, net in NETS.items()},
    }
    with open(OUT, 'w') as f:
        json.dump(out, f)
    for k, net in out['nets'].items():
        for u, r in net['runs'].items():
            print(f'{net["arch"]} {u}: {sum(len(e["units"]) for e in r["events"])} units replaced in {len(r["events"])} events; loss {r["losses"][0]:.4f} -> {r["losses"][-1]:.4f}')


if __name__ == '__main__':
    main()
