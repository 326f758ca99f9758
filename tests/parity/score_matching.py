#!/usr/bin/python3
"""Parity of chapter 05 (bin/score-matching) with PyTorch (float64): the score model and the
three objectives, losses and every parameter gradient.

Builds the score MLP in torch, nn.Sequential(fc1=Linear(3, H), SiLU, fc2=Linear(H, H), SiLU,
fc3=Linear(H, 2)) with s(x, sigma) = fc3(...)(x, log sigma) / sigma, gives it random weights,
writes them as a checkpoint directory (fc1.weight.npy ... and hparams.txt with the keys
`score-matching grad` reads: hidden, sigmas) and a batch (x.npy (B, 2), sigma.npy (B), z.npy
(B, 2), v.npy (B, 2), all float64), runs `$CM_BIN_DIR/score-matching grad --objective OBJ` for
each objective and compares loss.npy, score.npy and <tensor>.npy with torch to 1e-10 relative
(max |C - torch| / max |torch| per tensor):

  dsm  1/B sum sigma^2/2 ||s(x~) + (x~ - x)/sigma^2||^2, x~ = x + sigma z     (autograd)
  esm  1/B sum sigma^2 (tr ds/dx~ + 1/2 ||s||^2), the trace by autograd.grad with
       create_graph=True, then backward through it: autograd's double backward
  ssm  1/B sum sigma^2 (v . (ds/dx~) v + 1/2 (v . s)^2), the same way

Prints PASS/FAIL lines; exit 1 on a failure, 77 if numpy or torch is missing."""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
except ImportError:
    print("MISSING torch: install python3-torch and python3-numpy")
    sys.exit(77)

TOL = 1e-10
BIN = os.environ.get("CM_BIN_DIR", "bin")
H, B = 24, 37
SIGMAS = [6.0 * (0.05 / 6.0) ** (i / 9) for i in range(10)]


def build_model():
    torch.manual_seed(20240601)
    model = torch.nn.Sequential()
    model.add_module("fc1", torch.nn.Linear(3, H))
    model.add_module("act1", torch.nn.SiLU())
    model.add_module("fc2", torch.nn.Linear(H, H))
    model.add_module("act2", torch.nn.SiLU())
    model.add_module("fc3", torch.nn.Linear(H, 2))
    model = model.double()
    with torch.no_grad():  # high-entropy weights, larger than the default init
        for p in model.parameters():
            p.uniform_(-0.6, 0.6)
    return model


def torch_loss(model, obj, x, sigma, z, v):
    """The objective as the chapter defines it, in its sigma^2-weighted form (objectives.h)."""
    xt = (x + sigma[:, None] * z).requires_grad_(obj != "dsm")
    u = torch.cat([xt, torch.log(sigma)[:, None]], 1)
    s = model(u) / sigma[:, None]
    w = sigma ** 2
    if obj == "dsm":
        target = -(xt - x) / sigma[:, None] ** 2  # grad log N(x~; x, sigma^2 I)
        per = 0.5 * w * ((s - target) ** 2).sum(1)
    elif obj == "esm":
        tr = 0
        for k in range(2):  # d s_k / d x~_k for every row: the rows are independent
            g = torch.autograd.grad(s[:, k].sum(), xt, create_graph=True)[0]
            tr = tr + g[:, k]
        per = w * (tr + 0.5 * (s ** 2).sum(1))
    else:
        g = torch.autograd.grad((s * v).sum(), xt, create_graph=True)[0]  # rows of J^T v
        per = w * ((g * v).sum(1) + 0.5 * (s * v).sum(1) ** 2)
    return per.mean(), s


def main():
    model = build_model()
    g = torch.Generator().manual_seed(7)
    x = torch.randn(B, 2, generator=g, dtype=torch.float64) * 2.5
    sigma = torch.tensor(SIGMAS, dtype=torch.float64)[torch.randint(0, 10, (B,), generator=g)]
    z = torch.randn(B, 2, generator=g, dtype=torch.float64)
    v = torch.randn(B, 2, generator=g, dtype=torch.float64)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        ckpt, batch = os.path.join(tmp, "ckpt"), os.path.join(tmp, "batch")
        os.makedirs(ckpt)
        os.makedirs(batch)
        for name, p in model.named_parameters():
            np.save(os.path.join(ckpt, name + ".npy"), p.detach().numpy())
        with open(os.path.join(ckpt, "hparams.txt"), "w") as f:
            f.write(f"model = score_mlp\nhidden = {H}\n"
                    f"sigmas = {','.join(repr(s) for s in SIGMAS)}\n")
        for name, t in (("x", x), ("sigma", sigma), ("z", z), ("v", v)):
            np.save(os.path.join(batch, name + ".npy"), t.numpy())
        for obj in ("dsm", "esm", "ssm"):
            out = os.path.join(tmp, "out_" + obj)
            cmd = [os.path.join(BIN, "score-matching"), "grad", "--objective", obj, "--load", ckpt,
                   "--batch", batch, "--out", out, "--quiet"]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL score-matching grad --objective {obj}: exit {r.returncode}: "
                      f"{r.stderr.strip()}")
                failed += 1
                continue
            model.zero_grad()
            loss, s = torch_loss(model, obj, x, sigma, z, v)
            loss.backward()
            pairs = [("loss", loss.detach().numpy()), ("score", s.detach().numpy())]
            pairs += [(n, p.grad.numpy()) for n, p in model.named_parameters()]
            for name, want in pairs:
                got = np.load(os.path.join(out, name + ".npy"))
                if got.shape != want.shape:
                    print(f"FAIL {obj} {name}: shape {got.shape}, torch {want.shape}")
                    failed += 1
                    continue
                err = np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-300)
                ok = err <= TOL and np.all(np.isfinite(got))
                failed += not ok
                extra = f" (C {float(got):.17g}, torch {float(want):.17g})" if name == "loss" else ""
                print(f"{'PASS' if ok else 'FAIL'} {obj} {name} {tuple(want.shape)}: "
                      f"max rel err {err:.3g} (tolerance {TOL:g}){extra}")
    print(f"score-matching parity: {'FAIL' if failed else 'PASS'} ({failed} failed)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
