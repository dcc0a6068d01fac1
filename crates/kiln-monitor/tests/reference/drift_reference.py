"""Reference drift decisions for kiln-monitor's `DriftReport`, by SciPy 1.17.1 and hand formulas.

Run from the repository root with the peers' environment:

    benches/peers/.venv/bin/python crates/kiln-monitor/tests/reference/drift_reference.py

It writes `crates/kiln-monitor/tests/fixtures/drift_german.json`, read by `tests/drift.rs`.

Data: /work/shared/datasets/german_credit.csv (1000 rows). Reference = the first 700 rows,
current = the last 300 rows; "shifted" = the same 300 rows with `duration` * 1.5,
`credit_amount` * 1.5 and `age` + 10; "mild" = `duration` * 1.05, `credit_amount` * 1.12 and
`age` + 3 (p-values near 0.05 / m, where Bonferroni and Benjamini–Hochberg disagree).

Per column, the test is chosen as Evidently 0.7's default rule (`get_default_stattest`):
n_values = distinct non-missing values of reference and current together;
  reference non-missing count <= 1000: numeric with n_values > 5 -> KS (scipy `ks_2samp`,
  method "auto"); otherwise chi-square (n_values > 2) or the two-proportion z-test.
  (Larger references use Wasserstein / Jensen–Shannon; not reached with 700 rows.)
Chi-square is Evidently's goodness-of-fit form: `scipy.stats.chisquare(f_obs, f_exp)` with
f_obs the current counts and f_exp the reference counts times n_cur / n_ref, over the
categories of both. The z-test is Evidently's pooled two-proportion test on the share of one
category, two-sided p = 2 * (1 - Phi(|z|)) computed as 2 * norm.sf(|z|).

Multiple testing over the per-column p-values: Bonferroni min(1, p * m) and Benjamini–Hochberg
by `scipy.stats.false_discovery_control(p, method="bh")`. A column drifts when its (adjusted)
p-value is < 0.05; the dataset drifts when the share of drifted columns is >= 0.5.
"""

import json
import os

import numpy as np
import pandas as pd
import scipy
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "drift_german.json")
DATA = "/work/shared/datasets/german_credit.csv"


def z_test(ref, cur):
    keys = sorted(set(ref.unique()) | set(cur.unique()))
    if ref.nunique() == 1 and cur.nunique() == 1 and ref.unique()[0] == cur.unique()[0]:
        return 0.0, 1.0
    key = keys[0]
    n1, n2 = len(ref), len(cur)
    p1 = float((ref == key).sum()) / n1
    p2 = float((cur == key).sum()) / n2
    p = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(p * (1 - p) * (1.0 / n1 + 1.0 / n2))
    return float(z), float(2 * stats.norm.sf(abs(z)))


def chi_test(ref, cur):
    keys = sorted(set(ref.unique()) | set(cur.unique()))
    k = len(cur) / len(ref)
    rc = ref.value_counts()
    cc = cur.value_counts()
    f_exp = [float(rc.get(key, 0)) * k for key in keys]
    f_obs = [float(cc.get(key, 0)) for key in keys]
    r = stats.chisquare(f_obs, f_exp)
    return float(r.statistic), float(r.pvalue)


def case(ref_df, cur_df):
    cols = []
    for name in ref_df.columns:
        ref = ref_df[name].dropna()
        cur = cur_df[name].dropna()
        numeric = pd.api.types.is_numeric_dtype(ref)
        n_values = pd.concat([ref, cur]).nunique()
        if numeric and n_values > 5:
            method = "ks"
            r = stats.ks_2samp(ref.to_numpy(float), cur.to_numpy(float))
            stat, p = float(r.statistic), float(r.pvalue)
        elif n_values > 2:
            method = "chi_square"
            stat, p = chi_test(ref, cur)
        else:
            method = "z_test"
            stat, p = z_test(ref, cur)
        cols.append({"column": name, "method": method, "statistic": stat, "p_value": p})
    p = np.array([c["p_value"] for c in cols])
    m = len(p)
    bonf = np.minimum(1.0, p * m)
    bh = stats.false_discovery_control(p, method="bh")
    for c, b, h in zip(cols, bonf, bh):
        c["p_bonferroni"] = float(b)
        c["p_bh"] = float(h)
    verdict = {}
    for key, arr in (("none", p), ("bonferroni", bonf), ("bh", bh)):
        n = int((arr < 0.05).sum())
        verdict[key] = {"n_drifted": n, "share": n / m, "dataset_drift": bool(n / m >= 0.5)}
    return {"columns": cols, "verdict": verdict}


def main():
    df = pd.read_csv(DATA)
    ref = df.iloc[:700].reset_index(drop=True)
    cur = df.iloc[700:].reset_index(drop=True)
    shifted = cur.copy()
    shifted["duration"] = shifted["duration"] * 1.5
    shifted["credit_amount"] = shifted["credit_amount"] * 1.5
    shifted["age"] = shifted["age"] + 10
    mild = cur.copy()
    mild["duration"] = mild["duration"] * 1.05
    mild["credit_amount"] = mild["credit_amount"] * 1.12
    mild["age"] = mild["age"] + 3
    out = {
        "scipy": scipy.__version__,
        "split": {"reference_rows": 700, "current_rows": 300},
        "shift": {"duration": ["mul", 1.5], "credit_amount": ["mul", 1.5], "age": ["add", 10]},
        "same": case(ref, cur),
        "shifted": case(ref, shifted),
        "mild": case(ref, mild),
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
