"""Parity of chapter 02 (bin/word2vec) with gensim's Word2Vec (the Debian package, 4.x).

1. Files: `word2vec train` writes vectors.txt and vectors.bin; gensim's
   KeyedVectors.load_word2vec_format reads both, with the words in the order of the
   vocabulary, and the vectors equal the float64 checkpoint model/wv.vectors.npy (binary:
   exactly its float32 rounding; text: within the 6 printed decimals and float32, 5e-7 + 1.2e-7).
2. Vocabulary: the words and counts of model/vocab.txt are those of Python's
   re.findall(r"[a-z']+", text.lower()) with min_count 5, sorted by count (ties alphabetical).
3. Evaluator: `word2vec evaluate` and gensim's evaluate_word_analogies(restrict_vocab=30000,
   case_insensitive=True) on the same vectors cover the same questions and get the same number
   right (a float32 near-tie may flip one question: at most 1 apart).
4. Accuracy: skip-gram and CBOW with negative sampling (negative 5, window 5, dim 100,
   min-count 5, sample 1e-3, alpha 0.025, 5 epochs) on the six novels, 3 seeds each, ours
   and gensim's (workers=1, the same sentences of at most 1000 in-vocabulary words): the
   medians of the analogy accuracy are within 2 points. Our runs go on in the background
   while gensim trains, so that the script takes about the time of gensim's six runs.

Prints PASS/FAIL lines; exits 1 on a failure, 77 when numpy or gensim is missing.
Run with /usr/bin/python3 (the Debian packages)."""
import collections
import os
import re
import statistics
import subprocess
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("MISSING numpy: install python3-numpy")
    sys.exit(77)
try:
    import logging
    logging.getLogger("gensim").setLevel(logging.ERROR)
    from gensim.models import KeyedVectors, Word2Vec
except ImportError:
    print("MISSING gensim: install python3-gensim")
    sys.exit(77)

BIN = os.environ.get("CM_BIN_DIR", "bin")
PROG = os.path.join(BIN, "word2vec")
NOVELS = ["emma", "mansfield_park", "northanger_abbey", "persuasion", "pride_prejudice",
          "sense_sensibility"]
QUESTIONS = "data/questions-words.txt"
SEEDS = [1, 2, 3]
TOL_POINTS = 2.0
SETTINGS = dict(vector_size=100, window=5, min_count=5, sample=1e-3, negative=5, hs=0,
                alpha=0.025, min_alpha=0.0001, epochs=5)

failures = 0


def check(ok, name, detail):
    global failures
    failures += not ok
    print(f"{'PASS' if ok else 'FAIL'} {name}: {detail}")


def tokens_of(path):
    with open(path, encoding="latin-1") as f:
        return re.findall(r"[a-z']+", f.read().lower())


def corpus():
    """The vocabulary (min_count 5, sorted by count then word) and the sentences of at most
    1000 in-vocabulary words, never crossing files: what bin/word2vec trains on."""
    texts = [tokens_of(f"data/{n}.txt") for n in NOVELS]
    counts = collections.Counter(t for toks in texts for t in toks)
    vocab = sorted((w for w, c in counts.items() if c >= 5), key=lambda w: (-counts[w], w))
    keep = set(vocab)
    sents = []
    for toks in texts:
        kept = [t for t in toks if t in keep]
        sents += [kept[i:i + 1000] for i in range(0, len(kept), 1000)]
    return vocab, counts, sents


def run(args):
    r = subprocess.run([PROG] + args, capture_output=True, text=True)
    if r.returncode != 0:
        print(f"FAIL {' '.join(args)}: exit {r.returncode}: {r.stderr.strip()}")
        sys.exit(1)
    return r.stdout


def train_args(out, seed, cbow):
    return (["train", "--quiet", "--plot", "none", "--out", out, "--seed", str(seed),
             "--dim", "100", "--window", "5", "--negative", "5", "--min-count", "5",
             "--sample", "1e-3", "--alpha", "0.025", "--min-alpha", "0.0001", "--epochs", "5"]
            + (["--cbow"] if cbow else []))


def our_eval(vectors):
    out = run(["evaluate", "--plot", "none", "--vectors", vectors, "--restrict", "30000"])
    m = re.search(r"^eval\.right_covered (\d+) (\d+)$", out, re.M)
    return int(m.group(1)), int(m.group(2))


