"""Reference outputs of scikit-learn 1.9.1 for kiln-metrics' clustering metrics.

Run from the repository root with the peers' environment:

    benches/peers/.venv/bin/python crates/kiln-metrics/tests/reference/cluster_reference.py

It writes `crates/kiln-metrics/tests/fixtures/cluster.json`, read by `tests/cluster.rs`.

Data: the real data sets bundled in crates/kiln-datasets/data (copies of shared/datasets):
iris (4 features), penguins (the 4 body measurements, rows with a missing one dropped; the
kept row indices are stored), breast_cancer (30 features). The data themselves are not stored:
the Rust test loads the same CSVs with kiln-datasets and selects the same rows and columns.
Labelings: the species / target classes (as kiln-datasets codes them: sorted class names,
index = position) and k-means clusterings (KMeans(n_clusters=k, n_init=10, random_state=0))
fitted here on the raw features, whose labels are stored.

Hand cases: identical and renamed labelings, independent random labelings, non-contiguous
and huge label values, singleton clusters, duplicate points, single-class labelings, one
sample, and two labelings with hundreds of distinct values each (for the expected mutual
information of the AMI). Their inputs are stored in the fixture.

Floats are written as Python's shortest round-trip repr.
"""

import csv
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.cluster import KMeans
from sklearn.metrics import (
    adjusted_mutual_info_score,
    adjusted_rand_score,
    calinski_harabasz_score,
    completeness_score,
    davies_bouldin_score,
    homogeneity_completeness_v_measure,
    homogeneity_score,
    mutual_info_score,
    normalized_mutual_info_score,
    rand_score,
    silhouette_samples,
    silhouette_score,
    v_measure_score,
)
from sklearn.metrics.cluster import contingency_matrix, pair_confusion_matrix

warnings.simplefilter("ignore")
assert sklearn.__version__ == "1.9.1", sklearn.__version__

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures", "cluster.json")

SETS = {
    "iris": (
        ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"],
        "target",
    ),
    "penguins": (["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"], "species"),
    "breast_cancer": (None, "target"),
}
METHODS = ["min", "geometric", "arithmetic", "max"]


