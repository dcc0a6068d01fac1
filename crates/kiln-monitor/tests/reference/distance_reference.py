"""Reference outputs for kiln-monitor's `distance` module (binning, PSI, Jensen-Shannon,
Hellinger, KL, chi-square), from NumPy / SciPy 1.17.1, Evidently 0.7.23 and NannyML 0.13.1.

Run from the repository root, once per environment (each run writes the files its libraries
can produce):

    # SciPy / NumPy references -> tests/fixtures/distance_scipy.json
    benches/peers/.venv/bin/python crates/kiln-monitor/tests/reference/distance_reference.py scipy
    # Evidently 0.7.23 (own venv: evidently==0.7.23 "pandas<3" scipy==1.17.1 numpy==2.4.6)
    benches/peers/.venv-evidently/bin/python crates/kiln-monitor/tests/reference/distance_reference.py evidently
    # NannyML 0.13.1 (a separate venv: pip install nannyml==0.13.1 statsmodels)
    /tmp/venv-nannyml/bin/python crates/kiln-monitor/tests/reference/distance_reference.py nannyml

Data ("columns"): numeric columns of the bundled CSVs in crates/kiln-datasets/data, split in
two by a column (reference = rows where `split_col == ref_value`, current = rows where it equals
`cur_value`; german_credit by `sex`, diabetes by `sex`), and generated samples (seeded NumPy
draws, stored in the fixture as `values`). The Rust tests read the CSVs through kiln-datasets
and the fixture, and never run Python.

Independent definitions used as references (not kiln's code):
- bin edges: np.quantile(ref, np.linspace(0, 1, n+1)) deduplicated with np.unique (a lone
  edge v, from a constant reference, becomes [v - 0.5, v + 0.5], kiln's documented rule);
  np.histogram_bin_edges(ref, bins=n | "sturges" | "doane");
- histogram with outer values folded in: np.histogram(np.clip(x, e[0], e[-1]), e);
- PSI: sum((r - c) * ln(r / c)) on proportions with zeros replaced by epsilon (Evidently's
  formula); Jensen-Shannon: scipy.spatial.distance.jensenshannon; Hellinger:
  sqrt(sum((sqrt p - sqrt q)^2)) / sqrt 2 (NannyML's formula); KL: scipy.stats.entropy on the
  smoothed proportions; chi-square: scipy.stats.chi2_contingency / scipy.stats.chisquare.
"""

import csv
import json
import math
import os
import sys
import warnings

import numpy as np

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures")

SPLITS = [
    ("german_credit", "sex", "female", "male",
     ["duration", "credit_amount", "installment_rate", "present_residence_since", "age",
      "number_of_existing_credits", "number_of_people_liable_for"]),
    ("diabetes", "sex", "1.0", "2.0",
     ["age", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "target"]),
]
CATEGORICAL_SPLITS = [
    ("german_credit", "sex", "female", "male",
     ["status", "credit_history", "purpose", "savings", "present_employment", "personal_status",
      "property", "housing", "job"]),
    # age_group as the split: `personal_status` has categories seen only in one group.
    ("german_credit", "age_group", "<25", ">=25", ["personal_status", "purpose", "housing"]),
]


def f(x):
    """JSON float: NaN -> null, inf -> "inf"."""
    x = float(x)
    if math.isnan(x):
        return None
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def fl(xs):
    return [f(x) for x in xs]


def read_csv(name):
    with open(os.path.join(DATA, name + ".csv"), newline="") as fh:
        rows = list(csv.DictReader(fh))
    return rows


def split_column(name, split_col, ref_value, cur_value, col, numeric=True):
    rows = read_csv(name)
    conv = float if numeric else str
    ref = [conv(r[col]) for r in rows if r[split_col] == ref_value and r[col] != ""]
    cur = [conv(r[col]) for r in rows if r[split_col] == cur_value and r[col] != ""]
    return ref, cur


