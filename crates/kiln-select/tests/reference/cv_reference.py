"""Reference outputs of scikit-learn 1.9.1 for kiln-select's cross-validation, parameter
search and curves.

Run from the repository root with the peers' environment:

    benches/peers/.venv/bin/python crates/kiln-select/tests/reference/cv_reference.py

It writes `crates/kiln-select/tests/fixtures/cv.json`, read by `tests/cv.rs`,
`tests/search.rs` and `tests/curves.rs`.

Every model here is deterministic (closed-form Ridge; LogisticRegression solved to a tight
tolerance) and every splitter is unshuffled, so kiln must reproduce the numbers, not just
their distribution. Scores keep their natural sign: scikit-learn's `neg_mean_squared_error`
is negated back to the mean squared error (kiln's scorers minimize it instead).

Data: the bundled CSVs in crates/kiln-datasets/data, numeric features in the order of
kiln-datasets' `features_numeric`, targets coded as kiln-datasets codes them (class labels
sorted, index = position). breast_cancer's columns are standardized with the population
standard deviation, as kiln-linear's logistic tests do.
"""

import csv
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, make_scorer, mean_squared_error, r2_score
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    StratifiedKFold,
    cross_val_predict,
    cross_validate,
    learning_curve,
    validation_curve,
)

assert sklearn.__version__ == "1.9.1", sklearn.__version__

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures", "cv.json")


def load(name, features, target="target", regression=False):
    with open(os.path.join(DATA, name + ".csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[c]) for c in features] for r in rows])
    raw = [r[target] for r in rows]
    if regression:
        return x, np.array([float(v) for v in raw])
    classes = sorted(set(raw))
    return x, np.array([classes.index(v) for v in raw])


DIABETES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
with open(os.path.join(DATA, "breast_cancer.csv"), newline="") as f:
    BC_FEATURES = [c for c in next(csv.reader(f)) if c != "target"]


def weights(n):
    # Exact in binary; the Rust tests build the same.
    return np.array([1.0 + (i % 5) * 0.5 for i in range(n)])


def fl(a):
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


out = {"sklearn": sklearn.__version__}

# ---------------------------------------------------------------- cross_validate, Ridge
x, y = load("diabetes", DIABETES, regression=True)
scoring = {"r2": "r2", "mse": "neg_mean_squared_error"}
cases = []
for alpha in [1.0, 0.1]:
    r = cross_validate(
        Ridge(alpha=alpha), x, y, cv=KFold(5), scoring=scoring, return_train_score=True
    )
    cases.append(
        {
            "alpha": alpha,
            "weighted": False,
            "test_r2": fl(r["test_r2"]),
            "train_r2": fl(r["train_r2"]),
            "test_mse": fl(-r["test_mse"]),
            "train_mse": fl(-r["train_mse"]),
        }
    )

# Sample weights routed to the fit and to both scorers.
sklearn.set_config(enable_metadata_routing=True)
w = weights(len(y))
wscoring = {
    "r2": make_scorer(r2_score).set_score_request(sample_weight=True),
    "mse": make_scorer(mean_squared_error, greater_is_better=False).set_score_request(
        sample_weight=True
    ),
}
r = cross_validate(
    Ridge(alpha=1.0).set_fit_request(sample_weight=True),
    x,
    y,
    cv=KFold(5),
    scoring=wscoring,
    return_train_score=True,
    params={"sample_weight": w},
)
cases.append(
    {
        "alpha": 1.0,
        "weighted": True,
        "test_r2": fl(r["test_r2"]),
        "train_r2": fl(r["train_r2"]),
        "test_mse": fl(-r["test_mse"]),
        "train_mse": fl(-r["train_mse"]),
    }
)
sklearn.set_config(enable_metadata_routing=False)
out["ridge_cv"] = cases
out["ridge_cv_predict"] = fl(cross_val_predict(Ridge(alpha=1.0), x, y, cv=KFold(5)))

# ---------------------------------------------------------------- GridSearchCV, Ridge
alphas = [0.01, 0.1, 1.0, 10.0, 100.0]
gs = GridSearchCV(
    Ridge(),
    {"alpha": alphas, "fit_intercept": [True, False]},
    cv=KFold(5),
    scoring=scoring,
    refit="r2",
).fit(x, y)
res = gs.cv_results_
out["ridge_grid"] = {
    "alphas": alphas,
    "params": [
        {"alpha": p["alpha"], "fit_intercept": p["fit_intercept"]} for p in res["params"]
    ],
    "mean_test_r2": fl(res["mean_test_r2"]),
    "std_test_r2": fl(res["std_test_r2"]),
    "rank_test_r2": [int(v) for v in res["rank_test_r2"]],
    "mean_test_mse": fl(-res["mean_test_mse"]),
    "std_test_mse": fl(res["std_test_mse"]),
    "rank_test_mse": [int(v) for v in res["rank_test_mse"]],
    "best_index": int(gs.best_index_),
    "best_alpha": gs.best_params_["alpha"],
    "best_fit_intercept": gs.best_params_["fit_intercept"],
    "best_score": float(gs.best_score_),
    "best_coef": fl(gs.best_estimator_.coef_),
    "best_intercept": float(gs.best_estimator_.intercept_),
}

# ---------------------------------------------------------------- curves, Ridge
sizes, tr, te = learning_curve(
    Ridge(alpha=1.0), x, y, cv=KFold(5), scoring="r2", shuffle=False
)
out["ridge_learning"] = {
    "train_sizes": [int(v) for v in sizes],
    "train_scores": [fl(r) for r in tr],
    "test_scores": [fl(r) for r in te],
}
sizes, tr, te = learning_curve(
    Ridge(alpha=1.0), x, y, cv=KFold(5), scoring="r2", train_sizes=[30, 100, 200, 353]
)
out["ridge_learning_counts"] = {
    "train_sizes": [int(v) for v in sizes],
    "train_scores": [fl(r) for r in tr],
    "test_scores": [fl(r) for r in te],
}
vrange = [1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0]
tr, te = validation_curve(
    Ridge(), x, y, param_name="alpha", param_range=vrange, cv=KFold(5), scoring="r2"
)
out["ridge_validation"] = {
    "alphas": vrange,
    "train_scores": [fl(r) for r in tr],
    "test_scores": [fl(r) for r in te],
}

# ---------------------------------------------------------------- LogisticRegression, breast_cancer
xb, yb = load("breast_cancer", BC_FEATURES)
xb = (xb - xb.mean(axis=0)) / xb.std(axis=0)
skf = StratifiedKFold(5)
folds = [[int(i) for i in test] for _, test in skf.split(xb, yb)]
cases = []
for c in [1.0, 0.1]:
    model = LogisticRegression(C=c, tol=1e-10, max_iter=10000)
    r = cross_validate(
        model, xb, yb, cv=skf, scoring={"accuracy": "accuracy", "log_loss": "neg_log_loss"}
    )
    cases.append(
        {
            "c": c,
            "accuracy": fl(r["test_accuracy"]),
            "log_loss": fl(-r["test_log_loss"]),
        }
    )
out["logistic_cv"] = {"test_folds": folds, "cases": cases}

with open(OUT, "w") as f:
    json.dump(out, f, indent=None, separators=(",", ":"))
print("wrote", OUT, os.path.getsize(OUT), "bytes")
