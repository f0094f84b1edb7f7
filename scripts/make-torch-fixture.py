#!/usr/bin/python3
"""Golden files from PyTorch for crit's tests (run with Debian's python3-torch: /usr/bin/python3).

A seeded 12-8-6-3 MLP with scaled tanh hidden units (torch.nn.Linear's default init, so biases are
non-zero), its weights as safetensors (written here by hand, following the format spec, since Debian
ships no `safetensors` package), six inputs as .npy and raw f32, and in JSON: the forward outputs and,
per input, the singular values of the input-output Jacobian (torch.autograd.functional.jacobian +
torch.linalg.svd, in f64) with lambda0 = log(s_max) / L, L = 3 layers.

    /usr/bin/python3 scripts/make-torch-fixture.py   # writes test/fixtures/torch/ and test/fixtures/io/

Every output is deterministic (seeded), so rerunning it leaves the committed files unchanged.
"""
import json
import math
import os
import struct

import numpy as np
import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures')
OUT = os.path.join(ROOT, 'torch')
IO = os.path.join(ROOT, 'io')
SIZES = [12, 8, 6, 3]
SEED = 1234
A, B = 1.7159, 0.6666


class ScaledTanh(torch.nn.Module):
    def forward(self, x):
        return A * torch.tanh(B * x)


def build():
    torch.manual_seed(SEED)
    layers = []
    for i in range(len(SIZES) - 1):
        layers.append(torch.nn.Linear(SIZES[i], SIZES[i + 1]))
        if i < len(SIZES) - 2:
            layers.append(ScaledTanh())
    return torch.nn.Sequential(*layers)


def write_safetensors(path, tensors, dtype):
    """tensors: list of (name, numpy array); dtype: 'F32' | 'F64' | 'F16'."""
    np_dtype = {'F32': '<f4', 'F64': '<f8', 'F16': '<f2'}[dtype]
    header, blobs, pos = {'__metadata__': {'format': 'pt', 'source': 'scripts/make-torch-fixture.py'}}, [], 0
    for name, arr in tensors:
        b = np.ascontiguousarray(arr.astype(np_dtype)).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(arr.shape), 'data_offsets': [pos, pos + len(b)]}
        blobs.append(b)
        pos += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(IO, exist_ok=True)
    model = build()
    state = model.state_dict()  # 0.weight, 0.bias, 2.weight, ...
    ours = []
    for k, name in enumerate([n for n in state if n.endswith('.weight')]):
        ours.append((f'W{k + 1}', state[name].numpy()))
        ours.append((f'b{k + 1}', state[name.replace('weight', 'bias')].numpy()))
    stem = 'mlp-12-8-6-3'
    write_safetensors(os.path.join(OUT, f'{stem}.safetensors'), ours, 'F32')
    write_safetensors(os.path.join(OUT, f'{stem}.torch-names.safetensors'), [(n, t.numpy()) for n, t in state.items()], 'F32')
    write_safetensors(os.path.join(OUT, f'{stem}.f64.safetensors'), ours, 'F64')
    write_safetensors(os.path.join(OUT, f'{stem}.f16.safetensors'), ours, 'F16')
    # The reference writer too, where the `safetensors` package is importable (not in Debian; e.g. a
    # venv with --system-site-packages and `pip install safetensors`): its header order and padding
    # differ from ours, which is the point. Without it the committed file is kept as it is.
    try:
        from safetensors.torch import save_file
        save_file({n: torch.from_numpy(a.copy()) for n, a in ours}, os.path.join(OUT, f'{stem}.reference-writer.safetensors'), metadata={'format': 'pt'})
    except ImportError:
        print('safetensors package not found: kept the committed', f'{stem}.reference-writer.safetensors')

    g = torch.Generator().manual_seed(SEED + 1)
    x = torch.rand(6, SIZES[0], generator=g) * 2 - 1  # f32 inputs in [-1, 1]
    np.save(os.path.join(OUT, 'inputs.npy'), x.numpy())
    x.numpy().astype('<f4').tofile(os.path.join(OUT, 'inputs.f32'))

    with torch.no_grad():
        out32 = model(x)
    m64 = build()
    m64.load_state_dict(state)
    m64 = m64.double()
    x64 = x.double()
    with torch.no_grad():
        out64 = m64(x64)
    L = len(SIZES) - 1
    jac = []
    for i in range(x.shape[0]):
        J = torch.autograd.functional.jacobian(lambda v: m64(v.unsqueeze(0)).squeeze(0), x64[i])
        s = torch.linalg.svd(J).S
        jac.append({'singular_values': s.tolist(), 'Lambda0': s[0].item(), 'lambda0': math.log(s[0].item()) / L,
                    'u0': torch.linalg.svd(J).U[:, 0].tolist(), 'v0': torch.linalg.svd(J).Vh[0].tolist()})

    golden = {
        'arch': 'mlp:12-8-6-3:scaled-tanh',
        'torch_version': torch.__version__,
        'seed': SEED,
        'layers': L,
        'init': 'torch.nn.Linear default (weights and biases U[-1/sqrt(fan_in), 1/sqrt(fan_in)])',
        'files': {'weights': f'{stem}.safetensors', 'torch_names': f'{stem}.torch-names.safetensors',
                  'f64': f'{stem}.f64.safetensors', 'f16': f'{stem}.f16.safetensors',
                  'reference_writer': f'{stem}.reference-writer.safetensors', 'inputs_npy': 'inputs.npy', 'inputs_raw_f32': 'inputs.f32'},
        'torch_names': {name: tname for (name, _), tname in zip(ours, state.keys())},
        'weights': {n: a.reshape(-1).tolist() for n, a in ours},
        'weights_f16': {n: a.astype('<f2').astype('<f8').reshape(-1).tolist() for n, a in ours},
        'inputs': x.tolist(),
        'outputs_f32': out32.tolist(),
        'outputs_f64': out64.tolist(),
        'jacobian': jac,
        'sigma_note': 'singular values of d output / d input in f64; lambda0 = log(s_max) / layers',
    }
    with open(os.path.join(OUT, f'{stem}.json'), 'w') as f:
        json.dump(golden, f, indent=1)

    # .npy variants numpy writes (for the reader): f64, big-endian f32, Fortran order, uint8, 3-d.
    xn = x.numpy()
    np.save(os.path.join(IO, 'x-f64.npy'), xn.astype('<f8'))
    np.save(os.path.join(IO, 'x-be-f32.npy'), xn.astype('>f4'))
    np.save(os.path.join(IO, 'x-fortran.npy'), np.asfortranarray(xn))
    np.save(os.path.join(IO, 'x-f16.npy'), xn.astype('<f2'))
    np.save(os.path.join(IO, 'u8-2x3x4.npy'), np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
    with open(os.path.join(IO, 'npy-expect.json'), 'w') as f:
        json.dump({'x': xn.astype('<f8').reshape(-1).tolist(), 'shape': list(xn.shape),
                   'x_f16': xn.astype('<f2').astype('<f8').reshape(-1).tolist()}, f)
    print('wrote', OUT, 'and', IO)


if __name__ == '__main__':
    main()
