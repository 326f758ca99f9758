#!/usr/bin/python3
"""Parity of chapter 01 (bin/rnn) with PyTorch: torch.nn.RNN / LSTM / GRU + nn.Linear.

1. Gradients. For each cell (rnn, lstm, gru) with 1 and 2 layers: a model of random weights in
   float64 (a subclass of torch.nn.RNN/LSTM/GRU with a `decoder` nn.Linear, so that its
   state_dict carries exactly the checkpoint's names: weight_ih_l0 ... decoder.bias) is written
   as a checkpoint directory (one .npy per tensor + hparams.txt); a chunk x, y (T, B) with some
   targets -1 (ignore_index) and non-zero h0 (c0) is written as an inputs directory; then
   `$CM_BIN_DIR/rnn grad --load CKPT --inputs IN --out OUT` runs, and loss.npy, every
   <tensor>.npy, dh0.npy (dc0.npy) and hT.npy (cT.npy) are compared with torch's autograd:
   relative difference below 1e-10 for the loss, below 1e-8 for every gradient and state, where
   the relative difference of an array is max |ours - torch| / max |torch| (a norm-wise error:
   an entry-wise ratio means nothing on gradients that are exactly 0 in one and 1e-18 in the
   other).
2. Checkpoints into PyTorch and back. `rnn train --quick` (a small 2-layer LSTM, to keep the
   script under a minute) writes a checkpoint; torch's load_state_dict(strict=True) takes its
   .npy files under their own names, and torch gives the same loss and gradients as
   `rnn grad` on a chunk of the held-out text, and the same held-out bits per character as
   `rnn eval` prints. Then torch's state_dict saved back with np.save is a checkpoint that
   `rnn eval` and `rnn grad` read unchanged (the same bits, the same printed result).

The reference (make_model, torch_reference, write_checkpoint, write_inputs) is also used by
tests/fixtures/rnn/make_fixtures.py, which writes the fixtures of `make check`.

Prints PASS/FAIL lines; exit 1 on a failure, 77 if numpy or torch is missing.
"""
import os
import re
import shutil
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

TOL_LOSS = 1e-10
TOL_GRAD = 1e-8
BIN = os.environ.get("CM_BIN_DIR", "bin")
SEED = 20240602
CELLS = ("rnn", "lstm", "gru")
HELD_OUT = 0.1  # chapters/01-rnn/demo.c: RNN_HELD_OUT


def make_model(cell, V, H, L):
    """torch.nn.RNN/LSTM/GRU(input_size=V, hidden_size=H, num_layers=L) with a `decoder`
    nn.Linear(H, V), in float64. Its state_dict keys are the checkpoint's tensor names."""
    base = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]

    class CharModel(base):
        def __init__(self):
            super().__init__(input_size=V, hidden_size=H, num_layers=L)
            self.decoder = torch.nn.Linear(H, V)

        def logits(self, x, state):
            """x (T, B) int64 ids -> logits (T, B, V) and the final state."""
            out, state = base.forward(self, F.one_hot(x, V).double(), state)
            return self.decoder(out), state

    return CharModel().double()


def vocab_hex(chars):
    """The vocabulary line of hparams.txt: the characters' bytes, sorted, in hex."""
    return bytes(sorted(chars)).hex()


def write_checkpoint(d, cell, model, chars, extra=""):
    """One .npy per tensor of model.state_dict() under its own name, and hparams.txt."""
    os.makedirs(d, exist_ok=True)
    for name, t in model.state_dict().items():
        np.save(os.path.join(d, name + ".npy"), t.detach().numpy())
    V, H, L = model.input_size, model.hidden_size, model.num_layers
    with open(os.path.join(d, "hparams.txt"), "w") as f:
        f.write(f"cell = {cell}\nvocab_size = {V}\nhidden = {H}\nlayers = {L}\n"
                f"vocab = {vocab_hex(chars)}\n{extra}")


def write_inputs(d, x, y, h0, c0):
    """x.npy, y.npy (T, B) int64, h0.npy (L, B, H) float64 and c0.npy (LSTM) for `rnn grad`."""
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, "x.npy"), x.astype(np.int64))
    np.save(os.path.join(d, "y.npy"), y.astype(np.int64))
    np.save(os.path.join(d, "h0.npy"), h0)
    if c0 is not None:
        np.save(os.path.join(d, "c0.npy"), c0)


