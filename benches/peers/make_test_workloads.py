#!/usr/bin/env python3
"""Writes benchmark workloads in the shared workload format, from scikit-learn's generators.

This is a stand-in and a documented fallback for the project's own workload writer: it produces the
same workload names and the exact same on-disk format, so run_peers.py (and kiln's side) can be
tested without it.

Format (one directory):
  manifest.json   {"format": 1, "workloads": [{"name", "task", "n_classes", "rows", "features",
                   "file", "csv", "sha256", "test"?}, ...]}
  NAME.f64        raw little-endian float64, row-major, rows x (features + 1), label/target LAST
  NAME.csv        the same values as CSV with a header (f0..f{n-1},label); skipped with --no-csv

Tasks: binary, multiclass (labels 0.0, 1.0, ...), regression, clustering (label = true cluster),
scores (two columns: label then score, i.e. features = 1).

Sizes: by default every workload is 1/100 of its real size (at least 200 rows) so a smoke run takes
seconds; --full writes the real sizes (about 1.5 GB of .f64 files; add --no-csv to skip the CSVs,
which are several times larger).

Usage (with the peers' venv, which has scikit-learn):
  benches/peers/.venv/bin/python benches/peers/make_test_workloads.py [--out DIR] [--full]
      [--no-csv] [--only name,name] [--seed N]
Default DIR: benches/peers/.data (small) or benches/peers/.data-full (--full), both git-ignored.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
from sklearn.datasets import make_blobs, make_classification, make_regression

HERE = os.path.dirname(os.path.abspath(__file__))

# name: (task, train rows, test rows or 0, features, classes or centres)
WORKLOADS = {
    "tiny_clf": ("binary", 500, 200, 5, 2),
    "clf_100k": ("binary", 100_000, 20_000, 50, 2),
    "clf_1m": ("binary", 1_000_000, 100_000, 50, 2),
    "reg_100k": ("regression", 100_000, 20_000, 50, 0),
    "multiclass_50k": ("multiclass", 50_000, 10_000, 50, 5),
    "blobs_1m": ("clustering", 1_000_000, 0, 10, 8),
    "blobs_100k_50": ("clustering", 100_000, 0, 50, 16),
    "blobs_20k": ("clustering", 20_000, 0, 10, 8),
    "scores_1m": ("scores", 1_000_000, 0, 1, 2),
}
# tiny_clf is already small; it is never scaled.
UNSCALED = {"tiny_clf"}


def generate(task, n, features, k, seed):
    """Returns (X, y) with n rows."""
    rng = np.random.default_rng(seed)
    if task in ("binary", "multiclass"):
        informative = max(2, min(features, features * 2 // 5))
        redundant = min(features - informative, features // 5)
        X, y = make_classification(
            n_samples=n, n_features=features, n_informative=informative, n_redundant=redundant,
            n_classes=k, n_clusters_per_class=2, flip_y=0.03, class_sep=1.0, random_state=seed)
    elif task == "regression":
        X, y = make_regression(n_samples=n, n_features=features, n_informative=features // 2,
                               noise=10.0, random_state=seed)
        # A little non-linearity so trees and linear models both have something to do.
        y = y + 25.0 * np.sin(X[:, 0]) + 10.0 * X[:, 1] * X[:, 2]
    elif task == "clustering":
        X, y = make_blobs(n_samples=n, n_features=features, centers=k, cluster_std=1.5,
                          center_box=(-10.0, 10.0), random_state=seed)
    elif task == "scores":
        y = (rng.random(n) < 0.3).astype(np.float64)
        # Scores of a fair classifier: positives shifted up; ties are made on purpose by rounding.
        X = np.round(rng.normal(loc=1.2 * y, scale=1.0), 4).reshape(-1, 1)
    else:
        raise ValueError(f"unknown task {task}")
    return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)


def write_one(out, name, task, n_classes, X, y, test, csv):
    data = np.empty((X.shape[0], X.shape[1] + 1), dtype="<f8")
    data[:, :-1] = X
    data[:, -1] = y
    path = os.path.join(out, name + ".f64")
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data.tobytes(order="C"))
    os.replace(tmp, path)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    entry = {"name": name, "task": task, "n_classes": int(n_classes), "rows": int(X.shape[0]),
             "features": int(X.shape[1]), "file": name + ".f64", "sha256": h.hexdigest()}
    if csv:
        header = ",".join([f"f{i}" for i in range(X.shape[1])] + ["label"])
        np.savetxt(os.path.join(out, name + ".csv"), data, delimiter=",", fmt="%.17g",
                   header=header, comments="")
        entry["csv"] = name + ".csv"
    if test:
        entry["test"] = test
    return entry


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", help="output directory")
    ap.add_argument("--full", action="store_true", help="write the real sizes")
    ap.add_argument("--no-csv", action="store_true", help="do not write the .csv copies")
    ap.add_argument("--only", help="comma-separated workload names (default: all)")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    out = args.out or os.path.join(HERE, ".data-full" if args.full else ".data")
    os.makedirs(out, exist_ok=True)
    names = args.only.split(",") if args.only else list(WORKLOADS)
    for n in names:
        if n not in WORKLOADS:
            sys.exit(f"unknown workload {n!r}; known: {', '.join(WORKLOADS)}")

    manifest_path = os.path.join(out, "manifest.json")
    entries = {}
    if os.path.exists(manifest_path):  # keep entries of workloads not regenerated now
        with open(manifest_path) as f:
            for e in json.load(f).get("workloads", []):
                entries[e["name"]] = e

    for i, name in enumerate(names):
        task, n_train, n_test, features, k = WORKLOADS[name]
        if not args.full and name not in UNSCALED:
            n_train, n_test = max(200, n_train // 100), (max(100, n_test // 100) if n_test else 0)
        X, y = generate(task, n_train + n_test, features, k, args.seed + i)
        n_classes = k if task in ("binary", "multiclass", "clustering", "scores") else 0
        test_name = name + "_test" if n_test else None
        entries[name] = write_one(out, name, task, n_classes, X[:n_train], y[:n_train], test_name,
                                  not args.no_csv)
        if n_test:
            entries[test_name] = write_one(out, test_name, task, n_classes, X[n_train:],
                                           y[n_train:], None, not args.no_csv)
        print(f"{name}: {task} {n_train} train + {n_test} test rows x {features} features",
              flush=True)

    tmp = manifest_path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"format": 1, "workloads": list(entries.values())}, f, indent=1)
        f.write("\n")
    os.replace(tmp, manifest_path)
    print(f"wrote {manifest_path}")


if __name__ == "__main__":
    main()
