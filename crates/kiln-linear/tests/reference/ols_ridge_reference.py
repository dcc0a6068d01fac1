"""Reference outputs of scikit-learn for kiln-linear's LinearRegression and Ridge.

Run from the repository root with the peers' environment (scikit-learn 1.9.1, SciPy 1.17.1):

    benches/peers/.venv/bin/python crates/kiln-linear/tests/reference/ols_ridge_reference.py

(If that environment is missing: `bash /work/shared/reference/setup-venv.sh /tmp/venv-ref`, then
use `/tmp/venv-ref/main/bin/python`.)

It writes `crates/kiln-linear/tests/fixtures/ols_ridge.json`, read by `tests/ols.rs` and
`tests/ridge.rs`.

Designs are recipes over the diabetes data set (`/work/shared/datasets/diabetes.csv`, raw units,
the same file as kiln-datasets' `Dataset::Diabetes`), so the fixture stays small and the Rust
tests rebuild the exact same matrix:

- `rows`: use the first `rows` samples;
- `cols`: each column is the left-to-right product of the listed diabetes feature columns
  (`[2]` is bmi, `[2, 2]` is bmi*bmi, computed as IEEE products in both languages), or `null`
  for an all-zero column;
- `targets`: each target is `"y"` (the diabetes target), or `"log_y"` (natural log of it),
  or `"y_age"` (target * age / 50).

Sample weights, when used, are `1 + (i % 5) * 0.5` for row `i`.

Each case also stores `tol`: the relative tolerance to compare coefficients with: 1e-8 (the
accuracy asked of kiln), or 100 times the disagreement of two LAPACK least-squares drivers (gelsd
and gelss, both SVD-based and backward stable) on the same problem if that is larger, because no
algorithm can be expected to agree with scikit-learn more closely than LAPACK agrees with itself.
The Rust tests fail if a case's tolerance grows beyond 1e-7.
"""

import json
import os
import warnings

import numpy as np
import scipy
import scipy.linalg
import sklearn
from sklearn.linear_model import LinearRegression, Ridge

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
OUT = os.path.join(HERE, "..", "fixtures", "ols_ridge.json")
DIABETES = "/work/shared/datasets/diabetes.csv"
N_PRED = 5


def load():
    d = np.loadtxt(DIABETES, delimiter=",", skiprows=1)
    return d[:, :10], d[:, 10]


X_ALL, Y_ALL = load()


def design(rows, cols):
    x = X_ALL[:rows]
    out = np.zeros((rows, len(cols)))
    for j, spec in enumerate(cols):
        if spec is None:
            continue
        col = x[:, spec[0]].copy()
        for k in spec[1:]:
            col = col * x[:, k]
        out[:, j] = col
    return out


def targets(rows, names):
    y = Y_ALL[:rows]
    age = X_ALL[:rows, 0]
    table = {"y": y, "log_y": np.log(y), "y_age": y * age / 50.0}
    return np.column_stack([table[n] for n in names])


def weights(n):
    return 1.0 + (np.arange(n) % 5) * 0.5


def rel_err(got, want):
    """The comparison the Rust tests make: per element, relative to the element, with a floor
    of 1e-6 times the largest magnitude (coefficients that are zero in exact arithmetic, such as
    that of an all-zero column, cannot be compared relatively)."""
    got = np.asarray(got, dtype=float)
    want = np.asarray(want, dtype=float)
    floor = 1e-6 * float(np.max(np.abs(want))) if want.size else 0.0
    scale = np.abs(want) + floor
    scale[scale == 0] = 1.0
    return float(np.max(np.abs(got - want) / scale))


def ls_tol(x, y, w, fit_intercept, cond):
    """Disagreement of two LAPACK drivers on the same (centred, weighted) problem."""
    if fit_intercept:
        ww = np.ones(len(y)) if w is None else w
        xm = (ww[:, None] * x).sum(0) / ww.sum()
        ym = (ww[:, None] * y).sum(0) / ww.sum()
        x = x - xm
        y = y - ym
    if w is not None:
        x = x * np.sqrt(w)[:, None]
        y = y * np.sqrt(w)[:, None]
    a = scipy.linalg.lstsq(x, y, cond=cond, lapack_driver="gelsd")[0]
    b = scipy.linalg.lstsq(x, y, cond=cond, lapack_driver="gelss")[0]
    gap = rel_err(b, a)
    return max(1e-8, 100.0 * gap)


