#!/usr/bin/python3
"""PyTorch CPU twin of `crit fig5 --bench` (src/experiments/fig5/bench.ts): milliseconds per SGD step (lr 0.01,
momentum 0.9, batch 100) of Dohare et al.'s ConvNet (3x32x32: conv 32k5, 64k3, 128k3 each with ReLU and 2x2 max
pooling, then 512-128-128-2) over an epoch of 1,200 random images, for
  BP     plain backpropagation;
  CBP    continual backpropagation: after each step, generate-and-test with the adaptable-contribution utility
         (decay 0.99), rho = 3e-3 (the paper's largest), maturity 0 (replacing from the first step), vectorised as Dohare et al.'s
         convGnT.py (per layer: a few reductions, top-k of the utilities, row and column writes);
  CritL  CE + alpha (lambda_t - lambda0)^2 with lambda0 = log|J v| / 6, v the per-sample top right singular vector of
         the input-output Jacobian by power iteration (J v by the double-backward trick, J^T u by one backward),
         warm-started from the sample's vector of the previous epoch (8 steps from random in the first epoch, 2 warm
         steps in the second, which is the one reported); the loss's gradient through v held fixed; and with the
         penalty on the first K = batch/10 rows of each batch (--penalty-rows; 2 steps per row, the steady state).
Run with Debian's python3-torch:

    /usr/bin/python3 scripts/bench_fig5_torch.py [--threads N]

Prints one JSON line.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1, self.conv2, self.conv3 = nn.Conv2d(3, 32, 5), nn.Conv2d(32, 64, 3), nn.Conv2d(64, 128, 3)
        self.fc1, self.fc2, self.fc3 = nn.Linear(512, 128), nn.Linear(128, 128), nn.Linear(128, 2)

    def forward(self, x):
        h1 = F.max_pool2d(F.relu(self.conv1(x)), 2)
        h2 = F.max_pool2d(F.relu(self.conv2(h1)), 2)
        h3 = F.max_pool2d(F.relu(self.conv3(h2)), 2)
        h4 = F.relu(self.fc1(h3.flatten(1)))
        h5 = F.relu(self.fc2(h4))
        return self.fc3(h5), [h1, h2, h3, h4, h5]


class GnT:
    """Generate-and-test (adaptable contribution) over the net's five hidden layers."""

    def __init__(self, net, rho, decay=0.99, maturity=0):
        self.net, self.rho, self.decay, self.maturity = net, rho, decay, maturity
        self.layers = [(net.conv1, net.conv2), (net.conv2, net.conv3), (net.conv3, net.fc1), (net.fc1, net.fc2), (net.fc2, net.fc3)]
        n = [l.weight.shape[0] for l, _ in self.layers]
        self.util = [torch.zeros(k) for k in n]
        self.mean = [torch.zeros(k) for k in n]
        self.age = [torch.zeros(k) for k in n]
        self.acc = [0.0] * len(n)
        self.replaced = 0

    @torch.no_grad()
    def step(self, hidden):
        for i, ((cur, nxt), h) in enumerate(zip(self.layers, hidden)):
            units = cur.weight.shape[0]
            self.age[i] += 1
            corr = 1 - self.decay ** self.age[i]
            h3 = h.reshape(h.shape[0], units, -1)
            P = h3.shape[2]
            self.mean[i] = self.decay * self.mean[i] + (1 - self.decay) * h3.mean(dim=(0, 2))
            act = (h3 - (self.mean[i] / corr).view(1, -1, 1)).abs().mean(dim=0)
            w = nxt.weight
            out = w.abs().mean(dim=0).reshape(units, P) if w.dim() == 2 else w.abs().mean(dim=(0, 2, 3)).reshape(units, 1)
            fresh = (act * out).mean(dim=1) / cur.weight.abs().reshape(units, -1).mean(dim=1)
            self.util[i] = self.decay * self.util[i] + (1 - self.decay) * fresh
            mature = torch.where(self.age[i] > self.maturity)[0]
            if len(mature) == 0:
                continue
            self.acc[i] += self.rho * units
            k = int(self.acc[i])
            self.acc[i] -= k
            if k == 0:
                continue
            idx = mature[torch.topk(-(self.util[i] / corr)[mature], k)[1]]
            fan_in = cur.weight[0].numel()
            cur.weight[idx] = torch.empty((k,) + cur.weight.shape[1:]).uniform_(-1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in))
            cur.bias[idx] = 0
            if w.dim() == 2:
                cols = (idx * P).repeat_interleave(P) + torch.arange(P).repeat(k)
                w[:, cols] = 0
            else:
                w[:, idx] = 0
            self.util[i][idx] = 0
            self.mean[i][idx] = 0
            self.age[i][idx] = 0
            self.replaced += k


