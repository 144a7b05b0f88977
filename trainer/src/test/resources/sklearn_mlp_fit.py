"""scikit-learn's MLPClassifier as sbibm's C2ST configures it, fitted once per CSV file.

Usage: sklearn_mlp_fit.py SEED DATA [DATA ...]
The classifier comes from sbibm_c2st.py, which must lie beside this file. Each DATA file holds
float32 rows whose last column is the 0/1 label; prints one line per file: the epochs trained
(n_iter_) and the last epoch's training loss (loss_).
"""
import sys

import numpy as np

from sbibm_c2st import classifier


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: sklearn_mlp_fit.py SEED DATA [DATA ...]")
    seed = int(argv[1])
    for path in argv[2:]:
        data = np.loadtxt(path, delimiter=",", dtype=np.float32, ndmin=2)
        X, y = data[:, :-1], data[:, -1].astype(np.float64)
        clf = classifier(X.shape[1], seed).fit(X, y)
        print(clf.n_iter_, repr(float(clf.loss_)), flush=True)


if __name__ == "__main__":
    main(sys.argv)