def generated():
    """Seeded samples: (name, reference, current)."""
    rng = np.random.default_rng(20261126)
    out = []
    out.append(("normal_shift", rng.normal(0, 1, 400), rng.normal(0.3, 1.2, 300)))
    out.append(("lognormal", rng.lognormal(0, 1, 500), rng.lognormal(0.2, 1, 250)))
    out.append(("uniform_wide_current", rng.uniform(0, 1, 200), rng.uniform(-0.5, 1.5, 200)))
    out.append(("ties", rng.integers(0, 5, 300).astype(float), rng.integers(0, 7, 120).astype(float)))
    out.append(("many_ties", np.round(rng.normal(50, 10, 600)), np.round(rng.normal(52, 10, 600))))
    out.append(("tiny", np.array([1.0, 2.0, 4.0]), np.array([0.0, 2.0, 3.0, 9.0])))
    out.append(("constant", np.full(10, 3.5), np.array([3.5, 3.5, 4.0])))
    out.append(("two_values", np.array([0.0, 1.0]), np.array([1.0, 1.0, 0.5])))
    out.append(("single", np.array([2.0]), np.array([1.0, 2.0, 3.0])))
    return [(n, np.asarray(r, float), np.asarray(c, float)) for n, r, c in out]


def numeric_columns():
    cols = []
    for name, split_col, rv, cv, columns in SPLITS:
        for col in columns:
            ref, cur = split_column(name, split_col, rv, cv, col)
            src = {"dataset": name, "column": col, "split_col": split_col,
                   "ref_value": rv, "cur_value": cv}
            cols.append((f"{name}.{col}", src, np.array(ref), np.array(cur)))
    for n, r, c in generated():
        cols.append((n, {"generated": n}, r, c))
    return cols


def samples():
    return {n: [fl(r), fl(c)] for n, r, c in generated()}


# ---------------------------------------------------------------- scipy / numpy references


def quantile_edges(ref, n):
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, n + 1)))
    if len(edges) == 1:
        # kiln's documented rule for a constant reference (NumPy's equal-width rule).
        edges = np.array([edges[0] - 0.5, edges[0] + 0.5])
    return edges


def clip_hist(x, edges):
    return np.histogram(np.clip(x, edges[0], edges[-1]), edges)[0].astype(float)


def props(c):
    c = np.asarray(c, float)
    return c / c.sum()


def psi_ref(r, c, eps):
    p, q = props(r), props(c)
    p = np.where(p == 0, eps, p)
    q = np.where(q == 0, eps, q)
    return float(np.sum((p - q) * np.log(p / q)))


def hellinger_ref(r, c):
    p, q = props(r), props(c)
    return float(np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)) / np.sqrt(2))


def kl_ref(p_counts, q_counts, eps):
    from scipy import stats

    p, q = props(p_counts), props(q_counts)
    p = np.where(p == 0, eps, p)
    q = np.where(q == 0, eps, q)
    return float(stats.entropy(p, q))


def distances(r, c):
    from scipy import stats
    from scipy.spatial import distance

    out = {}
    out["psi"] = {str(eps): f(psi_ref(r, c, eps)) for eps in (1e-4, 1e-6)}
    out["js"] = {str(b): f(distance.jensenshannon(r, c, base=b)) for b in (2.0, math.e, 10.0)}
    out["hellinger"] = f(hellinger_ref(r, c))
    out["kl"] = {str(eps): f(kl_ref(c, r, eps)) for eps in (1e-4, 0.0)}
    keep = (np.asarray(r) + np.asarray(c)) > 0
    table = np.array([np.asarray(r)[keep], np.asarray(c)[keep]])
    if table.shape[1] >= 1:
        res = stats.chi2_contingency(table)
        out["chi2_contingency"] = {"statistic": f(res.statistic), "p_value": f(res.pvalue),
                                   "dof": int(res.dof)}
    r_arr, c_arr = np.asarray(r, float), np.asarray(c, float)
    keep = ~((r_arr == 0) & (c_arr == 0))
    if keep.sum() >= 2:
        exp = r_arr[keep] / r_arr.sum() * c_arr.sum()
        res = stats.chisquare(c_arr[keep], exp)
        out["chi2_gof"] = {"statistic": f(res.statistic), "p_value": f(res.pvalue),
                           "dof": int(keep.sum() - 1)}
    return out


