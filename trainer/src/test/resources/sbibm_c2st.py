"""sbibm's C2ST (sbibm/metrics/c2st.py) on pairs of CSV sample files, with scikit-learn.

Usage: sbibm_c2st.py SEEDS REFERENCE SAMPLES [REFERENCE SAMPLES ...]
SEEDS is a comma-separated list; prints one line per pair, one accuracy per seed.

sbibm z-scores float32 torch tensors with torch.mean and torch.std (unbiased, accumulated in
double on the CPU, rounded to float32); numpy does the same here, so scikit-learn trains on the
same float32 data as in sbibm.
"""
import sys

import numpy as np
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neural_network import MLPClassifier


def classifier(ndim, seed):
    """The classifier exactly as sbibm configures it."""
    return MLPClassifier(
        activation="relu",
        hidden_layer_sizes=(10 * ndim, 10 * ndim),
        max_iter=10000,
        solver="adam",
        random_state=seed,
    )


def c2st(X, Y, seed, n_folds=5):
    mean = X.astype(np.float64).mean(axis=0).astype(np.float32)
    std = X.astype(np.float64).std(axis=0, ddof=1).astype(np.float32)
    X = (X - mean) / std
    Y = (Y - mean) / std
    clf = classifier(X.shape[1], seed)
    data = np.concatenate((X, Y))
    target = np.concatenate((np.zeros((X.shape[0],)), np.ones((Y.shape[0],))))
    shuffle = KFold(n_splits=n_folds, shuffle=True, random_state=seed)
    scores = cross_val_score(clf, data, target, cv=shuffle, scoring="accuracy")
    return np.asarray(np.mean(scores)).astype(np.float32)


def main(argv):
    seeds = [int(s) for s in argv[1].split(",")]
    files = argv[2:]
    if not files or len(files) % 2:
        sys.exit("usage: sbibm_c2st.py SEEDS REFERENCE SAMPLES [REFERENCE SAMPLES ...]")
    for reference, samples in zip(files[::2], files[1::2]):
        X = np.loadtxt(reference, delimiter=",", dtype=np.float32, ndmin=2)
        Y = np.loadtxt(samples, delimiter=",", dtype=np.float32, ndmin=2)
        print(" ".join(repr(float(c2st(X, Y, seed))) for seed in seeds), flush=True)


if __name__ == "__main__":
    main(sys.argv)
