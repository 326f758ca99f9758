"""PyTorch versions of chapter 04's models, for tools/bench/autoregressive (speed) and
tools/bench/autoregressive-quality (test NLL after the same training). Raster ordering.

FVSBN: nn.Linear(D, D) whose weight is masked to be strictly lower triangular.
NADE:  W (D, H) stored as the C code stores it (row v = the article's column W_{:,v}), c (H),
       V (D, H), b (D); every hidden pre-activation at once as an exclusive cumulative sum,
       a_d = c + sum_{k<d} x_k W_k over a (B, D, H) tensor: the vectorized recurrence.
MADE:  masked nn.Linear layers with ReLUs, degrees as in the article (hidden degrees uniform on
       {min of the previous layer, ..., D-1}, drawn from torch's generator).
Initialization as torch.nn.Linear (U(-1/sqrt(fan_in), 1/sqrt(fan_in))), as the C code."""
import numpy as np
import torch

nn = torch.nn
ROWS, D = 1437, 64


def load_digits(path="data/digits.csv"):
    d = np.loadtxt(path, delimiter=",", skiprows=1)
    x = (d[:, :-1] >= 8).astype(np.float64)
    return x[:ROWS], x[ROWS:]


class FVSBN(nn.Module):
    def __init__(self, D):
        super().__init__()
        self.lin = nn.Linear(D, D)
        self.register_buffer("mask", torch.tril(torch.ones(D, D), diagonal=-1))

    def forward(self, x):
        return nn.functional.linear(x, self.lin.weight * self.mask, self.lin.bias)


class NADE(nn.Module):
    def __init__(self, D, H):
        super().__init__()
        k, kv = 1 / D ** 0.5, 1 / H ** 0.5
        self.W = nn.Parameter(torch.empty(D, H).uniform_(-k, k))
        self.c = nn.Parameter(torch.empty(H).uniform_(-k, k))
        self.V = nn.Parameter(torch.empty(D, H).uniform_(-kv, kv))
        self.b = nn.Parameter(torch.empty(D).uniform_(-kv, kv))

    def forward(self, x):
        xw = x[:, :-1, None] * self.W[None, :-1]  # (B, D-1, H): x_k W_k, k < D-1
        a = torch.cat([torch.zeros_like(xw[:, :1]), torch.cumsum(xw, 1)], 1) + self.c
        return (torch.sigmoid(a) * self.V).sum(-1) + self.b


class MADE(nn.Module):
    def __init__(self, D, hidden, seed=1):
        super().__init__()
        g = torch.Generator().manual_seed(seed)
        sizes = [D] + list(hidden) + [D]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        deg = [torch.arange(1, D + 1)]
        for h in hidden:
            lo = int(deg[-1].min())
            deg.append(torch.randint(lo, D, (h,), generator=g))
        masks = [(deg[l + 1][:, None] >= deg[l][None]) for l in range(len(hidden))]
        masks.append(deg[0][:, None] > deg[-1][None])
        for i, m in enumerate(masks):
            self.register_buffer(f"mask{i}", m.double())
        self.n = len(masks)

    def forward(self, x):
        for i, lin in enumerate(self.layers):
            x = nn.functional.linear(x, lin.weight * getattr(self, f"mask{i}"), lin.bias)
            if i < self.n - 1:
                x = torch.relu(x)
        return x


def make(name, dtype):
    m = {"fvsbn": lambda: FVSBN(D), "nade": lambda: NADE(D, 64),
         "made": lambda: MADE(D, [256])}[name]()
    return m.to(dtype)


def nll(model, x):
    """Mean exact -log p(x) over the rows, nats."""
    z = model(x)
    return nn.functional.binary_cross_entropy_with_logits(z, x, reduction="sum") / x.shape[0]


def epoch(model, opt, X, batch=64):
    perm = torch.randperm(X.shape[0])
    for i in range(0, X.shape[0], batch):
        xb = X[perm[i:i + batch]]
        opt.zero_grad()
        loss = nll(model, xb)
        loss.backward()
        opt.step()