def torch_reference(cell, model, x, y, h0, c0):
    """Loss (mean cross-entropy in nats over the targets != -1) and every gradient, as numpy
    arrays under the names `rnn grad` writes: loss, <tensor>, dh0, (dc0), hT, (cT)."""
    model.zero_grad()
    h0t = torch.from_numpy(h0.copy()).requires_grad_(True)
    state = h0t
    if cell == "lstm":
        c0t = torch.from_numpy(c0.copy()).requires_grad_(True)
        state = (h0t, c0t)
    logits, final = model.logits(torch.from_numpy(x.astype(np.int64)), state)
    V = logits.shape[-1]
    loss = F.cross_entropy(logits.reshape(-1, V), torch.from_numpy(y.astype(np.int64)).reshape(-1),
                           ignore_index=-1, reduction="mean")
    loss.backward()
    out = {"loss": loss.detach().numpy().copy()}
    for name, p in model.named_parameters():
        out[name] = p.grad.detach().numpy().copy()
    out["dh0"] = h0t.grad.numpy().copy()
    if cell == "lstm":
        out["dc0"] = c0t.grad.numpy().copy()
        out["hT"], out["cT"] = (s.detach().numpy().copy() for s in final)
    else:
        out["hT"] = final.detach().numpy().copy()
    return out


def random_case(rng, cell, V, H, L, T, B, scale=0.8):
    """A model of weights U(-scale, scale) (larger than torch's default, so that the gates
    saturate in places), a chunk with about a fifth of the targets -1 (at least one kept),
    and initial states N(0, 0.5^2)."""
    model = make_model(cell, V, H, L)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-scale, scale, size=tuple(p.shape))))
    x = rng.integers(0, V, size=(T, B))
    y = rng.integers(0, V, size=(T, B))
    y[rng.uniform(size=(T, B)) < 0.2] = -1
    y[0, 0] = rng.integers(0, V)
    h0 = rng.normal(0.0, 0.5, size=(L, B, H))
    c0 = rng.normal(0.0, 0.5, size=(L, B, H)) if cell == "lstm" else None
    return model, x, y, h0, c0


def rel_err(got, want):
    """max |got - want| / max |want| (0 when both are all zero; inf on a shape mismatch or a
    non-finite value)."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape or not (np.all(np.isfinite(got)) and np.all(np.isfinite(want))):
        return float("inf")
    scale = np.max(np.abs(want)) if want.size else 0.0
    diff = np.max(np.abs(got - want)) if want.size else 0.0
    if diff == 0.0:
        return 0.0
    return float(diff / scale) if scale > 0 else float("inf")


def why(r):
    """A failed run's exit status and message, for a FAIL line."""
    return f"exit {r.returncode}" + (f": {r.stderr.strip()}" if r.stderr.strip() else "")


