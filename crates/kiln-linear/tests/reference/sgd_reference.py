"""Reference outputs of scikit-learn for kiln-linear's SGDClassifier and SGDRegressor.

Run from the repository root with the peers' environment (scikit-learn 1.9.1):

    benches/peers/.venv/bin/python crates/kiln-linear/tests/reference/sgd_reference.py

It writes `crates/kiln-linear/tests/fixtures/sgd.json`, read by `tests/sgd.rs`.

Data: the numeric feature columns of breast_cancer (binary), penguins (3 classes) and diabetes
(regression, raw target) from crates/kiln-datasets/data, rows with a missing value dropped,
each column standardized with the population standard deviation (the Rust test standardizes
the same way; the matrices are not stored, to keep the fixture small).

With shuffle=False scikit-learn's SGD is deterministic, so most cases run a few epochs
(max_iter=5, tol=None) and store coef_, intercept_, n_iter_ and t_; kiln must take the same
steps. Cases with a tolerance also pin where the stopping rule fires. partial_fit cases feed
fixed batches (rows in order). The shuffled cases store the spread of the training accuracy
(classification) and R^2 (regression) over seeds 0..19, since the shuffles cannot match.
"""

import csv
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import SGDClassifier, SGDRegressor

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures", "sgd.json")

FEATURES = {
    "breast_cancer": [
        "mean_radius", "mean_texture", "mean_perimeter", "mean_area", "mean_smoothness",
        "mean_compactness", "mean_concavity", "mean_concave_points", "mean_symmetry",
        "mean_fractal_dimension", "radius_error", "texture_error", "perimeter_error",
        "area_error", "smoothness_error", "compactness_error", "concavity_error",
        "concave_points_error", "symmetry_error", "fractal_dimension_error", "worst_radius",
        "worst_texture", "worst_perimeter", "worst_area", "worst_smoothness",
        "worst_compactness", "worst_concavity", "worst_concave_points", "worst_symmetry",
        "worst_fractal_dimension",
    ],
    "penguins": ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"],
    "diabetes": ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"],
}
TARGET = {"breast_cancer": "target", "penguins": "species", "diabetes": "target"}