def ols_case(name, rows, cols, fit_intercept, weighted):
    x = design(rows, cols)
    y = targets(rows, ["y"])[:, 0]
    w = weights(rows) if weighted else None
    m = LinearRegression(fit_intercept=fit_intercept).fit(x, y, sample_weight=w)
    return {
        "name": name,
        "rows": rows,
        "cols": cols,
        "fit_intercept": fit_intercept,
        "weighted": weighted,
        "coef": m.coef_.tolist(),
        "intercept": float(m.intercept_),
        "rank": int(m.rank_),
        "singular": m.singular_.tolist(),
        "predict": m.predict(x[:N_PRED]).tolist(),
        "tol": ls_tol(x, y[:, None], w, fit_intercept, m.tol),
    }


def ridge_case(name, rows, cols, names, alpha, fit_intercept, weighted):
    x = design(rows, cols)
    y = targets(rows, names)
    w = weights(rows) if weighted else None
    yy = y[:, 0] if len(names) == 1 else y
    m = Ridge(alpha=alpha, fit_intercept=fit_intercept, solver="auto").fit(x, yy, sample_weight=w)
    coef = np.atleast_2d(m.coef_)
    intercept = np.broadcast_to(np.atleast_1d(m.intercept_), (len(names),))
    pred = m.predict(x[:N_PRED]).reshape(N_PRED, -1)
    return {
        "name": name,
        "rows": rows,
        "cols": cols,
        "targets": names,
        "alpha": alpha if np.isscalar(alpha) else list(alpha),
        "fit_intercept": fit_intercept,
        "weighted": weighted,
        "coef": coef.tolist(),
        "intercept": intercept.tolist(),
        "predict": pred.tolist(),
        "tol": 1e-8,
    }


ALL10 = [[j] for j in range(10)]
BMI = 2


def ols_cases():
    cases = []
    for fi in (True, False):
        for wt in (False, True):
            cases.append(ols_case(f"diabetes fit_intercept={fi} weighted={wt}", 442, ALL10, fi, wt))
    # Rank-deficient: bmi duplicated, an all-zero column, and s1 twice more.
    dup = ALL10[:4] + [[BMI], None] + ALL10[4:] + [[4]]
    for fi in (True, False):
        cases.append(ols_case(f"duplicate and zero columns fit_intercept={fi}", 442, dup, fi, False))
    cases.append(ols_case("duplicate and zero columns weighted", 442, dup, True, True))
    # More features than rows.
    for fi in (True, False):
        for wt in (False, True):
            cases.append(ols_case(f"8 rows 10 features fit_intercept={fi} weighted={wt}", 8, ALL10, fi, wt))
    # Ill-conditioned: powers of bmi beside three other features.
    for deg in (3, 4):
        poly = [[BMI] * k for k in range(1, deg + 1)] + [[0], [3], [8]]
        for fi in (True, False):
            cases.append(ols_case(f"bmi powers to {deg} fit_intercept={fi}", 442, poly, fi, False))
    # One sample and one feature.
    cases.append(ols_case("one sample", 1, ALL10, True, False))
    cases.append(ols_case("one feature", 442, [[BMI]], True, True))
    return cases


def ridge_cases():
    cases = []
    for alpha in (0.01, 1.0, 100.0):
        for fi in (True, False):
            for wt in (False, True):
                cases.append(
                    ridge_case(
                        f"diabetes alpha={alpha} fit_intercept={fi} weighted={wt}",
                        442, ALL10, ["y"], alpha, fi, wt,
                    )
                )
    names = ["y", "log_y", "y_age"]
    for fi in (True, False):
        for wt in (False, True):
            cases.append(
                ridge_case(
                    f"multi-target alpha per target fit_intercept={fi} weighted={wt}",
                    442, ALL10, names, [0.1, 1.0, 10.0], fi, wt,
                )
            )
    cases.append(ridge_case("multi-target one alpha", 442, ALL10, names, 3.0, True, False))
    dup = ALL10[:4] + [[BMI], None] + ALL10[4:]
    cases.append(ridge_case("duplicate and zero columns", 442, dup, ["y"], 1.0, True, False))
    for fi in (True, False):
        cases.append(ridge_case(f"8 rows 10 features fit_intercept={fi}", 8, ALL10, ["y"], 1.0, fi, True))
    return cases


def main():
    doc = {
        "generator": "crates/kiln-linear/tests/reference/ols_ridge_reference.py",
        "versions": {
            "sklearn": sklearn.__version__,
            "scipy": scipy.__version__,
            "numpy": np.__version__,
        },
        "n_predict": N_PRED,
        "ols": ols_cases(),
        "ridge": ridge_cases(),
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    for c in doc["ols"]:
        print(f"ols   {c['name']}: rank {c['rank']} tol {c['tol']:.2e}")
    print(f"{len(doc['ols'])} ols and {len(doc['ridge'])} ridge cases -> {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
