#!/usr/bin/python3
"""Parity of chapter 04 (bin/autoregressive) with PyTorch float64: FVSBN, NADE and MADE with the
same weights give the same exact log-likelihoods (1e-10 relative, row by row) and the same gradients
(1e-8 relative to the tensor's largest entry).

For each model: random weights (numpy, seeded) written as a checkpoint directory (one .npy per
tensor, hparams.txt with the keys `autoregressive grad` reads), a batch of 37 binarized digits
(X.npy, rows of data/digits.csv), then `$CM_BIN_DIR/autoregressive grad --load CKPT --batch
BATCH --out OUT`, which writes logp.npy (log p(x) per row), loss.npy (mean -log p(x) under
ordering 0) and the gradient of every tensor. The torch side is written independently of the C
code's shortcuts:
  FVSBN  nn.functional.linear with the weight masked to pos[u] < pos[v];
  NADE   the recurrence a_{d+1} = a_d + W_{:,o_d} x_{o_d} as a Python loop over the steps in the
         ordering (autograd does the backward pass);
  MADE   masked linear layers with ReLUs, using the masks the C program wrote (mask.k.l.npy), and
         first checking that those masks are autoregressive: the product of the layers' masks
         connects input u to output v only when u comes before v in ordering k. With 3
         orderings, log p(x) is the mixture's log((1/3) sum_k p_k(x)).
Prints one PASS/FAIL line per comparison; exit 1 on a failure, 77 if numpy or torch is missing."""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
except ImportError:
    print("MISSING torch: install python3-numpy python3-torch")
    sys.exit(77)

TOL_LOGP, TOL_GRAD = 1e-10, 1e-8
BIN = os.environ.get("CM_BIN_DIR", "bin")
D, B = 64, 37
failed = 0


def report(name, err, tol):
    global failed
    ok = err <= tol
    failed += not ok
    print(f"{'PASS' if ok else 'FAIL'} {name}: max rel err {err:.3g} (tolerance {tol:g})")


def rel_err(got, want):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return float("inf")
    return float(np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-300))