def load(name):
    with open(os.path.join(DATA, name + ".csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array(
        [[float(r[c]) if r[c] != "" else np.nan for c in FEATURES[name]] for r in rows]
    )
    raw = [r[TARGET[name]] for r in rows]
    if name == "diabetes":
        y = np.array([float(v) for v in raw])
    else:
        classes = sorted(set(raw))
        y = np.array([classes.index(v) for v in raw])
    keep = ~np.isnan(x).any(axis=1)
    x, y = x[keep], y[keep]
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return np.ascontiguousarray(x), y


def weights(n):
    return 1.0 + (np.arange(n) % 5) * 0.5


def record(model, params, extra=None):
    out = {
        "params": params,
        "coef": np.atleast_2d(model.coef_).tolist(),
        "intercept": np.atleast_1d(model.intercept_).tolist(),
        "n_iter": int(model.n_iter_),
        "t": float(model.t_),
    }
    if extra:
        out.update(extra)
    return out


def make(kind, params):
    kw = dict(params)
    kw.setdefault("shuffle", False)
    kw.setdefault("tol", None)
    kw.setdefault("max_iter", 5)
    kw.pop("weighted", None)
    if "class_weight" in kw and isinstance(kw["class_weight"], list):
        kw["class_weight"] = {int(k): v for k, v in kw["class_weight"]}
    est = SGDClassifier if kind == "classifier" else SGDRegressor
    return est(**kw)


def fit_case(kind, data, x, y, params):
    model = make(kind, params)
    sw = weights(len(y)) if params.get("weighted") else None
    model.fit(x, y, sample_weight=sw)
    extra = {"data": data}
    if kind == "classifier" and params.get("loss") in ("log_loss", "modified_huber"):
        extra["proba_head"] = model.predict_proba(x[:5]).tolist()
    if kind == "classifier":
        extra["decision_head"] = np.atleast_2d(model.decision_function(x[:5])).tolist()
    return record(model, params, extra)


def classification_cases(sets):
    cases = []
    for data in ("breast_cancer", "penguins"):
        x, y = sets[data]
        for loss in ("hinge", "log_loss", "modified_huber", "squared_hinge", "perceptron"):
            for penalty in ("l2", "l1", "elasticnet", None):
                for lr in ("optimal", "constant", "invscaling"):
                    p = {"loss": loss, "penalty": penalty, "learning_rate": lr,
                         "alpha": 1e-3, "eta0": 0.01}
                    cases.append(fit_case("classifier", data, x, y, p))
        extras = [
            {"loss": "hinge", "weighted": True},
            {"loss": "log_loss", "weighted": True, "class_weight": [[0, 2.0]]},
            {"loss": "log_loss", "class_weight": "balanced"},
            {"loss": "hinge", "class_weight": "balanced", "weighted": True},
            {"loss": "log_loss", "fit_intercept": False},
            {"loss": "squared_error", "learning_rate": "constant", "eta0": 0.001},
            {"loss": "huber", "epsilon": 0.5},
            {"loss": "epsilon_insensitive", "learning_rate": "invscaling", "eta0": 0.05},
            {"loss": "log_loss", "average": True},
            {"loss": "hinge", "average": 100, "penalty": "elasticnet"},
            {"loss": "log_loss", "alpha": 1e-4, "l1_ratio": 0.5, "penalty": "elasticnet",
             "weighted": True},
            # The stopping rule, and the adaptive schedule that needs it.
            {"loss": "hinge", "tol": 1e-3, "max_iter": 200},
            {"loss": "log_loss", "tol": 1e-4, "max_iter": 200, "n_iter_no_change": 3},
            {"loss": "log_loss", "learning_rate": "adaptive", "eta0": 0.1, "tol": 1e-3,
             "max_iter": 60, "n_iter_no_change": 2},
            {"loss": "hinge", "learning_rate": "adaptive", "eta0": 0.05, "tol": 1e-4,
             "max_iter": 60, "penalty": "l1", "alpha": 1e-3},
        ]
        for p in extras:
            cases.append(fit_case("classifier", data, x, y, p))
    return cases


def regression_cases(x, y):
    cases = []
    for loss in ("squared_error", "huber", "epsilon_insensitive",
                 "squared_epsilon_insensitive"):
        for penalty in ("l2", "l1", "elasticnet", None):
            for lr in ("optimal", "constant", "invscaling"):
                p = {"loss": loss, "penalty": penalty, "learning_rate": lr,
                     "alpha": 1e-3, "eta0": 0.01, "epsilon": 1.0}
                cases.append(fit_case("regressor", "diabetes", x, y, p))
    extras = [
        {"weighted": True},
        {"fit_intercept": False},
        {"average": True},
        {"average": 500, "penalty": "l1", "alpha": 0.1},
        {"alpha": 0.5, "penalty": "elasticnet", "l1_ratio": 0.7, "weighted": True},
        {"tol": 1e-3, "max_iter": 300},
        {"learning_rate": "adaptive", "eta0": 0.05, "tol": 1e-2, "max_iter": 100,
         "n_iter_no_change": 2},
    ]
    for p in extras:
        cases.append(fit_case("regressor", "diabetes", x, y, p))
    return cases


def batches(n, size):
    return [(s, min(s + size, n)) for s in range(0, n, size)]


def partial_fit_cases(sets):
    cases = []
    specs = [
        ("classifier", "breast_cancer", {"loss": "hinge"}, 100, 2),
        ("classifier", "breast_cancer", {"loss": "log_loss", "penalty": "elasticnet",
                                         "learning_rate": "invscaling", "eta0": 0.05}, 64, 3),
        # Not averaged: scikit-learn 1.9.1's classifiers lose the plain SGD intercept between
        # averaged partial_fit calls (they keep only the averaged one), which kiln does not
        # copy; averaged partial_fit is pinned on the regressor, which keeps both.
        ("classifier", "penguins", {"loss": "log_loss", "learning_rate": "constant",
                                    "eta0": 0.05, "penalty": "l1"}, 50, 2),
        ("classifier", "penguins", {"loss": "modified_huber", "weighted": True,
                                    "class_weight": [[1, 3.0]]}, 40, 2),
        ("regressor", "diabetes", {"penalty": "l1", "alpha": 0.01}, 60, 3),
        ("regressor", "diabetes", {"average": True, "learning_rate": "constant"}, 50, 2),
        ("regressor", "diabetes", {"loss": "huber", "epsilon": 5.0, "average": 10,
                                   "weighted": True}, 100, 2),
    ]
    for kind, data, params, size, passes in specs:
        x, y = sets[data]
        model = make(kind, params)
        sw = weights(len(y)) if params.get("weighted") else None
        chunks = batches(len(y), size)
        for _ in range(passes):
            for a, b in chunks:
                w = None if sw is None else sw[a:b]
                if kind == "classifier":
                    model.partial_fit(x[a:b], y[a:b], classes=np.unique(y), sample_weight=w)
                else:
                    model.partial_fit(x[a:b], y[a:b], sample_weight=w)
        rec = record(model, params, {"data": data, "kind": kind, "batch_size": size,
                                     "passes": passes})
        cases.append(rec)
    return cases


def shuffled_spread(sets):
    out = []
    for data, kind, params in (
        ("breast_cancer", "classifier", {"loss": "hinge"}),
        ("breast_cancer", "classifier", {"loss": "log_loss"}),
        ("penguins", "classifier", {"loss": "hinge"}),
        ("diabetes", "regressor", {}),
        ("diabetes", "regressor", {"loss": "huber", "epsilon": 10.0}),
    ):
        x, y = sets[data]
        scores, iters = [], []
        for seed in range(20):
            kw = dict(params, shuffle=True, random_state=seed, tol=1e-3, max_iter=1000)
            est = SGDClassifier if kind == "classifier" else SGDRegressor
            m = est(**kw).fit(x, y)
            scores.append(float(m.score(x, y)))
            iters.append(int(m.n_iter_))
        out.append({"data": data, "kind": kind, "params": params, "scores": scores,
                    "n_iters": iters})
    return out


def main():
    sets = {name: load(name) for name in ("breast_cancer", "penguins", "diabetes")}
    doc = {
        "sklearn_version": sklearn.__version__,
        "classification": classification_cases(sets),
        "regression": regression_cases(*sets["diabetes"]),
        "partial_fit": partial_fit_cases(sets),
        "shuffled": shuffled_spread(sets),
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(f"wrote {OUT}: {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
