#!/usr/bin/python3
"""Parity of chapter 03 (bin/vae) with PyTorch float64: the same weights and the same noise give
the same loss (recon + KL, nats per example averaged over the batch) and the same gradients.

For each model -- the Gaussian VAE (reparameterized, noise eps ~ N(0, I)), the Gumbel-softmax VAE
relaxed, and straight-through (noise g ~ Gumbel(0, 1), temperature 0.7) -- builds the torch
module of chapters/03-vae/gauss.h or cat.h in float64 with random weights, writes them as a
checkpoint directory (<tensor>.npy and hparams.txt), writes a batch (X.npy binary pixels,
noise.npy), runs `$CM_BIN_DIR/vae grad --load CKPT --batch BATCH --out OUT`, and compares
loss.npy, recon.npy, kl.npy (relative error <= 1e-10) and every <tensor>.npy gradient (max abs
difference over max abs value <= 1e-8) with torch.autograd. Prints PASS/FAIL lines; exit 1 on a
failure, 77 when numpy or torch is missing."""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError:
    print("MISSING torch: install python3-torch")
    sys.exit(77)

TOL_LOSS, TOL_GRAD = 1e-10, 1e-8
BIN = os.environ.get("CM_BIN_DIR", "bin")
D, H, L, N, K, B, TAU = 64, 48, 3, 4, 5, 13, 0.7


class Gauss(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = torch.nn.Linear(D, H)
        self.enc_mu = torch.nn.Linear(H, L)
        self.enc_logvar = torch.nn.Linear(H, L)
        self.dec = torch.nn.Linear(L, H)
        self.dec_out = torch.nn.Linear(H, D)

    def loss(self, x, eps):
        h = F.relu(self.enc(x))
        mu, logvar = self.enc_mu(h), self.enc_logvar(h)
        z = mu + torch.exp(0.5 * logvar) * eps  # the reparameterized sample
        logits = self.dec_out(F.relu(self.dec(z)))
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
        kl = -0.5 * torch.sum(1 + logvar - mu * mu - logvar.exp()) / x.shape[0]
        return recon + kl, recon, kl


class Cat(torch.nn.Module):
    def __init__(self, hard):
        super().__init__()
        self.hard = hard
        self.enc = torch.nn.Linear(D, H)
        self.enc_logits = torch.nn.Linear(H, N * K)
        self.dec = torch.nn.Linear(N * K, H)
        self.dec_out = torch.nn.Linear(H, D)

    def loss(self, x, g):
        alpha = self.enc_logits(F.relu(self.enc(x))).view(-1, N, K)
        y = torch.softmax((alpha + g.view(-1, N, K)) / TAU, dim=-1)  # Gumbel-softmax
        if self.hard:  # straight-through: one-hot forward, the relaxed sample's gradient
            y_hard = F.one_hot(y.argmax(dim=-1), K).to(y.dtype)
            y = y_hard - y.detach() + y
        logits = self.dec_out(F.relu(self.dec(y.view(-1, N * K))))
        recon = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
        logq = torch.log_softmax(alpha, dim=-1)
        kl = torch.sum(logq.exp() * (logq + np.log(K))) / x.shape[0]
        return recon + kl, recon, kl


def rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def run_case(name, model, hparams, noise, X, tmp):
    ckpt, batch, out = (os.path.join(tmp, name + s) for s in ("_ckpt", "_batch", "_out"))
    os.makedirs(ckpt)
    os.makedirs(batch)
    for n, p in model.named_parameters():
        np.save(os.path.join(ckpt, n + ".npy"), p.detach().numpy())
    with open(os.path.join(ckpt, "hparams.txt"), "w") as f:
        f.write("".join(f"{k} = {v}\n" for k, v in hparams.items()))
    np.save(os.path.join(batch, "X.npy"), X.numpy())
    np.save(os.path.join(batch, "noise.npy"), noise.numpy())
    cmd = [os.path.join(BIN, "vae"), "grad", "--load", ckpt, "--batch", batch, "--out", out,
           "--quiet"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAIL {name}: vae grad exit {r.returncode}: {r.stderr.strip()}")
        return 1
    model.zero_grad()
    loss, recon, kl = model.loss(X, noise)
    loss.backward()
    failed = 0
    for key, want in (("loss", loss), ("recon", recon), ("kl", kl)):
        got = float(np.load(os.path.join(out, key + ".npy")))
        err = abs(got - want.item()) / max(abs(want.item()), 1e-300)
        ok = err <= TOL_LOSS
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {name} {key}: C {got:.17g} torch {want.item():.17g} "
              f"rel err {err:.3g} (tolerance {TOL_LOSS:g})")
    for n, p in model.named_parameters():
        err = rel(np.load(os.path.join(out, n + ".npy")), p.grad.numpy())
        ok = err <= TOL_GRAD
        failed += not ok
        print(f"{'PASS' if ok else 'FAIL'} {name} d{n} {tuple(p.shape)}: max rel err {err:.3g} "
              f"(tolerance {TOL_GRAD:g})")
    return failed


def main():
    torch.manual_seed(20240601)
    X = (torch.rand(B, D, dtype=torch.float64) < 0.4).to(torch.float64)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        g = Gauss().double()
        with torch.no_grad():  # high-entropy weights, larger than the default init
            for p in g.parameters():
                p.uniform_(-0.3, 0.3)
        eps = torch.randn(B, L, dtype=torch.float64)
        failed += run_case("gauss", g, {"model": "gauss", "in_features": D, "hidden": H,
                                        "latent": L}, eps, X, tmp)
        for hard in (0, 1):
            c = Cat(hard).double()
            with torch.no_grad():
                for p in c.parameters():
                    p.uniform_(-0.3, 0.3)
            u = torch.rand(B, N * K, dtype=torch.float64)
            gumbel = -torch.log(-torch.log(u))
            hp = {"model": "cat", "in_features": D, "hidden": H, "nvars": N, "ncats": K,
                  "hard": hard, "tau": TAU}
            failed += run_case("gumbel_st" if hard else "gumbel", c, hp, gumbel, X, tmp)
    print(f"vae parity: {'FAIL' if failed else 'PASS'} ({failed} failed)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