def jvp(f, x, v, graph=True):
    """J v of f at x for each row (double-backward trick); with graph, differentiable with respect to f's parameters."""
    y = f(x)
    u = torch.zeros_like(y, requires_grad=True)
    g = torch.autograd.grad(y, x, u, create_graph=True)[0]
    return torch.autograd.grad(g, u, v, create_graph=graph)[0]


def unit(t):
    return t / t.flatten(1).norm(dim=1).clamp_min(1e-30).view(-1, *([1] * (t.dim() - 1)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=0)
    ap.add_argument('--images', type=int, default=1200)
    ap.add_argument('--batch', type=int, default=100)
    ap.add_argument('--rho', type=float, default=3e-3)
    ap.add_argument('--penalty-rows', type=int, default=0, help='CritL with the penalty on the first K rows of each batch (default batch / 10)')
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x = torch.rand(a.images, 3, 32, 32) * 2 - 1
    y = torch.randint(0, 2, (a.images,))

    k_rows = a.penalty_rows or max(1, round(a.batch / 10))

    def epoch(method, net, opt, gnt=None, cache=None, iters=2, rows=None):
        steps, t0 = 0, time.perf_counter()
        for s in range(0, a.images, a.batch):
            xb, yb = x[s:s + a.batch], y[s:s + a.batch]
            if method == 'critl':
                k = rows or len(xb)  # the penalty's rows: the batch, or its first k (the logits from all rows)
                xr = xb[:k].clone().requires_grad_(True)
                f = lambda z: net(z)[0]
                v = cache[s:s + k]
                for _ in range(iters):  # power iteration on J^T J, no graph kept
                    jv = jvp(f, xr, v, graph=False)
                    out = f(xr)
                    v = unit(torch.autograd.grad(out, xr, unit(jv))[0]).detach()
                cache[s:s + k] = v
                logits = f(xr) if k == len(xb) else f(xb)
                jv = jvp(f, xr, v)
                lam = torch.log(jv.norm(dim=1)) / 6
                loss = F.cross_entropy(logits, yb) + 0.1 * ((lam - 0) ** 2).mean()
            else:
                logits, hidden = net(xb)
                loss = F.cross_entropy(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if gnt:
                gnt.step([h.detach() for h in hidden])
            steps += 1
        return 1000 * (time.perf_counter() - t0) / steps

    def fresh():
        torch.manual_seed(1)
        net = ConvNet()
        return net, torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

    net, opt = fresh()
    epoch('bp', net, opt)  # warm-up
    net, opt = fresh()
    bp = epoch('bp', net, opt)
    net, opt = fresh()
    gnt = GnT(net, a.rho)
    cbp = epoch('cbp', net, opt, gnt)
    net, opt = fresh()
    cache = unit(torch.randn(a.images, 3, 32, 32))
    cold = epoch('critl', net, opt, cache=cache, iters=8)
    warm = epoch('critl', net, opt, cache=cache, iters=2)
    net, opt = fresh()
    cache = unit(torch.randn(a.images, 3, 32, 32))
    rows = epoch('critl', net, opt, cache=cache, iters=2, rows=k_rows)  # steady state: 2 steps per row, as crit's bench
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'images': a.images, 'batch': a.batch,
                      'bp_ms': round(bp, 2), 'cbp_ms': round(cbp, 2), 'cbp_replaced': gnt.replaced, 'critl_cold_ms': round(cold, 2), 'critl_ms': round(warm, 2),
                      'penalty_rows': k_rows, 'critl_rows_ms': round(rows, 2)}))


if __name__ == '__main__':
    main()