def scipy_fixture():
    import scipy

    binning_cases = []
    count_cases = []
    for name, src, ref, cur in numeric_columns():
        rules = [("quantile", 10), ("quantile", 4), ("uniform", 7), ("sturges", None),
                 ("doane", None)]
        for rule, n in rules:
            if rule == "quantile":
                edges = quantile_edges(ref, n)
            elif rule == "uniform":
                edges = np.histogram_bin_edges(ref, bins=n)
            else:
                edges = np.histogram_bin_edges(ref, bins=rule)
            case = {"name": name, "source": src, "rule": rule, "n_bins": n, "edges": fl(edges)}
            if len(edges) >= 2 and np.all(np.diff(edges) > 0):
                rc, cc = clip_hist(ref, edges), clip_hist(cur, edges)
                inside = np.histogram(cur, edges)[0].astype(float)
                case["ref_counts"] = fl(rc)
                case["cur_counts"] = fl(cc)
                case["cur_inside"] = fl(inside)
                case["cur_outside"] = f(len(cur) - inside.sum())
                if rc.sum() > 0 and cc.sum() > 0:
                    count_cases.append({"name": f"{name}/{rule}{n or ''}",
                                        "binning_case": len(binning_cases), **distances(rc, cc)})
            binning_cases.append(case)
    rng = np.random.default_rng(7)
    hand = [
        ("2x2_yates_small", [3.0, 7.0], [8.0, 2.0]),
        ("2x2_yates_tiny_diff", [10.0, 10.0], [10.2, 9.9]),
        ("2x2_equal", [5.0, 5.0], [5.0, 5.0]),
        ("zeros_in_both", [4.0, 0.0, 6.0, 0.0], [0.0, 3.0, 5.0, 0.0]),
        ("weighted", [1.5, 2.25, 0.75], [0.5, 3.0, 2.0]),
        ("identical", [10.0, 20.0, 30.0], [1.0, 2.0, 3.0]),
        ("disjoint", [5.0, 0.0], [0.0, 5.0]),
        ("one_bin", [7.0], [3.0]),
        ("large", list(rng.integers(0, 5000, 12).astype(float)),
         list(rng.integers(0, 5000, 12).astype(float))),
        ("sparse", list(rng.poisson(0.7, 30).astype(float)), list(rng.poisson(0.9, 30).astype(float))),
    ]
    for name, r, c in hand:
        count_cases.append({"name": name, "ref": fl(r), "cur": fl(c),
                            **distances(np.array(r), np.array(c))})
    doc = {"scipy": scipy.__version__, "numpy": np.__version__,
           "samples": samples(), "binning": binning_cases, "counts": count_cases}
    write("distance_scipy.json", doc)


# ------------------------------------------------------------------------------ evidently


