#!/usr/bin/env python3
"""Benchmark (not a test): Λ0 of one Fig. 1 network (N = 400, L = 1000, κ = κ_mf) in PyTorch on this CPU,
two ways:
  1. the paper's method: the full input-output Jacobian (torch.autograd.functional.jacobian, vectorised)
     and its SVD (torch.linalg.svdvals);
  2. power iteration on JᵀJ with stored g'(b) and per-layer renormalisation (one JVP and one VJP per step),
     for one network and for a batch of 32 (κ, seed) networks (torch.bmm).
Compare with `crit lyapunov` (docs/criticality.md). Needs Debian's python3-torch (apt-get install
python3-torch); run with /usr/bin/python3. Prints one JSON object.

  /usr/bin/python3 scripts/bench_lyapunov_torch.py [--width 400] [--depth 1000] [--threads 2] [--batch 32]
"""
import argparse
import json
import math
import time

import torch

A, B = 1.7159, 0.6666


def mean_field_kappa(n):
    return math.sqrt(3 / n) / (0.05 * A * B)


def weights(n, depth, kappa, gen):
    """All layers of one network, stored ([L, N, N]: 640 MB at N = 400, L = 1000)."""
    return (torch.rand((depth, n, n), generator=gen, dtype=torch.float32) * 0.1 - 0.05) * kappa


class ProceduralLayers:
    """The weights of a batch of networks, regenerated layer by layer from a seeded generator on every pass
    (32 x 1000 stored layers of 400 x 400 would need 20 GB), as crit generates them inside its kernels."""

    def __init__(self, n, depth, kappas, seed):
        self.n, self.depth, self.seed = n, depth, seed
        self.k = torch.tensor(kappas, dtype=torch.float32).view(-1, 1, 1)

    def __len__(self):
        return self.depth

    def __getitem__(self, layer):
        g = torch.Generator().manual_seed(self.seed * 100003 + layer)
        return (torch.rand((len(self.k), self.n, self.n), generator=g) * 0.1 - 0.05) * self.k

    def __iter__(self):
        return (self[l] for l in range(self.depth))

    def __reversed__(self):
        return (self[l] for l in range(self.depth - 1, -1, -1))


def forward(ws, x):
    for w in ws:
        x = A * torch.tanh(B * (w @ x))
    return x


def paper_method(ws, x):
    """Full Jacobian (vectorised reverse mode) and SVD, as the paper did."""
    t0 = time.perf_counter()
    jac = torch.autograd.functional.jacobian(lambda v: forward(ws, v), x, vectorize=True)
    t1 = time.perf_counter()
    s = torch.linalg.svdvals(jac.double())
    t2 = time.perf_counter()
    return {'seconds': t2 - t0, 'jacobian_seconds': t1 - t0, 'svd_seconds': t2 - t1, 'logLambda0': math.log(s[0].item())}


def power_iteration(ws, x, tol=1e-4, max_it=100):
    """ws: L layers of [(batch,) N, N]; x: [(batch,) N]. Stores g'(b) per layer, then JᵀJ steps with
    renormalisation per layer (log-norms summed in f64)."""
    t0 = time.perf_counter()
    batched = x.dim() == 2
    mv = (lambda w, v: torch.bmm(w, v.unsqueeze(-1)).squeeze(-1)) if batched else (lambda w, v: w @ v)
    mtv = (lambda w, v: torch.bmm(w.transpose(1, 2), v.unsqueeze(-1)).squeeze(-1)) if batched else (lambda w, v: w.T @ v)
    ds = []
    h = x
    for w in ws:
        th = torch.tanh(B * mv(w, h))
        ds.append(A * B * (1 - th * th))
        h = A * th
    norm = lambda v: v.norm(dim=-1, keepdim=True)
    v = torch.randn_like(x)
    last = torch.full(x.shape[:-1], -math.inf, dtype=torch.float64)
    it = 0
    while it < max_it:
        it += 1
        logs = torch.zeros_like(last)
        v = v / norm(v)
        for w, d in zip(ws, ds):
            v = d * mv(w, v)
            n = norm(v)
            logs += torch.log(n.squeeze(-1)).double()
            v = v / n
        gain_f = logs - last
        last = logs
        if it > 1 and bool((gain_f <= tol).all()):
            break
        logs = torch.zeros_like(last)
        for w, d in zip(reversed(ws), reversed(ds)):  # noqa: B020
            v = mtv(w, d * v)
            n = norm(v)
            logs += torch.log(n.squeeze(-1)).double()
            v = v / n
        gain_b = logs - last
        last = logs
        if bool((gain_b <= tol).all()):
            break
    return {'seconds': time.perf_counter() - t0, 'iterations': it, 'logLambda0': last.tolist() if batched else last.item()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--width', type=int, default=400)
    ap.add_argument('--depth', type=int, default=1000)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    gen = torch.Generator().manual_seed(a.seed)
    n, depth = a.width, a.depth
    kappa = mean_field_kappa(n)
    ws = weights(n, depth, kappa, gen)
    x = torch.rand(n, generator=gen) * 2e-3 - 1e-3
    out = {'torch': torch.__version__, 'threads': a.threads, 'width': n, 'depth': depth, 'kappa': kappa}
    out['paper_method'] = paper_method(ws, x)
    out['power_iteration'] = power_iteration(ws, x)
    # 32 networks: 8 couplings x 4 weight draws, in one bmm per layer.
    kap = [kappa * (0.9 + 0.05 * (i % 8)) for i in range(a.batch)]
    wb = ProceduralLayers(n, depth, kap, a.seed + 1)
    xb = torch.rand(a.batch, n, generator=gen) * 2e-3 - 1e-3
    pb = power_iteration(wb, xb)
    out['power_iteration_batch'] = {'networks': a.batch, 'seconds': pb['seconds'], 'iterations': pb['iterations']}
    print(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
