#!/usr/bin/python3
"""Parity of chapter 00 (bin/neuron) with PyTorch: the MLP's loss and every gradient.

Builds nn.Sequential(fc1=Linear(D, H), relu, fc2=Linear(H, K)) in float64 with random weights,
writes them as a checkpoint directory (fc1.weight.npy ... and hparams.txt with the keys
`neuron grad` reads: model, in_features, hidden, out_features) and a batch (X.npy float64 (B, D),
y.npy int64 (B)), runs `$CM_BIN_DIR/neuron grad --load CKPT --batch BATCH --out OUT` for the
cross-entropy and for the smooth-accuracy loss, and compares loss.npy and <tensor>.npy with
torch.autograd to 1e-10 relative. Prints PASS/FAIL lines; exit 1 on a failure, 77 if torch is
missing."""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
except ImportError:
    print("MISSING torch: install python3-torch")
    sys.exit(77)

TOL = 1e-10
BIN = os.environ.get("CM_BIN_DIR", "bin")


def main():
    torch.manual_seed(20240601)
    D, H, K, B = 64, 32, 10, 17
    model = torch.nn.Sequential()
    model.add_module("fc1", torch.nn.Linear(D, H))
    model.add_module("relu", torch.nn.ReLU())
    model.add_module("fc2", torch.nn.Linear(H, K))
    model = model.double()
    with torch.no_grad():  # high-entropy weights, larger than the default init
        for p in model.parameters():
            p.uniform_(-0.7, 0.7)
    X = torch.rand(B, D, dtype=torch.float64) * 2 - 0.5
    y = torch.randint(0, K, (B,), dtype=torch.int64)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        ckpt, batch = os.path.join(tmp, "ckpt"), os.path.join(tmp, "batch")
        os.makedirs(ckpt)
        os.makedirs(batch)
        for name, p in model.named_parameters():
            np.save(os.path.join(ckpt, name + ".npy"), p.detach().numpy())
        with open(os.path.join(ckpt, "hparams.txt"), "w") as f:
            f.write(f"model = mlp\nin_features = {D}\nhidden = {H}\nout_features = {K}\n")
        np.save(os.path.join(batch, "X.npy"), X.numpy())
        np.save(os.path.join(batch, "y.npy"), y.numpy())
        for loss_name in ("ce", "smooth"):
            out = os.path.join(tmp, "out_" + loss_name)
            cmd = [os.path.join(BIN, "neuron"), "grad", "--load", ckpt, "--batch", batch,
                   "--out", out, "--loss", loss_name, "--quiet"]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                print(f"FAIL neuron grad --loss {loss_name}: exit {r.returncode}: {r.stderr.strip()}")
                failed += 1
                continue
            model.zero_grad()
            z = model(X)
            if loss_name == "ce":
                loss = torch.nn.functional.cross_entropy(z, y)
            else:  # 1 - mean softmax(z)[y]: the smooth surrogate of accuracy
                loss = 1 - torch.softmax(z, dim=1).gather(1, y[:, None]).mean()
            loss.backward()
            pairs = [("loss", loss.detach().numpy())]
            pairs += [(n, p.grad.numpy()) for n, p in model.named_parameters()]
            for name, want in pairs:
                got = np.load(os.path.join(out, name + ".npy"))
                if got.shape != want.shape:
                    print(f"FAIL {loss_name} {name}: shape {got.shape}, torch {want.shape}")
                    failed += 1
                    continue
                err = np.max(np.abs(got - want)) / max(np.max(np.abs(want)), 1e-300)
                ok = err <= TOL
                failed += not ok
                print(f"{'PASS' if ok else 'FAIL'} {loss_name} {name} {tuple(want.shape)}: "
                      f"max rel err {err:.3g} (tolerance {TOL:g})")
    print(f"neuron parity: {'FAIL' if failed else 'PASS'} ({failed} failed)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
