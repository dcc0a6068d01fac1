"""Reference outputs of scikit-learn for kiln-linear's LogisticRegression.

Run from the repository root with the peers' environment (scikit-learn 1.9.1, SciPy 1.17.1):

    benches/peers/.venv/bin/python crates/kiln-linear/tests/reference/logistic_reference.py

(If that environment is missing: `bash /work/shared/reference/setup-venv.sh /tmp/venv-ref`, then
use `/tmp/venv-ref/main/bin/python`.)

It writes `crates/kiln-linear/tests/fixtures/logistic.json`, read by `tests/logistic.rs`.

Data: the numeric feature columns of the bundled CSVs in crates/kiln-datasets/data, in the
order of kiln-datasets' `features_numeric`, rows with a missing value dropped, each column
standardized with the population standard deviation (the Rust test standardizes the same way;
the standardized matrix is not stored, to keep the fixture small). Targets are coded as
kiln-datasets codes them (class labels sorted, index = position).

Solvers: L2 cases use newton-cholesky run to tol=1e-12 (lbfgs stops on its ftol about 1e-6
away from the optimum in the coefficients, too far for a 1e-5 comparison); each is
cross-checked against lbfgs. Multinomial intercepts are centred to sum to zero over the
classes (the objective does not depend on their sum), which is what the default lbfgs
returns, since it starts at zero and every gradient of the intercepts sums to zero. L1 and
elastic-net cases use saga run to tol=1e-13 (its tolerance is on the relative change of the
coefficients).

For each case the fixture stores: coef (n_classes or 1 rows), intercept, n_iter of the
reference solver, the mean training log-loss (unweighted, sklearn.metrics.log_loss) and the
objective value C * sum(s_i * loss_i) + penalty, with s_i the sample weight times the class
weight, and the predicted probabilities of the first five rows.
"""

import csv
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures", "logistic.json")

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
}
TARGET = {"breast_cancer": "target", "penguins": "species"}


def load(name):
    with open(os.path.join(DATA, name + ".csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array(
        [[float(r[c]) if r[c] != "" else np.nan for c in FEATURES[name]] for r in rows]
    )
    raw = [r[TARGET[name]] for r in rows]
    classes = sorted(set(raw))
    y = np.array([classes.index(v) for v in raw])
    keep = ~np.isnan(x).any(axis=1)
    x, y = x[keep], y[keep]
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x, y


def weights(n):
    # Exact in binary; tests/logistic.rs builds the same.
    return np.array([1.0 + (i % 5) * 0.5 for i in range(n)])


def objective(est, x, y, s, C, l1_ratio):
    """C * sum(s_i * loss_i) + (1 - l1_ratio) / 2 * ||W||^2 + l1_ratio * ||W||_1."""
    proba = est.predict_proba(x)
    idx = np.searchsorted(est.classes_, y)
    loss = -np.log(np.clip(proba[np.arange(len(y)), idx], 1e-300, None))
    w = est.coef_
    pen = 0.0
    if np.isfinite(C):
        pen = (1 - l1_ratio) / 2 * np.sum(w * w) + l1_ratio * np.sum(np.abs(w))
        return float(C * np.sum(s * loss) + pen)
    return float(np.sum(s * loss))


def effective_weights(y, sw, class_weight):
    s = np.ones(len(y)) if sw is None else sw.copy()
    if class_weight == "balanced":
        counts = np.bincount(y, weights=s)
        cw = counts.sum() / (len(counts) * counts)
        s = s * cw[y]
    elif isinstance(class_weight, dict):
        s = s * np.array([class_weight.get(int(c), 1.0) for c in y])
    return s


def fit_case(data, x, y, C=1.0, l1_ratio=0.0, class_weight=None, weighted=False,
             fit_intercept=True):
    sw = weights(len(y)) if weighted else None
    common = dict(C=C, l1_ratio=l1_ratio, class_weight=class_weight,
                  fit_intercept=fit_intercept)
    if l1_ratio == 0.0:
        est = LogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=1000, **common)
        est.fit(x, y, sample_weight=sw)
        if len(est.classes_) > 2 and fit_intercept:
            # The objective does not change when a constant is added to every class's
            # intercept; report the representative lbfgs (the default solver) returns.
            est.intercept_ = est.intercept_ - est.intercept_.mean()
        check = LogisticRegression(solver="lbfgs", tol=1e-10, max_iter=100000, **common)
        check.fit(x, y, sample_weight=sw)
        dp = np.max(np.abs(est.predict_proba(x) - check.predict_proba(x)))
        assert dp < 1e-5, (data, common, dp)
    else:
        est = LogisticRegression(solver="saga", tol=1e-13, max_iter=2_000_000, **common)
        est.fit(x, y, sample_weight=sw)
    s = effective_weights(y, sw, class_weight)
    cw = class_weight
    if isinstance(cw, dict):
        cw = {str(k): v for k, v in cw.items()}
    return {
        "data": data,
        "C": "inf" if not np.isfinite(C) else C,
        "l1_ratio": l1_ratio,
        "class_weight": cw,
        "weighted": weighted,
        "fit_intercept": fit_intercept,
        "solver": est.solver,
        "n_iter": int(np.max(est.n_iter_)),
        "coef": est.coef_.tolist(),
        "intercept": np.atleast_1d(est.intercept_).tolist(),
        "log_loss": float(log_loss(y, est.predict_proba(x))),
        "objective": objective(est, x, y, s, C, l1_ratio),
        "proba_head": est.predict_proba(x[:5]).tolist(),
    }


def main():
    cases = []
    bc = load("breast_cancer")
    pg = load("penguins")
    for data, (x, y) in [("breast_cancer", bc), ("penguins", pg)]:
        cases.append(fit_case(data, x, y))
        cases.append(fit_case(data, x, y, C=0.1, class_weight="balanced"))
        cases.append(fit_case(data, x, y, C=3.0, weighted=True, class_weight={0: 2.5}))
        cases.append(fit_case(data, x, y, C=0.5, fit_intercept=False))
        cases.append(fit_case(data, x, y, C=0.5, l1_ratio=1.0))
        cases.append(fit_case(data, x, y, C=0.5, l1_ratio=0.5, class_weight="balanced"))
        cases.append(fit_case(data, x, y, C=2.0, l1_ratio=0.3, weighted=True))
    # A wide synthetic problem (3 classes x 351 parameters > 1000) takes kiln's L-BFGS path.
    # X is a deterministic formula, rebuilt the same way by tests/logistic.rs.
    n, p = 300, 350
    i = np.arange(n)[:, None]
    j = np.arange(p)[None, :]
    xw = np.sin(0.37 * i + 1.13 * j) + 0.5 * np.cos(0.11 * i * (j % 7 + 1))
    yw = (np.arange(n) * 7 + (xw[:, 0] > 0)) % 3
    cases.append(fit_case("wide", xw, yw, C=0.5))
    doc = {
        "generator": "tests/reference/logistic_reference.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
    for c in cases:
        print(c["data"], c["C"], c["l1_ratio"], c["class_weight"], c["weighted"],
              c["fit_intercept"], c["solver"], c["n_iter"], c["log_loss"])


if __name__ == "__main__":
    main()
