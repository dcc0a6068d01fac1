"""Reference outputs of scikit-learn 1.9.1 for kiln-cluster's `MiniBatchKMeans` and the
silhouette of `select.rs` (issue #8).

Run from the repository root with the peers' environment:

    benches/peers/.venv/bin/python crates/kiln-cluster/tests/reference/minibatch_reference.py

It writes, read by `tests/minibatch.rs`:

- `tests/fixtures/minibatch_reference.json`: a blobs set made here (3,000 x 2, six centres,
  saved rounded to 3 decimals so the JSON is exact) with its true labels; the inertia,
  `n_steps_` and `n_iter_` of `MiniBatchKMeans(n_clusters=6, batch_size=256, n_init=1)` over
  ten seeds, and the inertia of `KMeans(n_clusters=6, n_init=10)`. Mini-batch fits draw random
  batches, and kiln's generator differs from NumPy's, so kiln cannot retrace a run: the test
  compares inertias within a few per cent.
- `tests/fixtures/minibatch_silhouette.json`: iris (4 numeric columns of kiln-datasets'
  iris.csv) clustered by `KMeans(n_clusters=3, init=<the first three rows>, n_init=1)`, its
  labels (kiln's KMeans retraces that run exactly), `silhouette_score` of those labels, and
  the same silhouette with exactly summed distances (`scipy.spatial.distance.cdist`):
  scikit-learn's Euclidean distances use |x|^2 - 2 x.y + |y|^2, which differs from the direct
  sum in the last bits.
"""

import json
import os

import numpy as np
import sklearn
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import silhouette_score

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
OUT = os.path.join(HERE, "..", "fixtures")


def exact_silhouette(x, labels):
    """Rousseeuw's mean silhouette from directly summed Euclidean distances."""
    d = cdist(x, x)
    ids = np.unique(labels)
    s = np.zeros(len(x))
    for i in range(len(x)):
        own = labels[i]
        n_own = np.sum(labels == own)
        if n_own == 1:
            continue
        a = d[i, labels == own].sum() / (n_own - 1)
        b = min(d[i, labels == c].mean() for c in ids if c != own)
        s[i] = (b - a) / max(a, b)
    return float(s.mean())


def minibatch():
    x, y = make_blobs(n_samples=3000, n_features=2, centers=6, cluster_std=1.5,
                      random_state=0)
    x = np.round(x, 3)
    runs = []
    for seed in range(10):
        m = MiniBatchKMeans(n_clusters=6, batch_size=256, n_init=1, random_state=seed).fit(x)
        runs.append({"seed": seed, "inertia": float(m.inertia_), "n_steps": int(m.n_steps_),
                     "n_iter": int(m.n_iter_)})
    km = KMeans(n_clusters=6, n_init=10, random_state=0).fit(x)
    return {
        "sklearn_version": sklearn.__version__,
        "x": x.tolist(),
        "y": y.tolist(),
        "n_clusters": 6,
        "batch_size": 256,
        "minibatch_runs": runs,
        "kmeans_inertia": float(km.inertia_),
    }


def silhouette():
    path = os.path.join(ROOT, "crates", "kiln-datasets", "data", "iris.csv")
    with open(path) as f:
        header = f.readline().strip().split(",")
    raw = np.loadtxt(path, delimiter=",", skiprows=1)
    x = np.ascontiguousarray(raw[:, [i for i, h in enumerate(header) if h != "target"]])
    km = KMeans(n_clusters=3, init=x[:3].copy(), n_init=1).fit(x)
    labels = km.labels_
    return {
        "sklearn_version": sklearn.__version__,
        "labels": labels.tolist(),
        "inertia": float(km.inertia_),
        "silhouette_sklearn": float(silhouette_score(x, labels)),
        "silhouette_exact": exact_silhouette(x, labels),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, doc in [("minibatch_reference", minibatch()), ("minibatch_silhouette", silhouette())]:
        path = os.path.join(OUT, name + ".json")
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
        print(path, os.path.getsize(path))


if __name__ == "__main__":
    main()
