"""Reference values of scikit-learn's mutual information estimators for kiln-prep.

Run from the repository root with the peers' environment (scikit-learn 1.9.1, SciPy 1.17.1):

    benches/peers/.venv/bin/python crates/kiln-prep/tests/reference/mutual_info_reference.py

It writes `crates/kiln-prep/tests/fixtures/mutual_info.json`, read by `tests/mutual_info.rs` and
by the digamma unit test in `src/select/mutual_info/digamma.rs`.

Why not simply call `mutual_info_classif` / `mutual_info_regression`: scikit-learn adds
1e-10-sized Gaussian noise to the continuous columns from NumPy's generator, and kiln draws its
noise from its own (ChaCha8) stream, so the two can only agree statistically. To get values
kiln can match to rounding, this script repeats `_estimate_mi` without the noise: it scales the
continuous columns (and a regression target) with `sklearn.preprocessing.scale(with_mean=False)`
exactly as `_estimate_mi` does, then calls scikit-learn's own per-column estimators
`_compute_mi_cc` (KSG), `_compute_mi_cd` (Ross) and `mutual_info_score` on the scaled columns.
kiln, with its noise switched off, must reproduce those numbers. The script also records what
the public functions return with their noise (`random_state=0`), and the largest gap between the
two, to show how far the noise moves the estimates on each data set.

scikit-learn's `_compute_mi_cd` uses `NearestNeighbors()` with the default algorithm, which
switches to brute force (distances from the |a|^2 - 2ab + |b|^2 expansion, not exact) for a
class with fewer than 2 * n_neighbors + 2 members; the radius then differs from the exact one by
an ulp or so, which changes which neighbours are counted. So every class in the data-set cases
has at least 2 * n_neighbors + 2 members, and the small hand-made cases, which have tiny classes
on purpose, take their reference from `exact_mi_*` below: a direct O(n^2) transcription of the
same definitions with exact distances (checked against scikit-learn on the iris, diabetes and
synthetic cases, where every class is large enough for the exact tree path).

Scaling detail that matters for bit-identical inputs: `X[:, continuous_mask]` is a
Fortran-ordered copy, so NumPy sums each column pairwise when `scale` takes its standard
deviation (kiln does the same). The scaled values then agree to the last bit, and with them every
exact and near tie between distances, which the neighbour counts are very sensitive to.

Data: the numeric feature columns of the bundled CSVs in crates/kiln-datasets/data, in the order
of kiln-datasets' `features_numeric`, targets coded as kiln-datasets codes them.
"""

import csv
import json
import os
import warnings

import numpy as np
import scipy
import sklearn
from scipy.special import digamma
from sklearn.feature_selection import mutual_info_classif, mutual_info_regression
from sklearn.feature_selection._mutual_info import _compute_mi_cc, _compute_mi_cd
from sklearn.metrics import mutual_info_score
from sklearn.preprocessing import scale

# mutual_info_score warns when given float labels; discrete features are float columns here.
warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures", "mutual_info.json")

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
}
REGRESSION = {"diabetes"}


