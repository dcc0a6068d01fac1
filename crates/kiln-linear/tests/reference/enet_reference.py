"""Reference outputs of scikit-learn for kiln-linear's Lasso and ElasticNet.

Run from the repository root with the peers' environment (scikit-learn 1.9.1):

    benches/peers/.venv/bin/python crates/kiln-linear/tests/reference/enet_reference.py

It writes `crates/kiln-linear/tests/fixtures/enet.json`, read by `tests/enet.rs`.

Data: the diabetes set (/work/shared/datasets/diabetes.csv, the same file kiln-datasets
bundles), its ten features in raw units ("raw") and standardized ("std": minus the mean,
divided by the population standard deviation, as the Rust test recomputes). The target is the
raw `target` column. Weighted cases use w_i = 1 + (i % 5) / 2.

Every fit runs at tol=1e-12 with a large max_iter so that the result is the optimum to far
below the 1e-6 the Rust test asks for; `check_tight` confirms it by refitting at tol=1e-14 and
records the largest coefficient change as `ref_precision`. Alphas are given as fractions of
the problem's own alpha_max so that every case has some but not all coefficients at zero.
"""

import csv
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso, LassoCV, ElasticNetCV

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "enet.json")
DATA = "/work/shared/datasets/diabetes.csv"

TOL = 1e-12
MAX_ITER = 1_000_000


def load():
    with open(DATA, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    values = np.array([[float(v) for v in r] for r in body])
    t = header.index("target")
    x = np.delete(values, t, axis=1)
    y = values[:, t]
    return x, y


def standardize(x):
    return (x - x.mean(axis=0)) / x.std(axis=0)


def weights(n):
    return 1.0 + (np.arange(n) % 5) * 0.5


def alpha_max(x, y, w, l1_ratio, fit_intercept, positive):
    """max |X_c' W y_c| / (sum(w) * l1_ratio), the smallest alpha giving all-zero coefficients."""
    w = np.ones(len(y)) if w is None else w
    if fit_intercept:
        xc = x - np.average(x, axis=0, weights=w)
        yc = y - np.average(y, weights=w)
    else:
        xc, yc = x, y
    xy = xc.T @ (w * yc)
    top = max(0.0, xy.max()) if positive else np.abs(xy).max()
    return top / (w.sum() * l1_ratio)


def make(kind, alpha, l1_ratio, fit_intercept, positive, tol):
    common = dict(alpha=alpha, fit_intercept=fit_intercept, positive=positive, tol=tol,
                  max_iter=MAX_ITER)
    if kind == "Lasso":
        return Lasso(**common)
    return ElasticNet(l1_ratio=l1_ratio, **common)


def fit(kind, x, y, w, alpha, l1_ratio, fit_intercept, positive, tol=TOL):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        m = make(kind, alpha, l1_ratio, fit_intercept, positive, tol)
        m.fit(x, y, sample_weight=w)
    return m


def check_tight(kind, x, y, w, alpha, l1_ratio, fit_intercept, positive, coef):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        m = make(kind, alpha, l1_ratio, fit_intercept, positive, 1e-14)
        m.fit(x, y, sample_weight=w)
    return float(np.abs(m.coef_ - coef).max())


def single_cases(data):
    cases = []
    specs = []
    for name in ("raw", "std"):
        for kind, l1 in (("Lasso", 1.0), ("ElasticNet", 0.5), ("ElasticNet", 0.2)):
            for fi in (True, False):
                for weighted in (False, True):
                    for positive in (False, True):
                        for frac in (0.3, 0.05, 0.005):
                            specs.append((name, kind, l1, fi, weighted, positive, frac))
    # Pure ridge through coordinate descent (l1_ratio = 0, no L1 part: the other duality gap).
    specs.append(("std", "ElasticNet", 0.0, True, False, False, None))
    specs.append(("std", "ElasticNet", 0.0, True, True, False, None))
    for name, kind, l1, fi, weighted, positive, frac in specs:
        x, y = data[name]
        w = weights(len(y)) if weighted else None
        if frac is None:
            alpha = 0.5
        else:
            alpha = frac * alpha_max(x, y, w, l1, fi, positive)
        m = fit(kind, x, y, w, alpha, l1, fi, positive)
        prec = check_tight(kind, x, y, w, alpha, l1, fi, positive, m.coef_)
        cases.append(dict(
            data=name, estimator=kind, alpha=alpha, l1_ratio=l1, fit_intercept=fi,
            weighted=weighted, positive=positive,
            coef=m.coef_.tolist(), intercept=float(m.intercept_),
            dual_gap=float(m.dual_gap_), n_iter=int(m.n_iter_), ref_precision=prec,
            n_nonzero=int(np.count_nonzero(m.coef_)),
        ))
    return cases


def path_cases(data):
    """Regularization paths: sklearn's default grid (checked through LassoCV / ElasticNetCV's
    `alphas_`, which use the same grid on the full data) and coefficients per alpha from
    separate tight fits, which the warm-started path must reach too."""
    out = []
    for name, l1, weighted, positive, n_alphas, eps in (
        ("std", 1.0, False, False, 12, 1e-3),
        ("raw", 1.0, True, False, 8, 1e-2),
        ("std", 0.5, False, False, 10, 1e-3),
        ("std", 1.0, False, True, 8, 1e-3),
    ):
        x, y = data[name]
        w = weights(len(y)) if weighted else None
        kind = "Lasso" if l1 == 1.0 else "ElasticNet"
        if positive:
            # The CV estimators build the grid without the positivity constraint's variant of
            # alpha_max, so this path uses the grid computed here (sklearn's _alpha_grid
            # formula with positive=True: max(0, max(X'y)) / (n l1)).
            amax = alpha_max(x, y, w, l1, True, True)
            alphas = np.geomspace(amax, amax * eps, num=n_alphas)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if l1 == 1.0:
                    cv = LassoCV(alphas=n_alphas, eps=eps, cv=2, max_iter=10)
                else:
                    cv = ElasticNetCV(l1_ratio=l1, alphas=n_alphas, eps=eps, cv=2, max_iter=10)
                cv.fit(x, y, sample_weight=w)
            alphas = np.asarray(cv.alphas_)
        coefs, intercepts = [], []
        for a in alphas:
            m = fit(kind, x, y, w, a, l1, True, positive)
            coefs.append(m.coef_.tolist())
            intercepts.append(float(m.intercept_))
        out.append(dict(
            data=name, l1_ratio=l1, weighted=weighted, positive=positive,
            n_alphas=n_alphas, eps=eps, alphas=alphas.tolist(),
            coefs=coefs, intercepts=intercepts,
        ))
    return out


def main():
    x, y = load()
    data = {"raw": (x, y), "std": (standardize(x), y)}
    doc = dict(
        generator="crates/kiln-linear/tests/reference/enet_reference.py",
        sklearn=sklearn.__version__,
        numpy=np.__version__,
        tol=TOL,
        cases=single_cases(data),
        paths=path_cases(data),
    )
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    worst = max(c["ref_precision"] for c in doc["cases"])
    print(f"{len(doc['cases'])} cases, {len(doc['paths'])} paths, "
          f"worst reference precision {worst:.2e}, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