def evidently_fixture():
    import evidently
    import pandas as pd
    from evidently.legacy.calculations.stattests.jensenshannon import _jensenshannon
    from evidently.legacy.calculations.stattests.kl_div import _kl_div
    from evidently.legacy.calculations.stattests.psi import _psi
    from evidently.legacy.calculations.stattests.utils import get_binned_data
    from evidently.legacy.core import ColumnType

    cases = []
    for name, src, ref, cur in numeric_columns():
        # Evidently sees the column as pandas gives it: german_credit's columns are integers.
        dtype = "int64" if np.all(ref == np.round(ref)) and np.all(cur == np.round(cur)) \
            and src.get("dataset") == "german_credit" else "float64"
        r = pd.Series(ref.astype(dtype))
        c = pd.Series(cur.astype(dtype))
        rp, cp = get_binned_data(r, c, ColumnType.Numerical, 30, False)
        cases.append({
            "name": name, "source": src, "kind": "numerical", "dtype": dtype,
            "n_bins": len(rp),
            "psi": f(_psi(r, c, ColumnType.Numerical, 0.1)[0]),
            "jensenshannon": f(_jensenshannon(r, c, ColumnType.Numerical, 0.1)[0]),
            "kl_div": f(_kl_div(r, c, ColumnType.Numerical, 0.1)[0]),
        })
    for name, split_col, rv, cv, columns in CATEGORICAL_SPLITS:
        for col in columns:
            ref, cur = split_column(name, split_col, rv, cv, col, numeric=False)
            r, c = pd.Series(ref, dtype=object), pd.Series(cur, dtype=object)
            cases.append({
                "name": f"{name}.{col} by {split_col}",
                "source": {"dataset": name, "column": col, "split_col": split_col,
                           "ref_value": rv, "cur_value": cv},
                "kind": "categorical",
                "psi": f(_psi(r, c, ColumnType.Categorical, 0.1)[0]),
                "jensenshannon": f(_jensenshannon(r, c, ColumnType.Categorical, 0.1)[0]),
                "kl_div": f(_kl_div(r, c, ColumnType.Categorical, 0.1)[0]),
            })
    write("distance_evidently.json", {"evidently": evidently.__version__,
                                      "samples": samples(), "cases": cases})


# -------------------------------------------------------------------------------- nannyml


def nannyml_fixture():
    import nannyml
    import pandas as pd
    from nannyml.drift.univariate.methods import (
        CategoricalHellingerDistance,
        CategoricalJensenShannonDistance,
        ContinuousHellingerDistance,
        ContinuousJensenShannonDistance,
    )

    def run(cls, r, c):
        from nannyml.chunk import DefaultChunker
        from nannyml.thresholds import ConstantThreshold

        m = cls(chunker=DefaultChunker(), threshold=ConstantThreshold(upper=0.1))
        m._fit(r)
        return float(m._calculate(c))

    cases = []
    for name, src, ref, cur in numeric_columns():
        r, c = pd.Series(ref), pd.Series(cur)
        cases.append({
            "name": name, "source": src, "kind": "continuous",
            "edges": fl(np.histogram_bin_edges(ref, bins="doane")),
            "jensen_shannon": f(run(ContinuousJensenShannonDistance, r, c)),
            "hellinger": f(run(ContinuousHellingerDistance, r, c)),
        })
    for name, split_col, rv, cv, columns in CATEGORICAL_SPLITS:
        for col in columns:
            ref, cur = split_column(name, split_col, rv, cv, col, numeric=False)
            r, c = pd.Series(ref, dtype=object), pd.Series(cur, dtype=object)
            cases.append({
                "name": f"{name}.{col} by {split_col}",
                "source": {"dataset": name, "column": col, "split_col": split_col,
                           "ref_value": rv, "cur_value": cv},
                "kind": "categorical",
                "jensen_shannon": f(run(CategoricalJensenShannonDistance, r, c)),
                "hellinger": f(run(CategoricalHellingerDistance, r, c)),
            })
    write("distance_nannyml.json", {"nannyml": nannyml.__version__,
                                    "samples": samples(), "cases": cases})


def write(fname, doc):
    path = os.path.join(OUT, fname)
    with open(path, "w") as fh:
        json.dump(doc, fh, separators=(",", ":"))
        fh.write("\n")
    print(f"wrote {path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    which = sys.argv[1] if len(sys.argv) > 1 else "scipy"
    {"scipy": scipy_fixture, "evidently": evidently_fixture, "nannyml": nannyml_fixture}[which]()