def gensim_eval(kv):
    score, sections = kv.evaluate_word_analogies(QUESTIONS, restrict_vocab=30000,
                                                 case_insensitive=True)
    total = [s for s in sections if s["section"] == "Total accuracy"][0]
    return len(total["correct"]), len(total["correct"]) + len(total["incorrect"])


def check_files(tmp, vocab, counts):
    out = os.path.join(tmp, "files")
    run(["train", "--quiet", "--plot", "none", "--out", out, "--epochs", "1"])
    with open(os.path.join(out, "model", "vocab.txt")) as f:
        ours = [line.split() for line in f]
    same = [w for w, _ in ours] == vocab and all(int(c) == counts[w] for w, c in ours)
    check(same, "vocabulary", f"{len(ours)} words, python {len(vocab)}, same words, order and "
          f"counts: {same}")
    npy = np.load(os.path.join(out, "model", "wv.vectors.npy"))
    kb = KeyedVectors.load_word2vec_format(os.path.join(out, "vectors.bin"), binary=True)
    kt = KeyedVectors.load_word2vec_format(os.path.join(out, "vectors.txt"), binary=False)
    for name, kv, tol in (("vectors.bin", kb, 0.0), ("vectors.txt", kt, 5e-7 + 1.2e-7)):
        order = list(kv.index_to_key) == vocab
        want = npy.astype(np.float32).astype(np.float64) if tol == 0 else npy
        err = float(np.max(np.abs(kv.vectors.astype(np.float64) - want)))
        check(order and kv.vectors.shape == npy.shape and err <= tol,
              f"gensim reads {name}",
              f"shape {kv.vectors.shape}, words in vocabulary order {order}, max |diff| to "
              f"wv.vectors.npy {err:.3g} (tolerance {tol:.3g})")
    return os.path.join(out, "vectors.bin"), kb


def main():
    if not os.access(PROG, os.X_OK):
        print(f"FAIL {PROG} not built (make all)")
        return 1
    vocab, counts, sents = corpus()
    with tempfile.TemporaryDirectory(prefix="cm-parity-w2v-") as tmp:
        vec, kb = check_files(tmp, vocab, counts)
        c_right, c_cov = our_eval(vec)
        g_right, g_cov = gensim_eval(kb)
        check(c_cov == g_cov and abs(c_right - g_right) <= 1, "evaluate vs gensim's evaluator",
              f"ours {c_right}/{c_cov}, gensim {g_right}/{g_cov} on the same vectors")

        # our six runs in the background, one after the other, while gensim trains here
        script = " && ".join(
            " ".join([PROG] + train_args(os.path.join(tmp, f"{m}{s}"), s, m == "cbow"))
            + " >/dev/null"
            for m in ("sg", "cbow") for s in SEEDS)
        bg = subprocess.Popen(["/bin/sh", "-c", script], stderr=subprocess.PIPE, text=True)
        theirs = {"sg": [], "cbow": []}
        for m in ("sg", "cbow"):
            for s in SEEDS:
                model = Word2Vec(sentences=sents, sg=int(m == "sg"), seed=s, workers=1,
                                 **SETTINGS)
                right, cov = gensim_eval(model.wv)
                theirs[m].append(100.0 * right / cov)
        err = bg.communicate()[1]
        if bg.returncode != 0:
            print(f"FAIL our training runs: exit {bg.returncode}: {err.strip()}")
            return 1
        for m in ("sg", "cbow"):
            ours = []
            for s in SEEDS:
                right, cov = our_eval(os.path.join(tmp, f"{m}{s}", "vectors.bin"))
                ours.append(100.0 * right / cov)
            mo, mt = statistics.median(ours), statistics.median(theirs[m])
            name = "skip-gram" if m == "sg" else "CBOW"
            check(abs(mo - mt) <= TOL_POINTS, f"{name} analogy accuracy",
                  f"median ours {mo:.2f}% ({', '.join(f'{a:.2f}' for a in ours)}), gensim "
                  f"{mt:.2f}% ({', '.join(f'{a:.2f}' for a in theirs[m])}), within "
                  f"{TOL_POINTS} points: {abs(mo - mt):.2f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