def load(name):
    with open(os.path.join(DATA, name + ".csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float(r[c]) for c in FEATURES[name]] for r in rows])
    raw = [r["target"] for r in rows]
    if name in REGRESSION:
        y = np.array([float(v) for v in raw])
    else:
        classes = sorted(set(raw))
        y = np.array([classes.index(v) for v in raw])
    return x, y


def discrete_mask(spec, d):
    if spec == "auto" or spec is False:
        return np.zeros(d, dtype=bool)
    if spec is True:
        return np.ones(d, dtype=bool)
    mask = np.zeros(d, dtype=bool)
    mask[spec] = True
    return mask


def scaled(x, y, mask, discrete_target):
    """`_estimate_mi`'s preprocessing, without the noise."""
    x = x.astype(np.float64, copy=True)
    if (~mask).any():
        x[:, ~mask] = scale(x[:, ~mask], with_mean=False, copy=False)
    if not discrete_target:
        y = scale(y.astype(np.float64), with_mean=False)
    return x, y


def sklearn_noise_free(x, y, mask, discrete_target, k):
    x, y = scaled(x, y, mask, discrete_target)
    out = []
    for j in range(x.shape[1]):
        col = x[:, j]
        if mask[j] and discrete_target:
            out.append(mutual_info_score(col, y))
        elif mask[j]:
            out.append(_compute_mi_cd(y, col, k))
        elif discrete_target:
            out.append(_compute_mi_cd(col, y, k))
        else:
            out.append(_compute_mi_cc(col, y, k))
    return np.array(out, dtype=float), x, y


# --- Independent exact transcription (O(n^2)), for the hand-made cases -------------------------


def below(r):
    """np.nextafter(r, 0) for r >= 0."""
    return float(np.nextafter(r, 0.0))


def exact_mi_cc(x, y, k):
    n = len(x)
    dx = np.abs(x[:, None] - x[None, :])
    dy = np.abs(y[:, None] - y[None, :])
    d = np.maximum(dx, dy)
    np.fill_diagonal(d, np.inf)
    eps = np.sort(d, axis=1)[:, k - 1]
    r = np.array([below(e) for e in eps])
    nx = (dx <= r[:, None]).sum(axis=1)  # includes the point itself
    ny = (dy <= r[:, None]).sum(axis=1)
    mi = digamma(n) + digamma(k) - np.mean(digamma(nx)) - np.mean(digamma(ny))
    return max(0.0, float(mi))


def exact_mi_cd(c, labels, k):
    n = len(c)
    counts = np.array([np.sum(labels == labels[i]) for i in range(n)])
    keep = counts > 1
    if not keep.any():
        return 0.0
    radius = np.zeros(n)
    kk = np.zeros(n)
    for i in np.where(keep)[0]:
        same = np.where((labels == labels[i]) & (np.arange(n) != i))[0]
        ki = min(k, counts[i] - 1)
        radius[i] = below(np.sort(np.abs(c[same] - c[i]))[ki - 1])
        kk[i] = ki
    ck = c[keep]
    m = np.array([(np.abs(ck - c[i]) <= radius[i]).sum() for i in np.where(keep)[0]])
    mi = (
        digamma(keep.sum())
        + np.mean(digamma(kk[keep]))
        - np.mean(digamma(counts[keep]))
        - np.mean(digamma(m))
    )
    return max(0.0, float(mi))


def exact_noise_free(x, y, mask, discrete_target, k):
    x, y = scaled(x, y, mask, discrete_target)
    out = []
    for j in range(x.shape[1]):
        col = x[:, j]
        if mask[j] and discrete_target:
            out.append(mutual_info_score(col, y))
        elif mask[j]:
            out.append(exact_mi_cd(y, col, k))
        elif discrete_target:
            out.append(exact_mi_cd(col, y, k))
        else:
            out.append(exact_mi_cc(col, y, k))
    return np.array(out, dtype=float)


def enc(a):
    return [float(v) for v in np.asarray(a, dtype=float)]


def spec_json(spec):
    if isinstance(spec, (str, bool)):
        return spec
    return [int(v) for v in spec]


def data_cases():
    specs = [
        # data, discrete_features, n_neighbors
        ("iris", "auto", 3),
        ("iris", "auto", 7),
        ("iris", [0, 2], 3),  # discrete feature vs discrete target: contingency MI
        ("iris", True, 3),
        ("breast_cancer", "auto", 3),
        ("breast_cancer", [6, 16], 5),
        ("diabetes", "auto", 3),
        ("diabetes", [1], 3),  # sex as discrete vs a continuous target: Ross
        ("diabetes", "auto", 10),
    ]
    cases = []
    for data, spec, k in specs:
        x, y = load(data)
        d = x.shape[1]
        mask = discrete_mask(spec, d)
        discrete_target = data not in REGRESSION
        if discrete_target:
            sizes = np.bincount(y)
            assert sizes.min() >= 2 * k + 2, (data, k, "a class would take the brute path")
        ref, xs, ys = sklearn_noise_free(x, y, mask, discrete_target, k)
        if d <= 10:
            exact = exact_noise_free(x, y, mask, discrete_target, k)
            assert np.allclose(ref, exact, rtol=1e-12, atol=1e-14), (data, spec, k, ref, exact)
        fn = mutual_info_classif if discrete_target else mutual_info_regression
        noisy = fn(x, y, discrete_features=spec, n_neighbors=k, random_state=0)
        cases.append({
            "data": data,
            "task": "classif" if discrete_target else "regression",
            "discrete_features": spec_json(spec),
            "n_neighbors": k,
            "mi": enc(ref),
            "sklearn_with_noise": enc(noisy),
            "max_noise_gap": float(np.max(np.abs(noisy - ref))),
        })
    return cases


# Small hand-made cases: exact ties, duplicated rows, a constant column, a discrete column, a
# class of one sample (dropped by Ross's estimator) and classes smaller than n_neighbors.
EDGE_X = np.array([
    [1.0, 0.5, 3.0, 2.0, 7.0],
    [1.0, 0.5, 3.0, 1.0, 7.0],
    [2.0, 1.5, 3.0, 2.0, 7.5],
    [2.0, 2.5, 3.0, 1.0, 7.25],
    [3.0, 2.5, 3.0, 3.0, 6.0],
    [3.0, 4.0, 3.0, 3.0, 8.0],
    [4.0, 4.0, 3.0, 2.0, 5.5],
    [4.0, 5.0, 3.0, 1.0, 9.0],
    [5.0, 6.5, 3.0, 3.0, 4.0],
    [5.0, 6.5, 3.0, 2.0, 10.0],
    [6.0, 7.0, 3.0, 1.0, 3.0],
    [1.0, 0.5, 3.0, 2.0, 7.0],
])
EDGE_Y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 3])
EDGE_Y_REG = np.array([1.0, 1.0, 1.5, 2.0, 3.0, 3.5, 3.5, 4.5, 5.0, 5.0, 6.5, 1.0])


