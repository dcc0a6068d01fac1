"""Reference intervals of scipy.stats.bootstrap (SciPy 1.17.1) for kiln-metrics' bootstrap.

Run from the repository root with the peers' environment (scikit-learn 1.9.1, SciPy 1.17.1):

    benches/peers/.venv/bin/python crates/kiln-metrics/tests/reference/bootstrap_reference.py

It writes `crates/kiln-metrics/tests/fixtures/bootstrap.json`, read by `tests/bootstrap.rs`.

kiln draws resamples from its own ChaCha8 streams, NumPy from PCG64, so the two cannot be
compared resample by resample unless they use the same rows. This script therefore records
the rows SciPy resamples: `scipy.stats.bootstrap(..., rng=np.random.default_rng(SEED))`
draws its index matrix with one `rng.integers(0, n, (n_resamples, n))` call (batch=None;
paired data resample the row indices), so the script draws that matrix from a fresh
generator with the same seed, checks that SciPy's bootstrap distribution is the statistic on
exactly those rows, and saves the matrix. The Rust test evaluates kiln's metric on the same
rows (and on each leave-one-out subset for BCa) and feeds the values to
`interval_from_resamples`, which must give SciPy's interval.

Data: diabetes (crates/kiln-datasets/data/diabetes.csv); a LinearRegression fitted on the
first 300 rows predicts rows 300..380 (80 rows never seen in fit). Weights are drawn from a
seeded generator. Statistics are scikit-learn 1.9.1 metrics (and the plain mean of y_true).
"""

import json
import os
import warnings

import numpy as np
import scipy
from scipy import stats
from sklearn import metrics as M
from sklearn.linear_model import LinearRegression

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data", "diabetes.csv")
OUT = os.path.join(HERE, "..", "fixtures", "bootstrap.json")

SEED = 12345
N_RESAMPLES = 250


def main():
    raw = np.genfromtxt(DATA, delimiter=",", skip_header=1)
    x, y = raw[:, :-1], raw[:, -1]
    model = LinearRegression().fit(x[:300], y[:300])
    rows = slice(300, 380)
    yt, yp = y[rows], model.predict(x[rows])
    n = len(yt)
    w = np.random.default_rng(7).uniform(0.5, 2.0, n)
    idx = np.random.default_rng(SEED).integers(0, n, (N_RESAMPLES, n))

    def weighted(f):
        return lambda i: f(yt[i], yp[i], sample_weight=w[i])

    stats_by_name = {
        "mean": lambda i: float(np.mean(yt[i])),
        "mean_absolute_error": lambda i: M.mean_absolute_error(yt[i], yp[i]),
        "mean_squared_error": lambda i: M.mean_squared_error(yt[i], yp[i]),
        "r2": lambda i: M.r2_score(yt[i], yp[i]),
        "median_absolute_error": lambda i: M.median_absolute_error(yt[i], yp[i]),
        "mean_absolute_error_weighted": weighted(M.mean_absolute_error),
        "median_absolute_error_weighted": weighted(M.median_absolute_error),
        "r2_weighted": weighted(M.r2_score),
    }
    settings = [("percentile", 0.95), ("BCa", 0.95), ("percentile", 0.8), ("BCa", 0.8)]

    cases = []
    for name, stat in stats_by_name.items():
        for method, confidence in settings:
            # Paired resampling of the row indices, as scipy does for paired data.
            res = stats.bootstrap(
                (np.arange(n),),
                lambda i: stat(i),
                vectorized=False,
                n_resamples=N_RESAMPLES,
                confidence_level=confidence,
                method=method,
                rng=np.random.default_rng(SEED),
            )
            mine = np.array([stat(r) for r in idx])
            assert np.array_equal(res.bootstrap_distribution, mine), name
            lo, hi = res.confidence_interval
            cases.append(
                {
                    "metric": name,
                    "method": method,
                    "confidence": confidence,
                    "lower": float(lo),
                    "upper": float(hi),
                    "standard_error": float(res.standard_error),
                    "estimate": float(stat(np.arange(n))),
                }
            )

    doc = {
        "generator": "crates/kiln-metrics/tests/reference/bootstrap_reference.py",
        "scipy": scipy.__version__,
        "n_resamples": N_RESAMPLES,
        "y_true": yt.tolist(),
        "y_pred": yp.tolist(),
        "weights": w.tolist(),
        "indices": idx.tolist(),
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(f"wrote {OUT}: {len(cases)} cases, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