def run(args):
    """Runs bin/rnn with OpenBLAS at one thread; returns the CompletedProcess."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    return subprocess.run([os.path.join(BIN, "rnn")] + args, capture_output=True, text=True,
                          env=env)


class Checker:
    def __init__(self):
        self.failed = 0
        self.worst = {}

    def ok(self, cond, msg):
        self.failed += not cond
        print(f"{'PASS' if cond else 'FAIL'} {msg}")
        return cond

    def compare(self, label, outdir, ref, names=None):
        """Compares outdir/<name>.npy with ref[name] for every name (loss at TOL_LOSS, the
        rest at TOL_GRAD); records the worst gradient error under label."""
        worst_g = 0.0
        for name in names or ref:
            path = os.path.join(outdir, name + ".npy")
            if not os.path.exists(path):
                self.ok(False, f"{label} {name}: {path} was not written")
                continue
            got = np.load(path)
            err = rel_err(got, ref[name])
            tol = TOL_LOSS if name == "loss" else TOL_GRAD
            if name != "loss":
                worst_g = max(worst_g, err)
            if err > tol or name == "loss":
                extra = (f" (ours {float(got):.17g}, torch {float(ref[name]):.17g})"
                         if name == "loss" and got.shape == () else "")
                self.ok(err <= tol, f"{label} {name} {tuple(np.shape(ref[name]))}: rel err "
                        f"{err:.3g} (tolerance {tol:g}){extra}")
        self.ok(worst_g <= TOL_GRAD, f"{label}: {len(ref) - 1} gradients and states, worst rel "
                f"err {worst_g:.3g} (tolerance {TOL_GRAD:g})")
        self.worst[label] = worst_g
        # a file we write that torch has no counterpart for would be untested: list them
        extra = sorted(set(f[:-4] for f in os.listdir(outdir) if f.endswith(".npy")) - set(ref))
        self.ok(not extra, f"{label}: every file written was compared"
                + (f" (not: {', '.join(extra)})" if extra else ""))


def part_gradients(chk, tmp, rng):
    V, H, T, B = 11, 7, 9, 4
    chars = b"abcdefghijk"
    for cell in CELLS:
        for L in (1, 2):
            label = f"{cell} L={L}"
            model, x, y, h0, c0 = random_case(rng, cell, V, H, L, T, B)
            d = os.path.join(tmp, f"{cell}{L}")
            ckpt, inputs, out = (os.path.join(d, s) for s in ("ckpt", "in", "out"))
            write_checkpoint(ckpt, cell, model, chars)
            write_inputs(inputs, x, y, h0, c0)
            r = run(["grad", "--load", ckpt, "--inputs", inputs, "--out", out, "--quiet"])
            if not chk.ok(r.returncode == 0, f"{label}: rnn grad, {why(r)}"):
                continue
            ref = torch_reference(cell, model, x, y, h0, c0)
            chk.compare(label, out, ref)


def read_text_ids(chars_hex, path):
    """The ids of a text in a checkpoint's vocabulary, and where its held-out part starts
    (rnn_corpus_load: the last floor(len * 0.1) bytes)."""
    data = open(path, "rb").read()
    vocab = bytes.fromhex(chars_hex)
    index = {c: i for i, c in enumerate(vocab)}
    ids = np.array([index[c] for c in data], dtype=np.int64)
    n_held = int(len(data) * HELD_OUT)
    return ids, len(data) - n_held


def read_hparams(d):
    h = {}
    for line in open(os.path.join(d, "hparams.txt")):
        line = line.strip()
        if line and not line.startswith("#"):
            k, v = (s.strip() for s in line.split("=", 1))
            h[k] = v
    return h


def load_into_torch(ckpt):
    """Builds the model hparams.txt describes and loads the .npy files with strict=True:
    every name torch expects must be there, and no other."""
    h = read_hparams(ckpt)
    cell, V, H, L = h["cell"], int(h["vocab_size"]), int(h["hidden"]), int(h["layers"])
    model = make_model(cell, V, H, L)
    files = {f[:-4] for f in os.listdir(ckpt) if f.endswith(".npy")}
    sd = {k: torch.from_numpy(np.load(os.path.join(ckpt, k + ".npy"))) for k in files}
    model.load_state_dict(sd, strict=True)
    return model, h


def held_out_bpc(model, cell, ids, n_train, B):
    """`rnn eval`'s number: B streams through the held-out part, state carried from chunk to
    chunk from zeros (one forward over all the steps is the same), mean loss in bits."""
    Ls = (len(ids) - n_train - 1) // B
    starts = n_train + np.arange(B) * Ls
    steps = np.arange(Ls)[:, None]
    x = torch.from_numpy(ids[starts[None, :] + steps])
    y = torch.from_numpy(ids[starts[None, :] + steps + 1])
    L, H = model.num_layers, model.hidden_size
    h0 = torch.zeros(L, B, H, dtype=torch.float64)
    state = (h0, h0.clone()) if cell == "lstm" else h0
    with torch.no_grad():
        logits, _ = model.logits(x, state)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    return loss.item() / np.log(2.0)


def part_round_trip(chk, tmp, rng):
    train_out = os.path.join(tmp, "trained")
    args = ["train", "--quick", "--plot", "none", "--cell", "lstm", "--hidden", "32",
            "--layers", "2", "--out", train_out, "--quiet"]
    r = run(args)
    if not chk.ok(r.returncode == 0, f"rnn {' '.join(args[:-3])}, {why(r)}"):
        return
    ckpt = os.path.join(train_out, "model")
    try:
        model, h = load_into_torch(ckpt)
    except Exception as e:  # a missing or unexpected key, a shape mismatch
        chk.ok(False, f"torch load_state_dict(strict=True) of {ckpt}: {e}")
        return
    chk.ok(True, f"torch load_state_dict(strict=True) of {ckpt}: "
           f"{', '.join(model.state_dict().keys())}")
    cell = h["cell"]
    ids, n_train = read_text_ids(h["vocab"], "data/pride_prejudice.txt")

    # a chunk of the held-out text, targets one character ahead, a carried-in state
    T, B, L, H = 16, 5, model.num_layers, model.hidden_size
    starts = n_train + rng.integers(0, len(ids) - n_train - T - 1, size=B)
    x = ids[starts[None, :] + np.arange(T)[:, None]]
    y = ids[starts[None, :] + np.arange(T)[:, None] + 1]
    h0 = rng.normal(0.0, 0.3, size=(L, B, H))
    c0 = rng.normal(0.0, 0.3, size=(L, B, H)) if cell == "lstm" else None
    inputs, out = os.path.join(tmp, "chunk"), os.path.join(tmp, "chunk_out")
    write_inputs(inputs, x, y, h0, c0)
    r = run(["grad", "--load", ckpt, "--inputs", inputs, "--out", out, "--quiet"])
    if chk.ok(r.returncode == 0, f"rnn grad on the trained checkpoint, {why(r)}"):
        chk.compare("trained checkpoint, held-out chunk", out,
                    torch_reference(cell, model, x, y, h0, c0))

    # `rnn eval`: held-out bits per character, printed to 4 decimals
    r = run(["eval", "--load", ckpt, "--plot", "none", "--out", os.path.join(tmp, "eval")])
    m = re.search(r"held_out_bpc ([0-9.]+) .*, (\d+) streams", r.stdout)
    if chk.ok(r.returncode == 0 and m is not None, f"rnn eval, {why(r)}"):
        ours, B_eval = float(m.group(1)), int(m.group(2))
        theirs = held_out_bpc(model, cell, ids, n_train, B_eval)
        chk.ok(abs(ours - theirs) <= 0.5e-4 + 1e-12,
               f"rnn eval held_out_bpc {ours:.4f}, torch {theirs:.6f} (printed to 4 decimals)")

    # back: torch's state_dict as .npy, hparams.txt as it was
    back = os.path.join(tmp, "from_torch")
    os.makedirs(back)
    for name, t in model.state_dict().items():
        np.save(os.path.join(back, name + ".npy"), t.detach().numpy())
    shutil.copy(os.path.join(ckpt, "hparams.txt"), back)
    same_bits = all(np.load(os.path.join(back, n + ".npy")).tobytes()
                    == np.load(os.path.join(ckpt, n + ".npy")).tobytes()
                    for n in model.state_dict())
    chk.ok(same_bits, "torch's state_dict saved with np.save holds the checkpoint's bits")
    r2 = run(["eval", "--load", back, "--plot", "none", "--out", os.path.join(tmp, "eval2")])
    line = [s for s in r.stdout.splitlines() if s.startswith("held_out_bpc")]
    line2 = [s for s in r2.stdout.splitlines() if s.startswith("held_out_bpc")]
    chk.ok(r2.returncode == 0 and line and line == line2,
           f"rnn eval of torch's state_dict prints the same line: {line2[:1]}")
    out2 = os.path.join(tmp, "chunk_out2")
    r2 = run(["grad", "--load", back, "--inputs", inputs, "--out", out2, "--quiet"])
    if chk.ok(r2.returncode == 0, f"rnn grad of torch's state_dict, {why(r2)}"):
        names = sorted(f for f in os.listdir(out) if f.endswith(".npy"))
        same = all(np.load(os.path.join(out, f)).tobytes() == np.load(os.path.join(out2, f))
                   .tobytes() for f in names)
        chk.ok(same, f"rnn grad of torch's state_dict: the same {len(names)} files, bit for bit")


def main():
    torch.set_num_threads(1)
    if not os.access(os.path.join(BIN, "rnn"), os.X_OK):
        print(f"FAIL {BIN}/rnn is not built (make all)")
        return 1
    rng = np.random.default_rng(SEED)
    chk = Checker()
    with tempfile.TemporaryDirectory(prefix="cm-parity-rnn-") as tmp:
        part_gradients(chk, tmp, rng)
        part_round_trip(chk, tmp, rng)
    worst = ", ".join(f"{k} {v:.2g}" for k, v in chk.worst.items())
    print(f"rnn parity: {'FAIL' if chk.failed else 'PASS'} ({chk.failed} failed); worst gradient "
          f"rel err: {worst}")
    return 1 if chk.failed else 0


if __name__ == "__main__":
    sys.exit(main())