# A tie-free data set for the test with the noise switched on. Real data sets hold exact ties
# and distances that are equal up to the last bit, and the 1e-10 noise decides those, so there
# the estimates with noise differ from the noise-free ones by up to about one nat (see
# `max_noise_gap`). On generic real numbers the noise moves nothing but rounding. The values
# come from a 64-bit LCG with IEEE-exact arithmetic, so tests/mutual_info.rs rebuilds them bit
# for bit without reading them from the fixture.
def lcg_uniforms(n, seed=20240917):
    s = seed
    out = []
    for _ in range(n):
        s = (s * 6364136223846793005 + 1442695040888963407) % 2**64
        out.append((s >> 11) * 2.0**-53)
    return out


def synthetic():
    n = 400
    u = np.array(lcg_uniforms(5 * n)).reshape(n, 5)
    x = np.empty((n, 4))
    x[:, 0] = u[:, 0]
    x[:, 1] = u[:, 0] + 0.5 * u[:, 1]
    x[:, 2] = u[:, 2]
    x[:, 3] = np.floor(3.0 * u[:, 3])
    y = (u[:, 0] > 0.5).astype(int) + (x[:, 1] > 0.8).astype(int)
    y_reg = u[:, 0] + 0.25 * u[:, 4]
    return x, y, y_reg


def synthetic_cases():
    x, y, y_reg = synthetic()
    cases = []
    for task, target in [("classif", y), ("regression", y_reg)]:
        for spec, k in [("auto", 3), ([3], 3), ([3], 5)]:
            mask = discrete_mask(spec, x.shape[1])
            discrete_target = task == "classif"
            ref, _, _ = sklearn_noise_free(x, target, mask, discrete_target, k)
            exact = exact_noise_free(x, target, mask, discrete_target, k)
            assert np.allclose(ref, exact, rtol=1e-12, atol=1e-14), (task, spec, k)
            fn = mutual_info_classif if discrete_target else mutual_info_regression
            # Column 3 holds three values; read as continuous it is all ties, which the noise
            # breaks at random, so it is left out of the comparison.
            stable = mask | (np.arange(x.shape[1]) != 3)
            gaps = [np.max(np.abs(fn(x, target, discrete_features=spec, n_neighbors=k,
                                      random_state=seed) - ref)[stable]) for seed in range(5)]
            assert max(gaps) < 1e-9, (task, spec, k, gaps)
            cases.append({
                "task": task,
                "discrete_features": spec_json(spec),
                "n_neighbors": k,
                "mi": enc(ref),
                "noise_stable": [bool(v) for v in stable],
                "max_noise_gap": float(max(gaps)),
            })
    return {"n_samples": len(x), "first_row": enc(x[0]), "y_sum": int(y.sum()),
            "y_reg_sum": float(y_reg.sum()), "cases": cases}


def edge_cases():
    cases = []
    for task, y in [("classif", EDGE_Y), ("regression", EDGE_Y_REG)]:
        for spec, k in [("auto", 1), ("auto", 3), ([3], 2), ([True, False, False, True, False], 3)]:
            mask = (np.array(spec, dtype=bool) if isinstance(spec, list) and isinstance(spec[0], bool)
                    else discrete_mask(spec, EDGE_X.shape[1]))
            ref = exact_noise_free(EDGE_X, y, mask, task == "classif", k)
            cases.append({
                "task": task,
                "discrete_features": spec if isinstance(spec, str) else
                ([bool(v) for v in spec] if isinstance(spec[0], bool) else spec_json(spec)),
                "n_neighbors": k,
                "mi": enc(ref),
            })
    return cases


def digamma_values():
    xs = [1e-8, 0.001, 0.1, 0.5, 1.0, 1.4616321449683622, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 5.5,
          6.0, 7.0, 9.99, 10.0, 10.5, 17.0, 50.0, 100.0, 569.0, 1234.5, 1e5, 1e6 + 0.5, 1e10,
          1e15, -0.5, -1.5, -2.25]
    xs += list(range(1, 40))
    return [[float(x), float(digamma(x))] for x in xs]


def main():
    doc = {
        "generated_by": "tests/reference/mutual_info_reference.py",
        "versions": {"sklearn": sklearn.__version__, "scipy": scipy.__version__,
                     "numpy": np.__version__},
        "cases": data_cases(),
        "edge_x": [enc(r) for r in EDGE_X],
        "edge_y": EDGE_Y.tolist(),
        "edge_y_reg": enc(EDGE_Y_REG),
        "edge_cases": edge_cases(),
        "synthetic": synthetic_cases(),
        "digamma": digamma_values(),
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(OUT, os.path.getsize(OUT), "bytes")
    for c in doc["cases"]:
        print(c["data"], c["discrete_features"], c["n_neighbors"], "noise gap", c["max_noise_gap"])
    for c in doc["synthetic"]["cases"]:
        print("synthetic", c["task"], c["discrete_features"], c["n_neighbors"], "noise gap",
              c["max_noise_gap"])


if __name__ == "__main__":
    main()