def load(name):
    cols, target = SETS[name]
    with open(os.path.join(DATA, name + ".csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    if cols is None:
        cols = [c for c in rows[0].keys() if c != target]
    keep = [i for i, r in enumerate(rows) if all(r[c] != "" for c in cols)]
    x = np.array([[float(rows[i][c]) for c in cols] for i in keep])
    names = sorted({rows[i][target] for i in keep})
    y = np.array([names.index(rows[i][target]) for i in keep])
    return cols, keep, x, y


def external(a, b, small=False):
    a, b = np.asarray(a), np.asarray(b)
    out = {
        "ari": adjusted_rand_score(a, b),
        "rand": rand_score(a, b),
        "mi": mutual_info_score(a, b),
        "nmi": {m: normalized_mutual_info_score(a, b, average_method=m) for m in METHODS},
        "ami": {m: adjusted_mutual_info_score(a, b, average_method=m) for m in METHODS},
        "homogeneity": homogeneity_score(a, b),
        "completeness": completeness_score(a, b),
        "v_measure": v_measure_score(a, b),
        "hcv_beta": {str(beta): hcv(a, b, beta) for beta in (0.0, 0.5, 2.0)},
        "v_measure_beta_half": v_measure_score(a, b, beta=0.5),
        "pair_confusion": pair_confusion_matrix(a, b).tolist(),
    }
    if small:
        out["contingency"] = contingency_matrix(a, b).tolist()
    return {k: (float(v) if isinstance(v, (np.floating, float)) else v) for k, v in out.items()}


def hcv(a, b, beta):
    # With beta = 0, c = 0 and h = 1 (a single true class), scikit-learn divides 0 by 0 and
    # raises ZeroDivisionError: stored as null (kiln returns a V-measure of 0 there).
    try:
        return list(homogeneity_completeness_v_measure(a, b, beta=beta))
    except ZeroDivisionError:
        return None


def internal(x, labels, with_samples):
    out = {
        "silhouette": float(silhouette_score(x, labels)),
        "davies_bouldin": float(davies_bouldin_score(x, labels)),
        "calinski_harabasz": float(calinski_harabasz_score(x, labels)),
    }
    if with_samples:
        out["silhouette_samples"] = silhouette_samples(x, labels).tolist()
    return out


def direct_silhouette(x, labels):
    """The silhouette from distances taken as coordinate differences (no |x|^2 expansion)."""
    d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
    return silhouette_samples(d, labels, metric="precomputed")


def direct_davies_bouldin(x, labels):
    """Davies-Bouldin (scikit-learn's definition) with distances as coordinate differences."""
    ks = np.unique(labels)
    cent = np.array([x[labels == k].mean(axis=0) for k in ks])
    s = np.array([np.sqrt(((x[labels == k] - c) ** 2).sum(-1)).mean() for k, c in zip(ks, cent)])
    d = np.sqrt(((cent[:, None, :] - cent[None, :, :]) ** 2).sum(-1))
    d[d == 0] = np.inf
    return float(np.mean(np.max((s[:, None] + s[None, :]) / d, axis=1)))


def kmeans(x, k):
    return KMeans(n_clusters=k, n_init=10, random_state=0).fit(x).labels_


def main():
    doc = {"sklearn": sklearn.__version__, "data": {}, "internal": [], "external": []}
    for name in SETS:
        cols, keep, x, y = load(name)
        doc["data"][name] = {"columns": cols, "rows": keep}
        labelings = {"target": y}
        for k in (2, 3, 5):
            labelings[f"kmeans{k}"] = kmeans(x, k)
        # A labeling with non-contiguous, huge values: the k=5 clusters renamed.
        rename = np.array([10**12, 7, 3, 10**15, 42])
        labelings["kmeans5_renamed"] = rename[labelings["kmeans5"]]
        for lname, lab in labelings.items():
            doc["internal"].append(
                {
                    "data": name,
                    "labels": [int(v) for v in lab],
                    "name": lname,
                    # Per-sample values are stored for the smaller sets only (fixture size).
                    **internal(x, lab, with_samples=(lname == "kmeans3" or (name != "breast_cancer" and "renamed" not in lname))),
                }
            )
        for a, b in [("target", "kmeans2"), ("target", "kmeans3"), ("target", "kmeans5"),
                     ("kmeans3", "kmeans5_renamed")]:
            doc["external"].append(
                {
                    "case": f"{name}: {a} vs {b}",
                    "labels_true": [int(v) for v in labelings[a]],
                    "labels_pred": [int(v) for v in labelings[b]],
                    **external(labelings[a], labelings[b]),
                }
            )

    rng = np.random.default_rng(0)
    hand = [
        ("identical", [0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 2]),
        ("renamed", [0, 0, 1, 1, 2, 2], [9, 9, 4, 4, 100, 100]),
        ("sklearn doc example", [0, 0, 1, 1, 2, 2], [1, 0, 2, 1, 0, 2]),
        ("complete not pure", [0, 0, 1, 2], [0, 0, 1, 1]),
        ("pure not complete", [0, 0, 1, 1], [0, 0, 1, 2]),
        ("all singletons", [0, 0, 0, 0], [0, 1, 2, 3]),
        ("one cluster predicted", [0, 0, 1, 1], [5, 5, 5, 5]),
        ("both single class", [3, 3, 3], [1, 1, 1]),
        ("one sample", [4], [2]),
        ("two samples apart", [0, 1], [0, 0]),
        ("huge values", [2**63, 0, 2**63, 5, 5], [1, 2**40, 2**40, 1, 3]),
        ("independent", rng.integers(0, 10, 2000).tolist(), rng.integers(0, 7, 2000).tolist()),
    ]
    # Two large label sets for the AMI: 3000 samples, ~300 true classes, a noisy copy.
    big_true = rng.integers(0, 300, 3000)
    big_pred = np.where(rng.random(3000) < 0.6, big_true // 2 * 5 + 1, rng.integers(0, 400, 3000))
    hand.append(("large label sets", big_true.tolist(), big_pred.tolist()))
    hand.append(("large independent label sets", rng.integers(0, 250, 3000).tolist(),
                 rng.integers(0, 200, 3000).tolist()))
    for case, a, b in hand:
        doc["external"].append(
            {
                "case": case,
                "labels_true": [int(v) for v in a],
                "labels_pred": [int(v) for v in b],
                **external(np.array(a, dtype=np.uint64), np.array(b, dtype=np.uint64), small=len(a) < 10),
            }
        )

    # Internal hand cases: a singleton cluster, duplicate points, non-contiguous labels and a
    # synthetic set spanning several blocks with many clusters cut by block boundaries.
    hx = [
        ("singleton cluster", [[0.0, 0.0], [0.0, 1.0], [5.0, 5.0], [9.0, 0.0], [9.5, 0.5]], [1, 1, 7, 3, 3]),
        ("duplicate points", [[1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 1.0]], [0, 0, 1, 1]),
        ("non-contiguous labels", [[0.0], [0.5], [3.0], [3.2], [7.0], [8.0]], [100, 100, 5, 5, 2**40, 2**40]),
        ("far from origin", (np.array([[0.0, 0.0], [0.1, 0.0], [1.0, 1.0], [1.1, 1.0], [0.5, 0.6]]) + 1e4).tolist(),
         [0, 0, 1, 1, 0]),
    ]
    # Coordinates from integer arithmetic, so the Rust test rebuilds them exactly.
    n_syn = 700
    syn_labels = [(i * 31) % 40 * 3 for i in range(n_syn)]
    syn_x = [[((i * 7919 + j * 104729) % 1009) / 100.0 + 4.0 * ((lab // 3) % (j + 5)) for j in range(3)]
             for i, lab in enumerate(syn_labels)]
    hx.append(("synthetic 700 rows, 40 clusters", syn_x, syn_labels))
    for case, x, lab in hx:
        x, lab = np.array(x), np.array(lab, dtype=np.uint64)
        stored_x = None if case.startswith("synthetic") else x.tolist()
        entry = {"data": None, "name": case, "x": stored_x, "labels": [int(v) for v in lab],
                 **internal(x, lab, True)}
        if case == "far from origin":
            # Here the |x|^2 + |y|^2 - 2x.y form of scikit-learn's euclidean_distances loses
            # about 8 digits (coordinates near 1e4, distances near 0.1); the direct values are
            # the reference for this case.
            direct = direct_silhouette(x, lab)
            entry["silhouette_direct"] = float(direct.mean())
            entry["silhouette_samples_direct"] = direct.tolist()
            entry["davies_bouldin_direct"] = direct_davies_bouldin(x, lab)
        doc["internal"].append(entry)

    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
