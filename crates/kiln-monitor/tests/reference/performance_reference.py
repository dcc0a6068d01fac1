"""Reference outputs for kiln-monitor's `performance` module (per-chunk metrics, alert
thresholds and the domain classifier), from scikit-learn 1.9.1 and NumPy.

Run from the repository root with the peers' environment:

    benches/peers/.venv/bin/python crates/kiln-monitor/tests/reference/performance_reference.py

It writes `crates/kiln-monitor/tests/fixtures/performance.json`, read by `tests/performance.rs`.

Contents
- `stream`: a LogisticRegression (StandardScaler + C=0.1) fitted on the first 300 rows of
  breast_cancer, then its predictions (`y_pred`), positive-class probabilities (`y_score`) and the
  true labels (`y_true`) for all 569 rows, in file order: a labelled "production stream".
- `size_chunks`: the stream cut into chunks of 50 rows, the last partial chunk (19 rows) kept
  ("keep"), dropped ("drop") or merged into the previous chunk ("append"); per chunk, the row
  range and accuracy, precision, recall, F1 (scikit-learn, binary, zero_division=0) and ROC AUC.
- `thresholds`: the first 6 chunks are the reference; per metric, mean ± 3 std with NumPy's
  `np.std` (ddof = 0, as NannyML's StandardDeviationThreshold) and with ddof = 1.
- `time_chunks`: timestamps t_i = 1.7e9 + 1000 i + 10 (7 i mod 13) seconds, grouped into periods
  of 20 000 s (period id = floor(t / 20000)); per period, the rows and the accuracy.
- `domain`: german_credit's numeric features, standardized over the stacked data; reference =
  rows 0..500, current = rows 500..1000 (no drift expected) or the same rows with `duration` +6
  and `credit_amount` x1.5 (drift). A LogisticRegression (default) is told to separate them;
  the AUC is scikit-learn's roc_auc_score on the pooled out-of-fold probabilities of
  StratifiedKFold(5, shuffle=True, random_state=0). kiln's folds come from its own seeded
  generator, so the Rust test compares within a tolerance, not exactly.
"""

import csv
import json
import math
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures", "performance.json")


def read(name):
    with open(os.path.join(DATA, name + ".csv"), newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def metrics(y, p, s):
    out = {
        "accuracy": accuracy_score(y, p),
        "precision": precision_score(y, p, zero_division=0),
        "recall": recall_score(y, p, zero_division=0),
        "f1": f1_score(y, p, zero_division=0),
    }
    out["roc_auc"] = roc_auc_score(y, s) if len(set(y.tolist())) == 2 else None
    return out


def size_chunks(n, size, incomplete):
    bounds = [(s, min(s + size, n)) for s in range(0, n, size)]
    if bounds[-1][1] - bounds[-1][0] < size:
        if incomplete == "drop":
            bounds.pop()
        elif incomplete == "append" and len(bounds) > 1:
            last = bounds.pop()
            bounds[-1] = (bounds[-1][0], last[1])
    return bounds


def main():
    header, rows = read("breast_cancer")
    x = np.array([[float(v) for v in r[:-1]] for r in rows])
    y = np.array([int(float(r[-1])) for r in rows])
    model = LogisticRegression(C=0.1, max_iter=10000)
    scaler = StandardScaler().fit(x[:300])
    model.fit(scaler.transform(x[:300]), y[:300])
    xs = scaler.transform(x)
    y_pred = model.predict(xs)
    y_score = model.predict_proba(xs)[:, 1]
    n = len(y)

    doc = {
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__},
        "stream": {"y_true": y.tolist(), "y_pred": y_pred.tolist(), "y_score": y_score.tolist()},
        "chunk_size": 50,
        "size_chunks": {},
    }
    for incomplete in ["keep", "drop", "append"]:
        chunks = []
        for a, b in size_chunks(n, 50, incomplete):
            chunks.append({"start": a, "end": b, **metrics(y[a:b], y_pred[a:b], y_score[a:b])})
        doc["size_chunks"][incomplete] = chunks

    n_ref = 6
    thr = {}
    for m in ["accuracy", "precision", "recall", "f1", "roc_auc"]:
        vals = np.array([c[m] for c in doc["size_chunks"]["keep"][:n_ref]])
        mean = vals.mean()
        thr[m] = {
            "mean": mean,
            "std0": np.std(vals),
            "std1": np.std(vals, ddof=1),
            "lower0": mean - 3 * np.std(vals),
            "upper0": mean + 3 * np.std(vals),
            "lower1": mean - 3 * np.std(vals, ddof=1),
            "upper1": mean + 3 * np.std(vals, ddof=1),
        }
    doc["n_reference_chunks"] = n_ref
    doc["thresholds"] = thr

    i = np.arange(n)
    t = 1.7e9 + 1000.0 * i + 10.0 * ((7 * i) % 13)
    period = 20000.0
    ids = np.floor(t / period).astype(np.int64)
    time_chunks = []
    for pid in np.unique(ids):
        idx = np.nonzero(ids == pid)[0]
        time_chunks.append(
            {"period": int(pid), "rows": idx.tolist(), "accuracy": accuracy_score(y[idx], y_pred[idx])}
        )
    doc["time"] = {"timestamps": t.tolist(), "period": period, "chunks": time_chunks}

    header, rows = read("german_credit")
    cols = ["duration", "credit_amount", "installment_rate", "present_residence_since", "age",
            "number_of_existing_credits", "number_of_people_liable_for"]
    idx = [header.index(c) for c in cols]
    g = np.array([[float(r[j]) for j in idx] for r in rows])
    ref, cur = g[:500], g[500:]
    shifted = cur.copy()
    shifted[:, 0] += 6.0
    shifted[:, 1] *= 1.5
    domain = {}
    for name, c in [("halves", cur), ("shifted", shifted)]:
        xx = np.vstack([ref, c])
        xx = StandardScaler().fit_transform(xx)
        yy = np.r_[np.zeros(len(ref), int), np.ones(len(c), int)]
        oof = np.zeros(len(yy))
        for tr, te in StratifiedKFold(5, shuffle=True, random_state=0).split(xx, yy):
            m = LogisticRegression().fit(xx[tr], yy[tr])
            oof[te] = m.predict_proba(xx[te])[:, 1]
        domain[name] = {"auc": roc_auc_score(yy, oof)}
    doc["domain"] = domain

    with open(OUT, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print("wrote", OUT, os.path.getsize(OUT), "bytes", domain)


if __name__ == "__main__":
    main()
