"""Reference values of scikit-learn 1.9.1 for kiln-metrics' regression metrics.

Run from the repository root with the peers' environment (scikit-learn 1.9.1, SciPy 1.17.1):

    benches/peers/.venv/bin/python crates/kiln-metrics/tests/reference/regression_reference.py

It writes `crates/kiln-metrics/tests/fixtures/regression.json`, read by `tests/regression.rs`.

Data: the diabetes data set (crates/kiln-datasets/data/diabetes.csv, 442 rows). Models are
fitted on the first 300 rows and evaluated on the other 142 (data the models never saw):
a LinearRegression (predictions of any sign), a PoissonRegressor and a GammaRegressor on
standardized features (strictly positive predictions, for the deviances). Weights are drawn
from a seeded numpy generator; one weighted case has zero weights. Hand-made cases pin the
edge behaviour: constant y_true (force_finite), perfect predictions, ties and exact midpoints
for the weighted median, a single sample, zeros in y_true for MAPE.

Each case stores its inputs (`y_true`, `y_pred`, `weights` or null) and the value of every
metric that accepts them ("metrics": name -> value, NaN as null). A metric missing from a case
raised in scikit-learn (e.g. a deviance on non-positive values), and the list "errors" names
those, so the Rust test checks that kiln errors too.
"""

import json
import math
import os
import warnings

import numpy as np
import sklearn
from sklearn import metrics as M
from sklearn.linear_model import GammaRegressor, LinearRegression, PoissonRegressor
from sklearn.preprocessing import StandardScaler

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data", "diabetes.csv")
OUT = os.path.join(HERE, "..", "fixtures", "regression.json")

POWERS = [-0.5, 0.0, 1.0, 1.5, 2.0, 3.0]
ALPHAS = [0.0, 0.05, 0.5, 0.9, 1.0]


def num(v):
    v = float(v)
    if math.isnan(v):
        return None
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def metric_values(y, p, w):
    """Every metric on (y, p, w); metrics that raise are listed in `errors`."""
    out, errors = {}, []

    def put(name, f):
        try:
            out[name] = num(f())
        except (ValueError, ZeroDivisionError):
            errors.append(name)

    kw = {} if w is None else {"sample_weight": w}
    put("mean_squared_error", lambda: M.mean_squared_error(y, p, **kw))
    put("root_mean_squared_error", lambda: M.root_mean_squared_error(y, p, **kw))
    put("mean_absolute_error", lambda: M.mean_absolute_error(y, p, **kw))
    put("median_absolute_error", lambda: M.median_absolute_error(y, p, **kw))
    if w is None:
        put("max_error", lambda: M.max_error(y, p))
    put("r2", lambda: M.r2_score(y, p, **kw))
    put("r2_unforced", lambda: M.r2_score(y, p, force_finite=False, **kw))
    put("explained_variance", lambda: M.explained_variance_score(y, p, **kw))
    put(
        "explained_variance_unforced",
        lambda: M.explained_variance_score(y, p, force_finite=False, **kw),
    )
    put(
        "mean_absolute_percentage_error",
        lambda: M.mean_absolute_percentage_error(y, p, **kw),
    )
    put("mean_squared_log_error", lambda: M.mean_squared_log_error(y, p, **kw))
    put("root_mean_squared_log_error", lambda: M.root_mean_squared_log_error(y, p, **kw))
    put("mean_poisson_deviance", lambda: M.mean_poisson_deviance(y, p, **kw))
    put("mean_gamma_deviance", lambda: M.mean_gamma_deviance(y, p, **kw))
    for power in POWERS:
        put(
            f"mean_tweedie_deviance:{power}",
            lambda: M.mean_tweedie_deviance(y, p, power=power, **kw),
        )
        put(f"d2_tweedie_score:{power}", lambda: M.d2_tweedie_score(y, p, power=power, **kw))
    for alpha in ALPHAS:
        put(f"mean_pinball_loss:{alpha}", lambda: M.mean_pinball_loss(y, p, alpha=alpha, **kw))
        put(f"d2_pinball_score:{alpha}", lambda: M.d2_pinball_score(y, p, alpha=alpha, **kw))
    put("d2_absolute_error_score", lambda: M.d2_absolute_error_score(y, p, **kw))
    return out, errors


