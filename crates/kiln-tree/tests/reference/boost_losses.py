"""Reference values for kiln-tree's histogram gradient boosting beyond binary/multiclass
log-loss and squared error without weights (which `boost_reference.py` covers), from
scikit-learn 1.9.1.

Run with the peers' interpreter from the workspace root (a few seconds):

    benches/peers/.venv/bin/python crates/kiln-tree/tests/reference/boost_losses.py

It writes `tests/fixtures/boost_losses.json`, read by `tests/boost_losses.rs`: for each case,
one scikit-learn HistGradientBoosting* model fitted on all rows of a data set
(early_stopping=False, max_bins=255, random_state=0, every other parameter at its default
unless the case says so), its baseline and its raw scores on the training rows
(`predict` for the regressor, `decision_function` plus the predicted class for classifiers),
and for the regressor with Poisson loss and 20 iterations also `predict` (exp of the raw
score). Scores are rounded to 12 significant digits.

Cases: absolute error, quantile 0.8 and Poisson loss; squared, absolute and quantile loss with
sample weights; classifiers with sample weights and with class_weight="balanced"; monotonic
constraints; l2_regularization with max_leaf_nodes and max_depth; max_iter 1, 5 and 20.
`max_features < 1` is left out: its draws come from another generator than kiln's.

Data: diabetes (all 442 rows, encoded as in `boost_reference.py`: the numeric columns in
order), penguins (numeric columns, then island and sex coded as the index of the value among
the sorted distinct strings, missing -> NaN), breast_cancer, and a seeded synthetic count data
set for Poisson loss, saved in the fixture. Sample weights are seeded, positive, with two
decimals, and saved in the fixture.

Weighted binning: scikit-learn 1.9 bins with the sample weights (rows of weight 0 are dropped
before the distinct values are counted, and a feature with more than max_bins distinct values
gets weighted `averaged_inverted_cdf` quantiles); kiln bins without weights. The two agree
when every feature has at most max_bins distinct values among positively weighted rows, which
holds for penguins and for diabetes without its `s2` column (302 distinct values) but not for
the full diabetes nor breast_cancer. Each weighted case records `weighted_binning_differs`
(whether scikit-learn's thresholds with the weights differ from those without), and the
breast_cancer case also `raw_scores_unweighted_binning`: scikit-learn's scores when its bin
mapper is given no weights (everything else weighted), which isolates the binning.

Each case also records `perturbation`: how far scikit-learn's scores move when it refits with
the features in reverse order (ties between candidate splits then break the other way); a
value above 1e-9 means the case has exact ties and another correct implementation may grow
other trees.

JSON: NaN is written as null. Floats are written with Python's shortest round-trip repr.
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.ensemble._hist_gradient_boosting.binning import _BinMapper

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "boost_losses.json")
sys.path.insert(0, HERE)
from boost_reference import load  # noqa: E402  (the shared data encoding)

DIABETES_WITHOUT_S2 = [0, 1, 2, 3, 4, 6, 7, 8, 9]


def r(v):
    """Shortest round-trip float, NaN as None."""
    v = float(v)
    return None if math.isnan(v) else v


def r12(v):
    """A score rounded to 12 significant digits (the tests compare at 1e-9; this keeps the
    fixture small)."""
    v = float(v)
    return None if math.isnan(v) else float(f"{v:.12g}")


def poisson_data():
    rng = np.random.default_rng(20260101)
    n = 200
    x = np.round(rng.normal(size=(n, 4)), 3)
    lam = np.exp(0.4 * x[:, 0] - 0.3 * x[:, 1] + 0.25 * x[:, 2] * x[:, 3] + 0.5)
    y = rng.poisson(lam).astype(float)
    return x, y


def quantile_tie_data():
    """Ten rows whose 0.8 quantile (the baseline) equals the target of the last three rows."""
    x = np.arange(10.0).reshape(-1, 1)
    y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 8.0, 8.0])
    return x, y


class UnweightedBinning:
    """Within the block, scikit-learn bins without the sample weights (as kiln does)."""

    def __enter__(self):
        self.fit = _BinMapper.fit

        def fit(mapper, X, y=None, sample_weight=None):
            return self.fit(mapper, X, y)

        _BinMapper.fit = fit

    def __exit__(self, *exc):
        _BinMapper.fit = self.fit


def weights(n, seed):
    rng = np.random.default_rng(seed)
    return rng.integers(50, 301, size=n) / 100.0


def model(kind, params, cat_idx):
    common = dict(early_stopping=False, max_bins=255, random_state=0,
                  categorical_features=cat_idx or None, **params)
    if kind == "regressor":
        return HistGradientBoostingRegressor(**common)
    return HistGradientBoostingClassifier(**common)


def raw(est, x, kind):
    if kind == "regressor":
        return est._raw_predict(x).reshape(len(x), -1)
    return est.decision_function(x).reshape(len(x), -1)


def thresholds(est):
    return [np.asarray(t, dtype=float) for t in est._bin_mapper.bin_thresholds_]


def main():
    data = {}
    x, y, cat = load("diabetes")
    data["diabetes"] = (x, y, cat)
    data["diabetes_without_s2"] = (x[:, DIABETES_WITHOUT_S2].copy(), y, [])
    data["penguins"] = load("penguins")
    # scikit-learn moves categorical columns to the front of its internal matrix, so on an
    # exact tie between a categorical and a numeric feature it picks the categorical one;
    # with the categorical columns first the two scan orders coincide.
    px_, py_, _ = data["penguins"]
    data["penguins_categorical_first"] = (px_[:, [5, 6, 0, 1, 2, 3, 4]].copy(), py_, [0, 1])
    data["breast_cancer"] = load("breast_cancer")
    px, py = poisson_data()
    data["counts"] = (px, py, [])
    tx, ty = quantile_tie_data()
    data["quantile_tie"] = (tx, ty, [])
    w_diabetes = weights(442, 1)
    w_penguins = weights(344, 2)
    w_cancer = weights(569, 3)
    wmap = {"diabetes": w_diabetes, "diabetes_without_s2": w_diabetes,
            "penguins": w_penguins, "penguins_categorical_first": w_penguins,
            "breast_cancer": w_cancer}

    specs = [
        # name, data, kind, params, weighted
        ("absolute_error_iter5", "diabetes", "regressor", dict(loss="absolute_error", max_iter=5), False),
        ("absolute_error_iter20", "diabetes", "regressor", dict(loss="absolute_error", max_iter=20), False),
        ("quantile_0.8_iter1", "diabetes", "regressor", dict(loss="quantile", quantile=0.8, max_iter=1), False),
        ("quantile_0.8_iter20", "diabetes", "regressor", dict(loss="quantile", quantile=0.8, max_iter=20), False),
        ("poisson_iter1", "counts", "regressor", dict(loss="poisson", max_iter=1), False),
        ("poisson_iter5", "counts", "regressor", dict(loss="poisson", max_iter=5), False),
        ("poisson_iter20", "counts", "regressor", dict(loss="poisson", max_iter=20), False),
        ("squared_weighted_iter20", "diabetes_without_s2", "regressor", dict(max_iter=20), True),
        ("absolute_error_weighted_iter5", "diabetes_without_s2", "regressor",
         dict(loss="absolute_error", max_iter=5), True),
        ("quantile_0.8_weighted_iter5", "diabetes_without_s2", "regressor",
         dict(loss="quantile", quantile=0.8, max_iter=5), True),
        ("squared_weighted_all_columns_iter5", "diabetes", "regressor", dict(max_iter=5), True),
        ("monotonic_iter20", "diabetes", "regressor",
         dict(max_iter=20, monotonic_cst=[1, 0, -1, 0, 1, 0, -1, 0, 1, 0]), False),
        ("l2_leaves8_depth3_iter20", "diabetes", "regressor",
         dict(max_iter=20, l2_regularization=1.0, max_leaf_nodes=8, max_depth=3), False),
        ("quantile_tie_iter1", "quantile_tie", "regressor",
         dict(loss="quantile", quantile=0.8, max_iter=1, min_samples_leaf=1), False),
        ("classifier_weighted_iter5", "penguins_categorical_first", "classifier",
         dict(max_iter=5), True),
        ("classifier_balanced_iter5", "penguins", "classifier",
         dict(max_iter=5, class_weight="balanced"), False),
        ("classifier_weighted_breast_cancer_iter5", "breast_cancer", "classifier",
         dict(max_iter=5), True),
    ]
    cases = []
    for name, ds, kind, params, weighted in specs:
        x, y, cat_idx = data[ds]
        w = wmap[ds] if weighted else None
        est = model(kind, params, cat_idx).fit(x, y, sample_weight=w)
        assert est.n_iter_ == params["max_iter"]
        scores = raw(est, x, kind)
        # Reverse the features (and what refers to them) to expose exact ties.
        p = x.shape[1]
        perm = list(range(p))[::-1]
        rparams = dict(params)
        if "monotonic_cst" in rparams:
            rparams["monotonic_cst"] = [params["monotonic_cst"][j] for j in perm]
        rcat = sorted(perm.index(j) for j in cat_idx)
        rest = model(kind, rparams, rcat).fit(x[:, perm], y, sample_weight=w)
        pert = float(np.max(np.abs(raw(rest, x[:, perm], kind) - scores)))
        case = {
            "name": name,
            "data": ds,
            "kind": kind,
            "params": params,
            "weighted": weighted,
            "categorical_features": cat_idx,
            "baseline": [r(v) for v in np.ravel(est._baseline_prediction)],
            "n_leaves": [[pr.get_n_leaf_nodes() for pr in it] for it in est._predictors],
            "perturbation": pert,
            "raw_scores": [[r12(v) for v in row] for row in scores] if scores.shape[1] > 1
            else [r12(v) for v in scores[:, 0]],
        }
        if kind == "classifier":
            case["predicted"] = "".join(str(int(c)) for c in est.predict(x))
        elif params.get("loss") == "poisson" and params["max_iter"] == 20:
            case["predict"] = [r12(v) for v in est.predict(x)]
        if weighted:
            plain = model(kind, params, cat_idx).fit(x, y)
            differs = [j for j, (a, b) in enumerate(zip(thresholds(est), thresholds(plain)))
                       if a.shape != b.shape or np.any(a != b)]
            case["weighted_binning_differs"] = bool(differs)
            case["weighted_binning_features"] = differs
            if differs and kind == "classifier":
                with UnweightedBinning():
                    alt = model(kind, params, cat_idx).fit(x, y, sample_weight=w)
                case["raw_scores_unweighted_binning"] = [r12(v) for v in raw(alt, x, kind)[:, 0]]
        cases.append(case)
        print(f"{name:42s} leaves={case['n_leaves'][-1]} perturbation={pert:.3g}"
              + (f" weighted binning differs on {case['weighted_binning_features']}"
                 if weighted else ""))

    doc = {
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "counts": {"x": [[r(v) for v in row] for row in px], "y": [int(v) for v in py]},
        "weights": {"diabetes": [r(v) for v in w_diabetes],
                    "penguins": [r(v) for v in w_penguins],
                    "breast_cancer": [r(v) for v in w_cancer]},
        "diabetes_without_s2": DIABETES_WITHOUT_S2,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
