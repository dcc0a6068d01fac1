"""Reference per-slice metrics for kiln-select's `slices.rs`.

Run from the repository root with the peers' environment (scikit-learn 1.9.1, SciPy 1.17.1):

    benches/peers/.venv/bin/python crates/kiln-select/tests/reference/slices_reference.py

It writes `crates/kiln-select/tests/fixtures/slices.json`, read by `tests/slices.rs`.

Predictions are out-of-fold (`cross_val_predict`, 5 folds) from real models on bundled data:
a standardized LogisticRegression on german_credit's numeric features (target `credit`,
1 = good) and a Ridge on diabetes. Each slice's value is the scikit-learn metric on the rows
of that slice (`null` with the reason when scikit-learn raises or returns NaN). Quantile bin
edges are `numpy.quantile(values[~isnan], numpy.linspace(0, 1, n_bins + 1))` (NumPy's default
"linear" method) with repeated edges merged; a value goes to bin `searchsorted(edges[1:-1], v,
side="right")`, NaN to a last "missing" slice. To exercise that slice, every 41st german_credit
age (rows 0, 41, 82, ...) is set to NaN before binning. Weighted cases use weights
`1 + (i % 4) * 0.5` for row i.
"""

import csv
import json
import math
import os
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, mean_squared_error, r2_score, roc_auc_score
from sklearn.model_selection import KFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures", "slices.json")


def read(name):
    with open(os.path.join(DATA, name + ".csv"), newline="") as f:
        return list(csv.DictReader(f))


def weights(n):
    return np.array([1.0 + (i % 4) * 0.5 for i in range(n)])


def evaluate(metric, y, p, w):
    try:
        v = float(metric(y, p, sample_weight=w))
    except ValueError as e:
        return None, str(e)
    if math.isnan(v):
        return None, "nan"
    return v, None


def quantile_edges(values, n_bins):
    v = values[~np.isnan(values)]
    edges = np.quantile(v, np.linspace(0, 1, n_bins + 1))
    out = [float(edges[0])]
    for e in edges[1:]:
        if e != out[-1]:
            out.append(float(e))
    return out


def assign_bins(values, cuts):
    n_bins = len(cuts) + 1
    a = np.searchsorted(np.asarray(cuts, dtype=float), values, side="right")
    a = np.where(np.isnan(values), n_bins, a)
    return a, n_bins + (1 if np.isnan(values).any() else 0)


def report(metric, y, p, w, assignment, n_slices):
    overall, _ = evaluate(metric, y, p, w)
    slices = []
    for s in range(n_slices):
        rows = np.flatnonzero(assignment == s)
        ws = None if w is None else w[rows]
        if len(rows) == 0:
            value, reason = None, "no rows"
        else:
            value, reason = evaluate(metric, y[rows], p[rows], ws)
        slices.append({
            "count": int(len(rows)),
            "weight": float(len(rows) if w is None else ws.sum()),
            "value": value,
            "reason": reason,
        })
    return {"overall": overall, "slices": slices}


def label_assignment(labels):
    names = sorted(set(labels))
    index = {n: k for k, n in enumerate(names)}
    return np.array([index[s] for s in labels]), names


def acc(y, p, sample_weight=None):
    return accuracy_score(y, p, sample_weight=sample_weight)


# german_credit: binary classification
rows = read("german_credit")
num = ["duration", "credit_amount", "installment_rate", "present_residence_since", "age",
       "number_of_existing_credits", "number_of_people_liable_for"]
x = np.array([[float(r[c]) for c in num] for r in rows])
y = np.array([1 if r["credit"] == "good" else 0 for r in rows])
model = make_pipeline(StandardScaler(), LogisticRegression())
folds = KFold(5, shuffle=True, random_state=0)
proba = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]
pred = (proba > 0.5).astype(int)
n = len(y)
w = weights(n)
age = np.array([float(r["age"]) for r in rows])
age_nan = age.copy()
age_nan[::41] = np.nan

cases = []
for column in ["sex", "purpose", "housing"]:
    labels = [r[column] for r in rows]
    assignment, names = label_assignment(labels)
    for weighted in (False, True):
        ww = w if weighted else None
        cases.append({"data": "german_credit", "column": column, "kind": "labels", "names": names,
                      "metric": "accuracy", "weighted": weighted,
                      **report(acc, y, pred, ww, assignment, len(names))})
        cases.append({"data": "german_credit", "column": column, "kind": "labels", "names": names,
                      "metric": "roc_auc", "weighted": weighted,
                      **report(roc_auc_score, y, proba, ww, assignment, len(names))})

for n_bins in (4, 7):
    edges = quantile_edges(age_nan, n_bins)
    assignment, n_slices = assign_bins(age_nan, edges[1:-1])
    for metric_name, metric, p in [("accuracy", acc, pred), ("roc_auc", roc_auc_score, proba)]:
        for weighted in (False, True):
            cases.append({"data": "german_credit", "column": "age_nan", "kind": "quantile",
                          "n_bins": n_bins, "edges": edges, "metric": metric_name, "weighted": weighted,
                          **report(metric, y, p, w if weighted else None, assignment, n_slices)})

cuts = [25.0, 35.0, 50.0, 75.0, 80.0]
assignment, n_slices = assign_bins(age, cuts)
for metric_name, metric, p in [("accuracy", acc, pred), ("roc_auc", roc_auc_score, proba)]:
    cases.append({"data": "german_credit", "column": "age", "kind": "cuts", "cuts": cuts,
                  "metric": metric_name, "weighted": False,
                  **report(metric, y, p, None, assignment, n_slices)})

# diabetes: regression
drows = read("diabetes")
dcols = [c for c in drows[0] if c != "target"]
dx = np.array([[float(r[c]) for c in dcols] for r in drows])
dy = np.array([float(r["target"]) for r in drows])
dpred = cross_val_predict(Ridge(alpha=1.0), dx, dy, cv=folds)
sex = dx[:, dcols.index("sex")]
bmi = dx[:, dcols.index("bmi")]
dw = weights(len(dy))
groups = (sex - 1).astype(int)
for metric_name, metric in [("mse", mean_squared_error), ("r2", r2_score)]:
    for weighted in (False, True):
        cases.append({"data": "diabetes", "column": "sex", "kind": "groups", "names": ["0", "1"],
                      "metric": metric_name, "weighted": weighted,
                      **report(metric, dy, dpred, dw if weighted else None, groups, 2)})
    edges = quantile_edges(bmi, 5)
    assignment, n_slices = assign_bins(bmi, edges[1:-1])
    cases.append({"data": "diabetes", "column": "bmi", "kind": "quantile", "n_bins": 5, "edges": edges,
                  "metric": metric_name, "weighted": False,
                  **report(metric, dy, dpred, None, assignment, n_slices)})

doc = {
    "generator": "crates/kiln-select/tests/reference/slices_reference.py",
    "versions": {"sklearn": sklearn.__version__, "scipy": scipy.__version__, "numpy": np.__version__},
    "german_credit": {"y_true": y.tolist(), "proba": proba.tolist(), "y_pred": pred.tolist(),
                      "nan_every": 41},
    "diabetes": {"y_true": dy.tolist(), "y_pred": dpred.tolist()},
    "cases": cases,
}
with open(OUT, "w") as f:
    json.dump(doc, f)
print("wrote", OUT, len(cases), "cases")
for c in cases:
    undefined = [(i, s["reason"]) for i, s in enumerate(c["slices"]) if s["value"] is None]
    if undefined:
        print(c["column"], c["kind"], c["metric"], undefined)
