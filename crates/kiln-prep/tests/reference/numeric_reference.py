"""Reference outputs of scikit-learn / SciPy for kiln-prep's scalers, imputer and selectors.

Run from the repository root with the peers' environment (scikit-learn 1.9.1, SciPy 1.17.1):

    benches/peers/.venv/bin/python crates/kiln-prep/tests/reference/numeric_reference.py

(If that environment is missing: `bash /work/shared/reference/setup-venv.sh /tmp/venv-ref`, then
use `/tmp/venv-ref/main/bin/python`.)

It writes `crates/kiln-prep/tests/fixtures/numeric_{scale,impute,select}.json`, read by
`tests/scale.rs`, `tests/impute.rs` and `tests/select.rs`.

Encoding: NaN is written as JSON `null`, +inf and -inf as the strings "inf" and "-inf" (JSON
has no non-finite numbers); every other float as its shortest round-trip decimal. Matrices are
lists of rows. To keep the files small each case stores the fitted attributes plus the
transform of a few selected rows ("rows": indices into the data set: the first 5 and the first
5 holding a missing value), not whole outputs; the Rust tests check inverse transforms as round
trips.

Data: the numeric feature columns of the bundled CSVs in crates/kiln-datasets/data, in the
order of kiln-datasets' `features_numeric` (an empty cell is NaN), and the targets coded as
kiln-datasets codes them (class labels sorted, index = position).
"""

import csv
import json
import math
import os
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.feature_selection import (
    SelectKBest,
    SelectPercentile,
    VarianceThreshold,
    chi2,
    f_classif,
    f_regression,
)
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures")

FEATURES = {
    "iris": ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"],
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
    "diabetes": ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"],
    "penguins": ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year"],
    "credit_scoring": [
        "seniority", "time", "age", "expenses", "income", "assets", "debt", "amount", "price",
    ],
}
TARGET = {
    "iris": "target",
    "breast_cancer": "target",
    "diabetes": "target",
    "penguins": "species",
    "credit_scoring": "status",
}
REGRESSION = {"diabetes"}


