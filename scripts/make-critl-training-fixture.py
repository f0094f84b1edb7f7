#!/usr/bin/python3
"""Golden trajectory of criticality-loss training from PyTorch, in f64, for crit's end-to-end test
(test/fig4/critl-training.test.ts). Run with Debian's python3-torch:

    /usr/bin/python3 scripts/make-critl-training-fixture.py   # writes test/fixtures/torch/critl-training.json

A seeded 16-12-8-10 MLP with scaled tanh hidden units (torch.nn.Linear's default init, weights x 1.5 so that
lambda0 starts near +0.2) takes six Adam steps (lr 1e-2, torch defaults otherwise) on three fixed batches of
eight inputs, twice over, with L = CE + alpha * mean_b (lambda_t - lambda0(x_b))^2, lambda0 = log |J v| / 3 and v the
top right singular vector of the input-output Jacobian J from the Gram matrix J J^T (eigh), held fixed in
backward() as crit's reverse-over-forward does. A cross-entropy-only twin from the same weights is recorded too,
so the test can show that the criticality term moves the trajectory by far more than its tolerance. Recorded
per step (before the update): loss, CE, mean (lambda_t - lambda0)^2 and mean lambda0; after the six steps: the
parameters and each input's lambda0 from an SVD of the explicit Jacobian. Deterministic: rerunning it leaves the
committed file unchanged.
"""
import json
import os

import torch

from torch_mlp import exact_lambda0, exact_vectors, forward_with_slopes, jv

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'torch', 'critl-training.json')
SIZES = [16, 12, 8, 10]
SEED, BATCH, BATCHES, STEPS = 2024, 8, 3, 6
ALPHA, LAMBDA_T, LR, WEIGHT_SCALE = 10.0, 0.0, 1e-2, 1.5
LAYERS = len(SIZES) - 1
torch.set_default_dtype(torch.float64)


def initial_params():
    torch.manual_seed(SEED)
    ps = {}
    for i in range(LAYERS):
        lin = torch.nn.Linear(SIZES[i], SIZES[i + 1])
        ps[f'W{i + 1}'] = (lin.weight.detach() * WEIGHT_SCALE).clone().requires_grad_()
        ps[f'b{i + 1}'] = lin.bias.detach().clone().requires_grad_()
    return ps


def train(ps, x, y, critl):
    opt = torch.optim.Adam(list(ps.values()), lr=LR)
    steps = []
    for s in range(STEPS):
        b = s % BATCHES
        xb, yb = x[b * BATCH:(b + 1) * BATCH], y[b * BATCH:(b + 1) * BATCH]
        opt.zero_grad(set_to_none=True)
        plist = list(ps.values())
        logits, slopes = forward_with_slopes(plist, xb)
        ce = torch.nn.functional.cross_entropy(logits, yb)
        v = exact_vectors(plist, slopes)
        lam = torch.log(jv(plist, slopes, v).norm(dim=1)) / LAYERS
        pen = ((LAMBDA_T - lam) ** 2).mean()
        loss = ce + ALPHA * pen if critl else ce
        loss.backward()
        opt.step()
        steps.append({'batch': b, 'loss': loss.item(), 'ce': ce.item(), 'L_lambda': pen.item(), 'lambda0': lam.mean().item()})
    return steps


def main():
    g = torch.Generator().manual_seed(SEED + 1)
    x = torch.rand(BATCH * BATCHES, SIZES[0], generator=g, dtype=torch.float32) * 2 - 1  # f32 values, used in f64
    y = torch.randint(0, SIZES[-1], (BATCH * BATCHES,), generator=g)
    x = x.double()
    start = initial_params()
    as_lists = lambda ps: {n: t.detach().reshape(-1).tolist() for n, t in ps.items()}
    # The initial weights as crit will hold them: rounded to f32 first, so both sides start from the same numbers.
    for t in start.values():
        t.data = t.data.float().double()
    initial = as_lists(start)
    critl_ps = {n: t.detach().clone().requires_grad_() for n, t in start.items()}
    ce_ps = {n: t.detach().clone().requires_grad_() for n, t in start.items()}
    critl_steps = train(critl_ps, x, y, True)
    ce_steps = train(ce_ps, x, y, False)
    golden = {
        'arch': f"mlp:{'-'.join(map(str, SIZES))}:scaled-tanh",
        'torch_version': torch.__version__,
        'seed': SEED, 'alpha': ALPHA, 'lambda_t': LAMBDA_T, 'lr': LR, 'optimizer': 'Adam (torch defaults: betas 0.9, 0.999; eps 1e-8)',
        'batch_size': BATCH, 'batches': BATCHES, 'steps': STEPS, 'layers': LAYERS,
        'note': 'f64 throughout; step s uses batch s mod 3 (inputs 8b..8b+7); per-step values are before the update',
        'inputs': x.tolist(), 'labels': y.tolist(),
        'initial': initial,
        'initial_lambda0': exact_lambda0(list(start.values()), x).tolist(),
        'critl': {'steps': critl_steps, 'final': as_lists(critl_ps), 'final_lambda0': exact_lambda0(list(critl_ps.values()), x).tolist()},
        'ce_only': {'steps': ce_steps, 'final': as_lists(ce_ps), 'final_lambda0': exact_lambda0(list(ce_ps.values()), x).tolist()},
    }
    with open(OUT, 'w') as f:
        json.dump(golden, f, indent=1)
    mean = lambda v: sum(v) / len(v)
    print('wrote', OUT, '| mean lambda0: initial %.4f, CritL %.4f, CE only %.4f' % (
        mean(golden['initial_lambda0']), mean(golden['critl']['final_lambda0']), mean(golden['ce_only']['final_lambda0'])))


if __name__ == '__main__':
    main()