def run_grad(tmp, name, tensors, hparams, X):
    ckpt, batch, out = (os.path.join(tmp, name + s) for s in ("_ckpt", "_batch", "_out"))
    os.makedirs(ckpt)
    os.makedirs(batch)
    for t, v in tensors.items():
        np.save(os.path.join(ckpt, t + ".npy"), v)
    with open(os.path.join(ckpt, "hparams.txt"), "w") as f:
        f.writelines(f"{k} = {v}\n" for k, v in hparams.items())
    np.save(os.path.join(batch, "X.npy"), X)
    cmd = [os.path.join(BIN, "autoregressive"), "grad", "--load", ckpt, "--batch", batch,
           "--out", out, "--quiet"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAIL {name}: {' '.join(cmd)} exited {r.returncode}: {r.stderr.strip()}")
        return None
    return lambda n: np.load(os.path.join(out, n + ".npy"))


def rel_err_each(got, want):
    """The largest relative error of any single entry (for log p(x), one number per row)."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return float("inf")
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-300)))


def bern_logp(z, x):
    """log p(x) per row: -sum of binary cross-entropies with logits."""
    return -torch.nn.functional.binary_cross_entropy_with_logits(z, x, reduction="none").sum(1)


def compare(name, c, logp, loss, params, logits=None):
    report(f"{name} log p(x) per row {tuple(logp.shape)}", rel_err_each(c("logp"), logp.detach()),
           TOL_LOGP)
    if logits is not None:
        report(f"{name} logits {tuple(logits.shape)}", rel_err(c("logits"), logits.detach()),
               TOL_LOGP)
    report(f"{name} loss", rel_err(c("loss"), loss.detach()), TOL_LOGP)
    loss.backward()
    for t, p in params.items():
        report(f"{name} grad {t} {tuple(p.shape)}", rel_err(c(t), p.grad), TOL_GRAD)


def fvsbn(tmp, rng, X, order):
    pos = np.argsort(order)
    mask = (pos[None, :] < pos[:, None]).astype(np.float64)
    W = rng.uniform(-0.6, 0.6, (D, D)) * mask
    b = rng.uniform(-1, 1, D)
    hp = {"model": "fvsbn", "D": D, "hidden": "none", "orderings": 1, "mask_seed": 0,
          "ordering": ",".join(map(str, order))}
    c = run_grad(tmp, "fvsbn", {"weight": W, "bias": b}, hp, X)
    if c is None:
        return 1
    Wt, bt = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
    x = torch.tensor(X)
    z = torch.nn.functional.linear(x, Wt * torch.tensor(mask), bt)
    logp = bern_logp(z, x)
    compare("fvsbn", c, logp, -logp.mean(), {"weight": Wt, "bias": bt})
    return 0


def nade(tmp, rng, X, order, H=32):
    W = rng.uniform(-0.5, 0.5, (D, H))  # row v: the article's column W_{:,v}
    c_ = rng.uniform(-0.5, 0.5, H)
    V = rng.uniform(-0.8, 0.8, (D, H))
    b = rng.uniform(-1, 1, D)
    hp = {"model": "nade", "D": D, "hidden": H, "orderings": 1, "mask_seed": 0,
          "ordering": ",".join(map(str, order))}
    c = run_grad(tmp, "nade", {"W": W, "c": c_, "V": V, "b": b}, hp, X)
    if c is None:
        return 1
    Wt, ct, Vt, bt = (torch.tensor(a, requires_grad=True) for a in (W, c_, V, b))
    x = torch.tensor(X)
    a = ct.expand(B, H)  # a_1 = c
    logp = torch.zeros(B, dtype=torch.float64)
    zs = [None] * D
    for d in range(D):
        v = int(order[d])
        h = torch.sigmoid(a)
        z = zs[v] = bt[v] + h @ Vt[v]  # logit of x_{o_d}
        logp = logp - torch.nn.functional.binary_cross_entropy_with_logits(
            z, x[:, v], reduction="none")
        a = a + x[:, v:v + 1] * Wt[v]  # a_{d+1} = a_d + W_{:,o_d} x_{o_d}
    compare("nade", c, logp, -logp.mean(), {"W": Wt, "c": ct, "V": Vt, "b": bt},
            torch.stack(zs, 1))
    return 0


def made(tmp, rng, X, hidden=(48, 40), K=3):
    sizes = [D, *hidden, D]
    tensors = {}
    for l in range(len(sizes) - 1):
        k = 1 / np.sqrt(sizes[l])
        tensors[f"layers.{l}.weight"] = rng.uniform(-2 * k, 2 * k, (sizes[l + 1], sizes[l]))
        tensors[f"layers.{l}.bias"] = rng.uniform(-k, k, sizes[l + 1])
    hp = {"model": "made", "D": D, "hidden": ",".join(map(str, hidden)), "orderings": K,
          "mask_seed": 12345, "ordering": "identity"}
    c = run_grad(tmp, "made", tensors, hp, X)
    if c is None:
        return 1
    global failed
    orders = c("orderings").astype(np.int64)
    L = len(sizes) - 1
    masks = [[c(f"mask.{k}.{l}") for l in range(L)] for k in range(K)]
    ok = orders.shape == (K, D) and all(sorted(o) == list(range(D)) for o in orders)
    ok = ok and list(orders[0]) == list(range(D))
    for k in range(K):  # the autoregressive property, from the masks alone
        reach = masks[k][0]
        for l in range(1, L):
            reach = masks[k][l] @ reach  # (D out, D in): paths from input u to output v
        pos = np.argsort(orders[k])
        allowed = pos[None, :] < pos[:, None]
        ok = ok and not np.any((reach > 0) & ~allowed) and np.any(reach > 0)
    failed += not ok
    print(f"{'PASS' if ok else 'FAIL'} made masks: {K} orderings (ordering 0 raster), each "
          f"connecting input u to output v only when u comes first")
    params = {n: torch.tensor(v, requires_grad=True) for n, v in tensors.items()}
    x = torch.tensor(X)

    def logits(k):
        h = x
        for l in range(L):
            h = torch.nn.functional.linear(h, params[f"layers.{l}.weight"] *
                                           torch.tensor(masks[k][l]), params[f"layers.{l}.bias"])
            if l < L - 1:
                h = torch.relu(h)
        return h

    with torch.no_grad():
        lpk = torch.stack([bern_logp(logits(k), x) for k in range(K)])
        logp_mix = torch.logsumexp(lpk, 0) - np.log(K)
    report(f"made log p(x) per row, mixture of {K} orderings", rel_err_each(c("logp"), logp_mix),
           TOL_LOGP)
    lp0 = bern_logp(logits(0), x)
    loss = -lp0.mean()
    report("made loss (ordering 0)", rel_err(c("loss"), loss.detach()), TOL_LOGP)
    loss.backward()
    for n, p in params.items():
        report(f"made grad {n} {tuple(p.shape)}", rel_err(c(n), p.grad), TOL_GRAD)
    return 0


def main():
    rng = np.random.default_rng(20240601)
    data = np.loadtxt("data/digits.csv", delimiter=",", skiprows=1)
    X = (data[rng.choice(len(data), B, replace=False), :-1] >= 8).astype(np.float64)
    order = rng.permutation(D)
    with tempfile.TemporaryDirectory(prefix="cm-parity-ar-") as tmp:
        bad = fvsbn(tmp, rng, X, order) + nade(tmp, rng, X, order) + made(tmp, rng, X)
    total = failed + bad
    print(f"autoregressive parity: {'FAIL' if total else 'PASS'} ({total} failed)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
