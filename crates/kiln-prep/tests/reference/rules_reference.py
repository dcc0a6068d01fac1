"""Reference outputs of NumPy / SciPy / pandas for kiln-prep's data-quality rules, outlier
flags and correlation filter.

Run from the repository root with the peers' environment (NumPy 2.4, SciPy 1.17, pandas 3.1):

    benches/peers/.venv/bin/python crates/kiln-prep/tests/reference/rules_reference.py

It writes `crates/kiln-prep/tests/fixtures/rules_{checks,outliers,correlation}.json`, read by
`tests/rules.rs` and `tests/correlation.rs`.

Data: the bundled CSVs in crates/kiln-datasets/data, read so that only an empty cell is
missing (as kiln's CSV reader does). Everything is computed here with the libraries, not by
porting kiln's code:

- rule violations: pandas boolean masks (a missing value fails only "not null");
- IQR fences: `np.percentile(x, [25, 75])` (method "linear", NumPy's default) of the
  non-missing values, flags strictly outside `[q1 - k iqr, q3 + k iqr]`;
- z-scores: `scipy.stats.zscore(x, nan_policy="omit")` (ddof=0), flags `|z| > threshold`;
- correlations: `np.corrcoef` of the feature columns, and the filter rule of
  `CorrelationFilter` (scan pairs i < j in column order; when |r_ij| > threshold and neither
  is dropped yet, drop j) applied to that matrix.

Encoding: NaN is JSON `null`.
"""

import json
import math
import os

import numpy as np
import pandas as pd
import scipy
import scipy.stats

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures")
N_EXAMPLES = 5


def read(name):
    return pd.read_csv(os.path.join(DATA, f"{name}.csv"), keep_default_na=False, na_values=[""])


def clean(v):
    if isinstance(v, (list, tuple)):
        return [clean(x) for x in v]
    if isinstance(v, dict):
        return {k: clean(x) for k, x in v.items()}
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def write(name, doc):
    doc["versions"] = {"numpy": np.__version__, "scipy": scipy.__version__, "pandas": pd.__version__}
    path = os.path.join(OUT, f"rules_{name}.json")
    with open(path, "w") as f:
        json.dump(clean(doc), f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", path)


# --- rules -----------------------------------------------------------------------------------

def violation_mask(df, rule):
    s = df[rule["column"]]
    kind = rule["check"]
    if kind == "range":
        mask = pd.Series(False, index=s.index)
        if rule["min"] is not None:
            mask |= s < rule["min"]
        if rule["max"] is not None:
            mask |= s > rule["max"]
        return mask & s.notna()
    if kind == "non_negative":
        return (s < 0) & s.notna()
    if kind == "not_null":
        return s.isna()
    if kind == "allowed":
        return ~s.isin(rule["allowed"]) & s.notna()
    raise ValueError(kind)


def rule_case(data, rules):
    df = read(data)
    outcomes = []
    drop = pd.Series(False, index=df.index)
    out = df.copy()
    for r in rules:
        mask = violation_mask(df, r)
        rows = np.flatnonzero(mask.to_numpy())
        values = [df[r["column"]].iloc[i] for i in rows[:N_EXAMPLES]]
        values = [None if (isinstance(v, float) and math.isnan(v)) else v for v in values]
        outcomes.append({"n_violations": len(rows), "rows": rows[:N_EXAMPLES].tolist(),
                         "values": values})
        if r["action"] == "drop_row":
            drop |= mask
        elif r["action"] == "set_missing":
            out.loc[mask, r["column"]] = np.nan
    out = out[~drop.to_numpy()]
    return {
        "data": data,
        "rules": rules,
        "outcomes": outcomes,
        "rows_dropped": int(drop.sum()),
        "dropped_rows": np.flatnonzero(drop.to_numpy()).tolist(),
        "rows_after": len(out),
        "missing_after": {c: int(out[c].isna().sum()) for c in {r["column"] for r in rules}},
    }


def rng(column, lo, hi, action):
    return {"column": column, "check": "range", "min": lo, "max": hi, "action": action}


CREDIT_HOMES = ["owner", "rent", "parents", "other", "priv"]
rule_cases = [
    rule_case("credit_scoring", [
        rng("income", 50.0, 500.0, "flag"),
        rng("assets", None, 100000.0, "flag"),
        rng("age", 21.0, 65.0, "flag"),
        {"column": "debt", "check": "non_negative", "action": "flag"},
        {"column": "income", "check": "not_null", "action": "flag"},
        {"column": "home", "check": "allowed", "allowed": CREDIT_HOMES, "action": "flag"},
        {"column": "job", "check": "not_null", "action": "flag"},
    ]),
    rule_case("credit_scoring", [
        rng("income", 50.0, 500.0, "set_missing"),
        rng("assets", None, 100000.0, "drop_row"),
        rng("debt", None, 5000.0, "drop_row"),
        {"column": "home", "check": "allowed", "allowed": CREDIT_HOMES, "action": "drop_row"},
        {"column": "home", "check": "not_null", "action": "drop_row"},
        rng("seniority", None, 40.0, "set_missing"),
    ]),
    rule_case("diabetes", [
        rng("bmi", 18.5, 40.0, "flag"),
        rng("bp", None, 120.0, "drop_row"),
        rng("s1", 120.0, None, "set_missing"),
    ]),
]
write("checks", {"cases": rule_cases})


# --- outliers ----------------------------------------------------------------------------------

def outlier_cases(data, columns):
    df = read(data)
    cases = []
    for c in columns:
        x = df[c].to_numpy(dtype=float)
        ok = ~np.isnan(x)
        for k in (1.5, 3.0):
            q1, q3 = np.percentile(x[ok], [25, 75])
            lo, hi = q1 - k * (q3 - q1), q3 + k * (q3 - q1)
            flag = ok & ((x < lo) | (x > hi))
            cases.append({"data": data, "column": c, "method": "iqr", "param": k, "q1": q1,
                          "q3": q3, "lower": lo, "upper": hi,
                          "rows": np.flatnonzero(flag).tolist(), "n_missing": int((~ok).sum())})
        z = scipy.stats.zscore(x, nan_policy="omit")
        for t in (3.0, 2.5):
            with np.errstate(invalid="ignore"):
                flag = np.abs(z) > t
            cases.append({"data": data, "column": c, "method": "zscore", "param": t,
                          "mean": np.mean(x[ok]), "std": np.std(x[ok]),
                          "rows": np.flatnonzero(flag).tolist(), "n_missing": int((~ok).sum())})
    return cases


write("outliers", {"cases":
    outlier_cases("credit_scoring", ["income", "assets", "debt", "seniority", "price"])
    + outlier_cases("diabetes", ["bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"])})


# --- correlation filter ----------------------------------------------------------------------

def filter_rule(r, threshold):
    p = r.shape[0]
    keep = [True] * p
    dropped = []
    for i in range(p):
        if not keep[i]:
            continue
        for j in range(i + 1, p):
            if keep[j] and abs(r[i, j]) > threshold:  # NaN compares False
                keep[j] = False
                dropped.append([j, i, abs(r[i, j])])
    return sorted(dropped)


corr_cases = []
for data in ("breast_cancer", "diabetes"):
    df = read(data)
    features = [c for c in df.columns if c != "target"]
    x = df[features].to_numpy(dtype=float)
    r = np.corrcoef(x, rowvar=False)
    corr_cases.append({
        "data": data,
        "features": features,
        "correlations": r.tolist(),
        "filters": [{"threshold": t, "dropped": filter_rule(r, t)} for t in (0.5, 0.9, 0.95)],
    })
write("correlation", {"cases": corr_cases})