def load(name):
    with open(os.path.join(DATA, name + ".csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array(
        [[float(r[c]) if r[c] != "" else np.nan for c in FEATURES[name]] for r in rows]
    )
    raw = [r[TARGET[name]] for r in rows]
    if name in REGRESSION:
        y = np.array([float(v) for v in raw])
    else:
        classes = sorted(set(raw))
        y = np.array([classes.index(v) for v in raw])
    return x, y


def enc(a):
    """Nested lists with NaN as None and +/-inf as the strings "inf" / "-inf"."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        v = float(a)
        if math.isnan(v):
            return None
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    return [enc(v) for v in a]


def rows_of(x):
    """The first 5 rows, then up to 5 rows holding a missing value."""
    first = list(range(min(5, len(x))))
    missing = [i for i in range(len(x)) if np.isnan(x[i]).any() and i not in first][:5]
    return first + missing


def weights(n):
    # Exact in binary; tests/scale.rs builds the same.
    return np.array([1.0 + (i % 5) * 0.5 for i in range(n)])


EDGE_SCALE = np.array(
    [
        # constant, single value, all missing, regular, constant 0.1 (rounding in the mean)
        [1.0, 5.0, np.nan, 2.0, 0.1],
        [1.0, np.nan, np.nan, 3.0, 0.1],
        [1.0, np.nan, np.nan, 2.5, 0.1],
        [1.0, np.nan, np.nan, 7.0, 0.1],
        [1.0, np.nan, np.nan, -1.0, 0.1],
    ]
)

EDGE_IMPUTE = np.array(
    [
        # tie for most frequent (1 and 3 -> 1), even count median, all missing, no missing
        [3.0, 4.0, np.nan, 1.0],
        [1.0, np.nan, np.nan, 2.0],
        [3.0, 2.0, np.nan, 3.0],
        [1.0, 8.0, np.nan, 4.0],
        [np.nan, 6.0, np.nan, 5.0],
        [2.0, np.nan, np.nan, 6.0],
    ]
)


def scaler_attrs(est):
    out = {}
    for attr in ["mean_", "var_", "scale_", "n_samples_seen_", "data_min_", "data_max_",
                 "data_range_", "min_", "center_", "max_abs_"]:
        if hasattr(est, attr):
            v = getattr(est, attr)
            if v is None:
                out[attr.rstrip("_")] = None
            else:
                v = np.asarray(v, dtype=float)
                if v.ndim == 0:
                    v = np.full(est.n_features_in_, float(v))
                out[attr.rstrip("_")] = enc(v)
    return out


def scale_cases():
    cases = []
    specs = [
        ("StandardScaler", {}, StandardScaler()),
        ("StandardScaler", {"with_mean": False}, StandardScaler(with_mean=False)),
        ("StandardScaler", {"with_std": False}, StandardScaler(with_std=False)),
        ("MinMaxScaler", {}, MinMaxScaler()),
        ("MinMaxScaler", {"feature_range": [-2.0, 3.0], "clip": True},
         MinMaxScaler(feature_range=(-2.0, 3.0), clip=True)),
        ("RobustScaler", {}, RobustScaler()),
        ("RobustScaler", {"quantile_range": [10.0, 90.0], "unit_variance": True},
         RobustScaler(quantile_range=(10.0, 90.0), unit_variance=True)),
        ("RobustScaler", {"with_centering": False}, RobustScaler(with_centering=False)),
        ("MaxAbsScaler", {}, MaxAbsScaler()),
    ]
    sets = ["breast_cancer", "diabetes", "iris", "penguins", "credit_scoring", "edge"]
    for data in sets:
        x = EDGE_SCALE if data == "edge" else load(data)[0]
        rows = list(range(len(x))) if data == "edge" else rows_of(x)
        for kind, params, est in specs:
            est = sklearn.base.clone(est).fit(x)
            # New data (1.5 x - 1) leaves the fitted range: exercises MinMaxScaler's clip.
            other = 1.5 * x[rows] - 1.0
            case = {
                "data": data,
                "estimator": kind,
                "params": params,
                "weighted": False,
                "attrs": scaler_attrs(est),
                "rows": rows,
                "transform": enc(est.transform(x[rows])),
            }
            if kind == "MinMaxScaler":
                case["transform_other"] = enc(est.transform(other))
            cases.append(case)
        # Sample weights: StandardScaler only.
        w = weights(len(x))
        est = StandardScaler().fit(x, sample_weight=w)
        cases.append({
            "data": data,
            "estimator": "StandardScaler",
            "params": {},
            "weighted": True,
            "attrs": scaler_attrs(est),
            "rows": rows,
            "transform": enc(est.transform(x[rows])),
        })
    return {"edge_x": enc(EDGE_SCALE), "cases": cases}


def impute_cases():
    cases = []
    strategies = [
        ("mean", None), ("median", None), ("most_frequent", None), ("constant", 7.5),
    ]
    for data in ["penguins", "credit_scoring", "edge"]:
        x = EDGE_IMPUTE if data == "edge" else load(data)[0]
        names = [f"f{j}" for j in range(x.shape[1])] if data == "edge" else FEATURES[data]
        rows = list(range(len(x))) if data == "edge" else rows_of(x)
        for strategy, fill in strategies:
            for add_indicator, keep_empty in [(False, False), (True, False), (True, True)]:
                est = SimpleImputer(
                    strategy=strategy,
                    fill_value=fill,
                    add_indicator=add_indicator,
                    keep_empty_features=keep_empty,
                ).fit(x)
                ind = est.indicator_.features_.tolist() if add_indicator else []
                cases.append({
                    "data": data,
                    "strategy": strategy,
                    "fill_value": fill,
                    "add_indicator": add_indicator,
                    "keep_empty_features": keep_empty,
                    "statistics": enc(est.statistics_),
                    "indicator_features": ind,
                    "feature_names_in": names,
                    "feature_names_out": est.get_feature_names_out(names).tolist(),
                    "rows": rows,
                    "transform": enc(est.transform(x[rows])),
                })
    return {"edge_x": enc(EDGE_IMPUTE), "cases": cases}


EDGE_SELECT_X = np.array(
    [
        # constant (integer), duplicate of column 2, feature, constant within class
        [3.0, 1.0, 1.0, 0.0],
        [3.0, 2.0, 2.0, 0.0],
        [3.0, 4.0, 4.0, 5.0],
        [3.0, 3.0, 3.0, 5.0],
        [3.0, 0.0, 0.0, 5.0],
    ]
)
EDGE_SELECT_Y = np.array([0, 0, 1, 1, 1])
# A regression target that no column matches exactly (an exactly collinear column makes
# scikit-learn's F depend on rounding; tests/select.rs checks that case on its own).
EDGE_SELECT_Y_REG = np.array([0.25, 0.35, 1.75, 1.95, 1.8])


def select_cases():
    scores = []
    for data in ["iris", "breast_cancer", "edge"]:
        x, y = (EDGE_SELECT_X, EDGE_SELECT_Y) if data == "edge" else load(data)
        f, p = f_classif(x, y)
        scores.append({"data": data, "func": "f_classif", "score": enc(f), "pvalue": enc(p)})
        c, p = chi2(x, y)
        scores.append({"data": data, "func": "chi2", "score": enc(c), "pvalue": enc(p)})
    for data in ["diabetes", "breast_cancer", "edge"]:
        x, y = (EDGE_SELECT_X, EDGE_SELECT_Y_REG) if data == "edge" else load(data)
        y = y.astype(float)
        f, p = f_regression(x, y)
        scores.append({"data": data, "func": "f_regression", "score": enc(f), "pvalue": enc(p)})

    selectors = []
    specs = [
        ("breast_cancer", "SelectKBest", "f_classif", {"k": 5}),
        ("breast_cancer", "SelectKBest", "chi2", {"k": 7}),
        ("iris", "SelectKBest", "chi2", {"k": 2}),
        ("iris", "SelectKBest", "f_classif", {"k": 50}),
        ("iris", "SelectKBest", "f_classif", {"k": 0}),
        ("diabetes", "SelectKBest", "f_regression", {"k": 3}),
        ("edge", "SelectKBest", "f_classif", {"k": 1}),
        ("edge", "SelectKBest", "f_classif", {"k": 2}),
        ("edge", "SelectKBest", "chi2", {"k": 1}),
        ("breast_cancer", "SelectPercentile", "f_classif", {"percentile": 10.0}),
        ("breast_cancer", "SelectPercentile", "chi2", {"percentile": 33.0}),
        ("diabetes", "SelectPercentile", "f_regression", {"percentile": 30.0}),
        ("edge", "SelectPercentile", "f_classif", {"percentile": 50.0}),
        ("edge", "SelectPercentile", "chi2", {"percentile": 25.0}),
    ]
    funcs = {"f_classif": f_classif, "chi2": chi2, "f_regression": f_regression}
    for data, kind, func, params in specs:
        x, y = (EDGE_SELECT_X, EDGE_SELECT_Y) if data == "edge" else load(data)
        if func == "f_regression":
            y = y.astype(float)
        cls = SelectKBest if kind == "SelectKBest" else SelectPercentile
        est = cls(funcs[func], **params).fit(x, y)
        rows = list(range(min(20, len(x))))
        selectors.append({
            "data": data,
            "estimator": kind,
            "func": func,
            "params": params,
            "support": est.get_support().tolist(),
            "rows": rows,
            "transform": enc(est.transform(x[rows])),
        })

    variance = []
    edge = np.array([[0.0, 1.0, np.nan, 2.0], [0.0, 1.0, 4.0, 2.0], [0.0, 1.0, 6.0, 2.1]])
    for data, threshold in [
        ("breast_cancer", 0.0), ("breast_cancer", 0.5), ("diabetes", 0.0), ("penguins", 0.0),
        ("credit_scoring", 1000.0), ("edge", 0.0),
    ]:
        x = edge if data == "edge" else load(data)[0]
        est = VarianceThreshold(threshold=threshold).fit(x)
        rows = list(range(len(x))) if data == "edge" else rows_of(x)
        variance.append({
            "data": data,
            "threshold": threshold,
            "variances": enc(est.variances_),
            "support": est.get_support().tolist(),
            "rows": rows,
            "transform": enc(est.transform(x[rows])),
        })
    return {
        "edge_x": enc(EDGE_SELECT_X),
        "edge_y": EDGE_SELECT_Y.tolist(),
        "edge_y_reg": enc(EDGE_SELECT_Y_REG),
        "edge_variance_x": enc(edge),
        "scores": scores,
        "selectors": selectors,
        "variance": variance,
    }


def main():
    meta = {"sklearn": sklearn.__version__, "scipy": scipy.__version__, "numpy": np.__version__}
    for name, build in [("scale", scale_cases), ("impute", impute_cases), ("select", select_cases)]:
        doc = {"generated_by": "tests/reference/numeric_reference.py", "versions": meta}
        doc.update(build())
        path = os.path.join(OUT, f"numeric_{name}.json")
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")
        print(path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
