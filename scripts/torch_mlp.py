"""The MLP with scaled tanh hidden units and its input-output Jacobian, written out in PyTorch for the golden
fixtures and benchmark twins beside this file. Parameters as a list [W1, b1, W2, b2, ...], W in torch's
[out, in] layout; every function is differentiable unless it says otherwise."""
import torch

A, B = 1.7159, 0.6666  # the scaled tanh g(x) = A tanh(B x)


def forward_with_slopes(ps, x):
    """Logits and the activation slopes g'(z) of the hidden layers."""
    layers = len(ps) // 2
    h, slopes = x, []
    for i in range(layers):
        z = h @ ps[2 * i].t() + ps[2 * i + 1]
        if i < layers - 1:
            t = torch.tanh(B * z)
            slopes.append(A * B * (1 - t * t))
            h = A * t
        else:
            h = z
    return h, slopes


def jv(ps, slopes, v):
    """J v per sample, v [batch, inputs]."""
    t = v
    for i in range(len(ps) // 2):
        t = t @ ps[2 * i].t()
        if i < len(slopes):
            t = t * slopes[i]
    return t


def jtu(ps, slopes, u):
    """Jᵀ u per sample, u [batch, outputs]."""
    g = u
    for i in reversed(range(len(ps) // 2)):
        if i < len(slopes):
            g = g * slopes[i]
        g = g @ ps[2 * i]
    return g


def jacobian_rows(ps, slopes):
    """J per sample [batch, outputs, inputs]: one backward sweep of the one-hot cotangents."""
    outputs = ps[-1].shape[0]
    return jtu_rows(ps, slopes, torch.eye(outputs, dtype=ps[0].dtype).expand(slopes[0].shape[0], outputs, outputs))


def jtu_rows(ps, slopes, g):
    for i in reversed(range(len(ps) // 2)):
        if i < len(slopes):
            g = g * slopes[i][:, None, :]
        g = g @ ps[2 * i]
    return g


def exact_vectors(ps, slopes):
    """Top right singular vectors of J per sample from the Gram matrix J Jᵀ (eigh), v = Jᵀu / |Jᵀu| (not differentiated)."""
    with torch.no_grad():
        rows = jacobian_rows(ps, [s.detach() for s in slopes])
        _, vecs = torch.linalg.eigh(rows @ rows.transpose(1, 2))
        return unit((vecs[:, :, -1:].transpose(1, 2) @ rows)[:, 0, :])


def exact_lambda0(ps, x):
    """lambda0 = log sigma_max(J) / layers per sample, from an SVD of the rows of J in f64 (not differentiated)."""
    with torch.no_grad():
        _, slopes = forward_with_slopes(ps, x)
        return torch.log(torch.linalg.svdvals(jacobian_rows(ps, slopes).double())[:, 0]) / (len(ps) // 2)


def unit(v):
    return v / v.norm(dim=1, keepdim=True)
