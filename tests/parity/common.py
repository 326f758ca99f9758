"""Parity of common/softmax.c with torch (float64), and of common/npy.c with numpy.

Writes random logits (with some rows of +-1000), labels and targets with np.save, runs
$CM_BUILD_DIR/tests/parity/parity_common (default build/tests/parity/parity_common) on them,
and compares what it writes with torch.softmax, torch.log_softmax, F.cross_entropy and
F.binary_cross_entropy_with_logits (values, and gradients through autograd) to 1e-12 relative.
Also checks that np.load reads a C-written .npy unchanged (shape, float64, bit-exact values).

Prints one line per check, `PASS name (max rel err X)` or `FAIL ...`; exits 1 on any failure,
77 when numpy or torch is missing. Run with /usr/bin/python3 (the Debian packages).
"""
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("MISSING numpy: install python3-numpy")
    sys.exit(77)
try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print("MISSING torch: install python3-torch")
    sys.exit(77)

TOL = 1e-12
SEED = 20240521
B, K = 64, 7


def make_inputs(rng):
    """Logits N(0, 2.5^2) with rows that stress the log-sum-exp: alternating +-1000, all
    +1000, all -1000, one +1000 among ordinary values, one -1000 among ordinary values."""
    logits = rng.normal(0.0, 2.5, size=(B, K))
    logits[0] = [1000.0 if k % 2 == 0 else -1000.0 for k in range(K)]
    logits[1] = 1000.0
    logits[2] = -1000.0
    logits[3, 3] = 1000.0
    logits[4, 2] = -1000.0
    labels = rng.integers(0, K, size=B).astype(np.int64)
    labels[0] = 1  # the label on a -1000 logit: a loss of about 2000
    labels[4] = 2
    targets = rng.uniform(0.0, 1.0, size=(B, K))
    targets[0, :4] = [0.0, 1.0, 1.0, 0.0]  # exact 0/1 targets on +-1000 logits
    return logits, labels, targets


def max_rel_err(c, t):
    """max |c - t| / max(|c|, |t|) over entries; 0 where both are equal (zeros included)."""
    c = np.asarray(c, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    if c.shape != t.shape:
        return float("inf")
    if not (np.all(np.isfinite(c)) and np.all(np.isfinite(t))):
        return float("inf")
    diff = np.abs(c - t)
    scale = np.maximum(np.abs(c), np.abs(t))
    rel = np.where(diff == 0, 0.0, diff / np.where(scale == 0, 1.0, scale))
    return float(rel.max()) if rel.size else 0.0


def main():
    build = os.environ.get("CM_BUILD_DIR", "build")
    prog = os.path.join(build, "tests", "parity", "parity_common")
    if not os.access(prog, os.X_OK):
        print(f"FAIL parity_common: {prog} not built (make all)")
        return 1
    rng = np.random.default_rng(SEED)
    logits, labels, targets = make_inputs(rng)
    failures = 0

    def check(name, err, detail=""):
        nonlocal failures
        ok = err <= TOL
        failures += not ok
        print(f"{'PASS' if ok else 'FAIL'} {name} (max rel err {err:.3g}){detail}")

    with tempfile.TemporaryDirectory(prefix="cm-parity-common-") as tmp:
        indir, outdir = os.path.join(tmp, "in"), os.path.join(tmp, "out")
        os.makedirs(indir)
        os.makedirs(outdir)
        np.save(os.path.join(indir, "logits.npy"), logits)
        np.save(os.path.join(indir, "labels.npy"), labels)
        np.save(os.path.join(indir, "targets.npy"), targets)
        run = subprocess.run([prog, indir, outdir], capture_output=True, text=True)
        if run.returncode != 0:
            print(f"FAIL parity_common exited {run.returncode}: {run.stderr.strip()}")
            return 1
        out = {n: np.load(os.path.join(outdir, n + ".npy"))
               for n in ("softmax", "log_softmax", "ce", "dce", "bce", "dbce", "logits_echo")}

    echo = out["logits_echo"]
    same = (echo.shape == logits.shape and echo.dtype == np.float64
            and echo.tobytes() == logits.tobytes())
    failures += not same
    print(f"{'PASS' if same else 'FAIL'} npy_roundtrip (C-written .npy read by np.load: "
          f"shape {echo.shape}, dtype {echo.dtype}, bit-exact {echo.tobytes() == logits.tobytes()})")

    x = torch.from_numpy(logits.copy())
    check("softmax", max_rel_err(out["softmax"], torch.softmax(x, dim=1).numpy()))
    check("log_softmax", max_rel_err(out["log_softmax"], torch.log_softmax(x, dim=1).numpy()))

    xg = x.clone().requires_grad_(True)
    ce = F.cross_entropy(xg, torch.from_numpy(labels))
    ce.backward()
    check("cross_entropy", max_rel_err(out["ce"].reshape(()), ce.detach().numpy()),
          f" C {float(out['ce']):.17g} torch {ce.item():.17g}")
    check("cross_entropy_grad", max_rel_err(out["dce"], xg.grad.numpy()))

    xb = x.clone().requires_grad_(True)
    bce = F.binary_cross_entropy_with_logits(xb, torch.from_numpy(targets))
    bce.backward()
    check("bce_with_logits", max_rel_err(out["bce"].reshape(()), bce.detach().numpy()),
          f" C {float(out['bce']):.17g} torch {bce.item():.17g}")
    check("bce_with_logits_grad", max_rel_err(out["dbce"], xb.grad.numpy()))

    finite = all(np.all(np.isfinite(out[n])) for n in ("softmax", "log_softmax", "ce", "dce",
                                                          "bce", "dbce"))
    failures += not finite
    print(f"{'PASS' if finite else 'FAIL'} finite_at_1000 (every output finite with logits of +-1000)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