def case(name, y, p, w=None):
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    w = None if w is None else np.asarray(w, dtype=float)
    values, errors = metric_values(y, p, w)
    return {
        "name": name,
        "y_true": [num(v) for v in y],
        "y_pred": [num(v) for v in p],
        "weights": None if w is None else [num(v) for v in w],
        "metrics": values,
        "errors": errors,
    }


def main():
    raw = np.genfromtxt(DATA, delimiter=",", skip_header=1)
    x, y = raw[:, :-1], raw[:, -1]
    train, test = slice(0, 300), slice(300, None)
    scaler = StandardScaler().fit(x[train])
    xs = scaler.transform(x)
    lin = LinearRegression().fit(x[train], y[train]).predict(x[test])
    poisson = PoissonRegressor(alpha=1e-3, max_iter=1000).fit(xs[train], y[train]).predict(xs[test])
    gamma = GammaRegressor(alpha=1e-3, max_iter=1000).fit(xs[train], y[train]).predict(xs[test])
    yt = y[test]
    n = len(yt)
    rng = np.random.default_rng(20261126)
    w = rng.uniform(0.1, 3.0, n)
    w_int = rng.integers(0, 4, n).astype(float)  # many ties in weight and some zeros
    w_int[0] = 1.0

    cases = [
        case("diabetes_linear", yt, lin),
        case("diabetes_linear_weighted", yt, lin, w),
        case("diabetes_poisson", yt, poisson),
        case("diabetes_poisson_int_weights", yt, poisson, w_int),
        case("diabetes_gamma_weighted", yt, gamma, w),
        # Rounded predictions: many tied absolute errors for the (weighted) median.
        case("diabetes_rounded_ties_weighted", yt, np.round(lin, -1), w_int),
        case("diabetes_rounded_ties", yt, np.round(lin, -1)),
        # Hand cases.
        case("constant_true_perfect", [3.0, 3.0, 3.0], [3.0, 3.0, 3.0]),
        case("constant_true_imperfect", [3.0, 3.0, 3.0], [2.0, 3.0, 4.0]),
        case("constant_true_imperfect_weighted", [3.0, 3.0, 3.0], [2.0, 3.0, 4.0], [1.0, 2.0, 0.5]),
        case("perfect_predictions", [1.0, 2.0, 5.0, 7.0], [1.0, 2.0, 5.0, 7.0]),
        case("even_median", [0.0, 0.0, 0.0, 0.0], [1.0, -2.0, 3.0, 4.0]),
        # The weighted cdf reaches exactly half at a data point: averaged inverted cdf.
        case("weighted_median_midpoint", [0.0] * 4, [1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0]),
        case("weighted_median_uneven", [0.0] * 5, [1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 3.0, 0.5, 0.5, 1.0]),
        # The point above the midpoint has zero weight: the next weighted point is taken.
        case("weighted_median_zero_weight_next", [0.0] * 4, [1.0, 2.0, 3.0, 4.0], [1.0, 0.0, 0.0, 1.0]),
        case("weighted_median_trailing_zero", [0.0] * 3, [1.0, 2.0, 3.0], [1.0, 1.0, 0.0]),
        case("weighted_median_tied_values", [0.0] * 6, [2.0, 1.0, 2.0, 3.0, 2.0, 1.0], [0.5, 1.5, 1.0, 2.0, 0.0, 1.0]),
        case("single_sample", [2.0], [3.0]),
        case("mape_zero_true", [0.0, 1.0, -2.0, 4.0], [0.5, 1.0, -1.0, 3.0]),
        case("negative_values", [-0.5, 1.0, 2.0, -3.0], [0.5, -0.2, 2.5, 1.0], [1.0, 2.0, 1.0, 0.5]),
        case("poisson_zero_true", [0.0, 1.0, 3.0, 0.0, 2.0], [0.5, 1.2, 2.0, 0.1, 2.5], [1.0, 1.0, 2.0, 1.0, 0.5]),
    ]
    doc = {
        "generator": "crates/kiln-metrics/tests/reference/regression_reference.py",
        "sklearn": sklearn.__version__,
        "powers": POWERS,
        "alphas": ALPHAS,
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(f"wrote {OUT}: {len(cases)} cases, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
