"""Reference statistics for kiln-select's paired model comparison (`compare.rs`).

Run from the repository root with the peers' environment (scikit-learn 1.9.1, SciPy 1.17.1):

    benches/peers/.venv/bin/python crates/kiln-select/tests/reference/compare_reference.py

It writes `crates/kiln-select/tests/fixtures/compare.json`, read by `tests/compare.rs`.

Fold scores come from real models: `cross_val_score` of two scikit-learn models on the same
folds of a bundled data set. The corrected resampled t-test of Nadeau & Bengio (2003) is
written out below from its formula; the t distribution is SciPy's `scipy.stats.t`, and the
plain paired test is cross-checked against `scipy.stats.ttest_rel`. `cv_case` (Ridge vs
LinearRegression, unshuffled 5-fold on diabetes) is the reference of `compare_models`, where
kiln fits its own models on the same folds. `t_ppf` holds `scipy.stats.t.ppf` on a grid.
"""

import csv
import json
import math
import os
import warnings

import numpy as np
import scipy
import sklearn
from scipy import stats
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, RepeatedKFold, StratifiedKFold, cross_val_score
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures", "compare.json")


def load(name, target, classes=None):
    with open(os.path.join(DATA, name + ".csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    feats = [c for c in rows[0] if c != target]
    x = np.array([[float(r[c]) for c in feats] for r in rows])
    if classes is None:
        y = np.array([float(r[target]) for r in rows])
    else:
        y = np.array([classes.index(r[target]) for r in rows])
    return x, y


def tests(a, b, n_train, n_test, confidence, maximize):
    d = np.asarray(a) - np.asarray(b)
    k = len(d)
    mean = float(np.mean(d))
    var = float(np.var(d, ddof=1))
    df = k - 1
    q = float(stats.t.ppf(0.5 + confidence / 2.0, df))
    out = {}
    for name, se in [
        ("corrected", math.sqrt((1.0 / k + n_test / n_train) * var)),
        ("paired", math.sqrt(var / k)),
    ]:
        t = mean / se
        out[name] = {
            "std_error": se,
            "t": t,
            "df": df,
            "p_two_sided": float(2.0 * stats.t.sf(abs(t), df)),
            "p_a_better": float(stats.t.sf(t, df) if maximize else stats.t.cdf(t, df)),
            "ci_low": mean - q * se,
            "ci_high": mean + q * se,
        }
    rel = stats.ttest_rel(a, b)
    assert abs(rel.statistic - out["paired"]["t"]) <= 1e-12 * abs(rel.statistic)
    assert abs(rel.pvalue - out["paired"]["p_two_sided"]) <= 1e-12 * max(rel.pvalue, 1e-300)
    return {
        "mean_a": float(np.mean(a)),
        "mean_b": float(np.mean(b)),
        "mean_difference": mean,
        "std_difference": math.sqrt(var),
        **out,
    }


def case(name, a, b, n, cv_folds, metric, maximize, confidence, note):
    n_test = n // cv_folds
    n_train = n - n_test
    return {
        "name": name,
        "note": note,
        "metric": metric,
        "maximize": maximize,
        "confidence": confidence,
        "n_train": n_train,
        "n_test": n_test,
        "scores_a": [float(v) for v in a],
        "scores_b": [float(v) for v in b],
        "expected": tests(a, b, n_train, n_test, confidence, maximize),
    }


cases = []

x, y = load("breast_cancer", "target", ["0", "1"])
folds = KFold(10, shuffle=True, random_state=0)
a = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression(max_iter=10000)), x, y, cv=folds, scoring="accuracy")
b = cross_val_score(DecisionTreeClassifier(random_state=0), x, y, cv=folds, scoring="accuracy")
for conf in (0.95, 0.9):
    cases.append(case(f"breast_cancer_logistic_vs_tree_{conf}", a, b, len(y), 10, "accuracy", True, conf,
                      "10-fold KFold(shuffle, random_state=0)"))

x, y = load("diabetes", "target")
folds = RepeatedKFold(n_splits=5, n_repeats=3, random_state=0)
a = -cross_val_score(Ridge(alpha=1.0), x, y, cv=folds, scoring="neg_mean_squared_error")
b = -cross_val_score(DecisionTreeRegressor(max_depth=3, random_state=0), x, y, cv=folds, scoring="neg_mean_squared_error")
cases.append(case("diabetes_ridge_vs_tree_mse", a, b, len(y), 5, "mse", False, 0.95,
                  "RepeatedKFold(5 splits, 3 repeats, random_state=0): 15 folds"))
cases.append(case("diabetes_tree_vs_ridge_mse", b, a, len(y), 5, "mse", False, 0.95,
                  "the same folds, models swapped"))

x, y = load("iris", "target", ["0", "1", "2"])
folds = StratifiedKFold(5, shuffle=True, random_state=1)
a = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression(max_iter=10000)), x, y, cv=folds, scoring="accuracy")
b = cross_val_score(GaussianNB(), x, y, cv=folds, scoring="accuracy")
cases.append(case("iris_logistic_vs_nb", a, b, len(y), 5, "accuracy", True, 0.95,
                  "StratifiedKFold(5, shuffle, random_state=1)"))

# compare_models: kiln cross-validates its own Ridge and LinearRegression on the same
# unshuffled 5-fold split (contiguous folds, identical in both libraries); their closed-form
# fits agree with scikit-learn's to rounding, so this case is checked to a looser tolerance.
x, y = load("diabetes", "target")
from sklearn.linear_model import LinearRegression
folds = KFold(5)
a = -cross_val_score(Ridge(alpha=1.0), x, y, cv=folds, scoring="neg_mean_squared_error")
b = -cross_val_score(LinearRegression(), x, y, cv=folds, scoring="neg_mean_squared_error")
sizes = [len(t) for _, t in folds.split(x)]
n_test = round(sum(sizes) / len(sizes))
cv_case = case("diabetes_ridge_vs_ols_kfold5", a, b, len(y), 5, "mse", False, 0.95, "KFold(5), unshuffled")
cv_case["n_test"] = n_test
cv_case["n_train"] = len(y) - n_test
cv_case["expected"] = tests(a, b, len(y) - n_test, n_test, 0.95, False)

ppf = []
for df in [1, 2, 3, 4.5, 9, 14, 29, 100, 1000]:
    for p in [1e-10, 1e-4, 0.01, 0.025, 0.05, 0.1, 0.3, 0.6, 0.9, 0.95, 0.975, 0.999]:
        ppf.append({"df": df, "p": p, "t": float(stats.t.ppf(p, df))})

doc = {
    "generator": "crates/kiln-select/tests/reference/compare_reference.py",
    "versions": {"sklearn": sklearn.__version__, "scipy": scipy.__version__, "numpy": np.__version__},
    "cases": cases,
    "cv_case": cv_case,
    "t_ppf": ppf,
}
with open(OUT, "w") as f:
    json.dump(doc, f, indent=1)
print("wrote", OUT, [ (c["name"], round(c["expected"]["corrected"]["p_two_sided"], 4)) for c in cases])
