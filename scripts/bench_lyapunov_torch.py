#!/usr/bin/env python3
"""Benchmark (not a test): Λ0 of one Fig. 1 network (N = 400, L = 1000, κ = κ_mf) in PyTorch on this CPU,
two ways:
  1. the paper's method: the full input-output Jacobian (torch.autograd.functional.jacobian, vectorised)
     and its SVD (torch.linalg.svdvals);
  2. power iteration on JᵀJ with stored g'(b) and per-layer renormalisation (one JVP and one VJP per step),
     for one network and for a batch of 32 networks: 4 weight draws x 8 couplings, computed as crit does,
     W_κ = κ U_seed, so one product U_seed [v_κ1 ... v_κ8] per seed and layer serves the 8 couplings
     (the 4 x 1000 stored layers take 2.6 GB; 32 separate nets would take 20 GB).
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


def power_iteration(ws, x, kappas=None, tol=1e-4, max_it=100):
    """ws: [S, L, N, N] stored layers of S weight draws; x: [S, N, C] inputs, column c scaled by kappas[c]
    (W = κ U). One network: S = C = 1. Stores g'(b) per layer, then JᵀJ steps with renormalisation per
    layer and column (log-norms summed in f64)."""
    t0 = time.perf_counter()
    S, L = ws.shape[0], ws.shape[1]
    k = torch.ones(x.shape[-1]) if kappas is None else torch.tensor(kappas, dtype=torch.float32)
    ds = []
    h = x
    for l in range(L):
        th = torch.tanh(B * k * torch.bmm(ws[:, l], h))
        ds.append(A * B * (1 - th * th))
        h = A * th
    norm = lambda v: v.norm(dim=1, keepdim=True)
    v = torch.randn_like(x)
    last = torch.full((S, x.shape[-1]), -math.inf, dtype=torch.float64)
    it = 0
    while it < max_it:
        it += 1
        logs = torch.zeros_like(last)
        v = v / norm(v)
        for l in range(L):
            v = ds[l] * k * torch.bmm(ws[:, l], v)
            n = norm(v)
            logs += torch.log(n.squeeze(1)).double()
            v = v / n
        gain, last = logs - last, logs
        if it > 1 and bool((gain <= tol).all()):
            break
        logs = torch.zeros_like(last)
        for l in range(L - 1, -1, -1):
            v = k * torch.bmm(ws[:, l].transpose(1, 2), ds[l] * v)
            n = norm(v)
            logs += torch.log(n.squeeze(1)).double()
            v = v / n
        gain, last = logs - last, logs
        if bool((gain <= tol).all()):
            break
    return {'seconds': time.perf_counter() - t0, 'iterations': it, 'logLambda0': last.flatten().tolist()}


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
    r = power_iteration(ws.unsqueeze(0), x.view(1, n, 1))
    out['power_iteration'] = {**r, 'logLambda0': r['logLambda0'][0]}
    del ws
    # 32 networks: 4 weight draws x 8 couplings (0.9..1.25 κ_mf), 8 columns per draw.
    seeds, per = 4, a.batch // 4
    wb = torch.stack([weights(n, depth, 1.0, gen) for _ in range(seeds)])
    xb = (torch.rand(seeds, n, 1, generator=gen) * 2e-3 - 1e-3).expand(seeds, n, per).contiguous()
    pb = power_iteration(wb, xb, kappas=[kappa * (0.9 + 0.05 * i) for i in range(per)])
    out['power_iteration_batch'] = {'networks': seeds * per, 'seconds': pb['seconds'], 'iterations': pb['iterations']}
    print(json.dumps(out, indent=1))


if __name__ == '__main__':
    main()
