"""Reference values of fairlearn 0.15 / AIF360 0.6.1 / scikit-learn 1.9.1 for kiln-fairness'
named measures (`src/measures*.rs`), read by `tests/measures.rs` and `tests/report.rs`.

Run from the repository root with the peers' environment:

    benches/peers/.venv/bin/python crates/kiln-fairness/tests/reference/measures_reference.py

It writes `crates/kiln-fairness/tests/fixtures/measures_german_credit.json`.

Data: german_credit (/work/shared/datasets). A LogisticRegression (one-hot + standardized
features, sensitive columns `sex` and `age_group` left out) is fitted on a seeded 70/30 split;
the fixture stores the test rows' inputs (y_true with `good` = 1, y_pred, P(good), `sex`,
`age_group`, `housing`, seeded weights in [0.5, 2)) so the Rust test uses the very same arrays.
`sex_np` is `sex` with 8 rows whose y_true is 0 relabelled `nopos`: a hand-made group with no
positive label (its TPR and FNR are 0/0; fairlearn reports 0 there, AIF360 NaN).

Encoding: NaN (undefined) is written as JSON `null`.

AIF360 is run as is (BinaryLabelDataset + ClassificationMetric with instance_weights); its
generalized_entropy_index ignores instance weights, so the weighted GEI reference is computed
here from AIF360's documented formula with weighted means (b_i = yhat_i - y_i + 1).
"""

import json
import logging
import os
import warnings

import numpy as np
import pandas as pd
import sklearn
import fairlearn
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    demographic_parity_ratio,
    equal_opportunity_difference,
    equal_opportunity_ratio,
    equalized_odds_difference,
    equalized_odds_ratio,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from sklearn.calibration import calibration_curve
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

warnings.simplefilter("ignore")
logging.disable(logging.WARNING)
from aif360.datasets import BinaryLabelDataset  # noqa: E402
from aif360.metrics import ClassificationMetric  # noqa: E402
import aif360  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "measures_german_credit.json")
DATA = "/work/shared/datasets/german_credit.csv"


def clean(v):
    if isinstance(v, (list, tuple, np.ndarray)):
        return [clean(x) for x in v]
    v = float(v)
    return None if not np.isfinite(v) else v


def npv(y_true, y_pred, sample_weight=None):
    w = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight)
    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    tn = np.sum(w[(yt == 0) & (yp == 0)])
    pn = np.sum(w[yp == 0])
    return tn / pn if pn > 0 else 0.0


def error_rate(y_true, y_pred, sample_weight=None):
    w = np.ones(len(y_true)) if sample_weight is None else np.asarray(sample_weight)
    wrong = np.asarray(y_true) != np.asarray(y_pred)
    return np.sum(w[wrong]) / np.sum(w)


def ppv(y_true, y_pred, sample_weight=None):
    return precision_score(y_true, y_pred, sample_weight=sample_weight, zero_division=0)


RATES = {
    "selection_rate": selection_rate,
    "tpr": true_positive_rate,
    "fpr": false_positive_rate,
    "tnr": true_negative_rate,
    "fnr": false_negative_rate,
    "ppv": ppv,
    "npv": npv,
    "error_rate": error_rate,
}


def fairlearn_case(y, yp, sf, sw):
    out = {}
    kw = dict(sensitive_features=sf, sample_weight=sw)
    for method in ["between_groups", "to_overall"]:
        m = {}
        m["demographic_parity_difference"] = demographic_parity_difference(y, yp, method=method, **kw)
        m["demographic_parity_ratio"] = demographic_parity_ratio(y, yp, method=method, **kw)
        for agg in ["worst_case", "mean"]:
            m[f"equalized_odds_difference_{agg}"] = equalized_odds_difference(
                y, yp, method=method, agg=agg, **kw)
            m[f"equalized_odds_ratio_{agg}"] = equalized_odds_ratio(
                y, yp, method=method, agg=agg, **kw)
        m["equal_opportunity_difference"] = equal_opportunity_difference(y, yp, method=method, **kw)
        m["equal_opportunity_ratio"] = equal_opportunity_ratio(y, yp, method=method, **kw)
        out[method] = {k: clean(v) for k, v in m.items()}
    mf = MetricFrame(
        metrics=RATES, y_true=y, y_pred=yp, sensitive_features=sf,
        sample_params={k: {"sample_weight": sw} for k in RATES} if sw is not None else None,
    )
    out["groups"] = [", ".join(map(str, k)) if isinstance(k, tuple) else str(k)
                     for k in mf.by_group.index]
    out["by_group"] = {k: clean(mf.by_group[k].to_numpy(dtype=float)) for k in RATES}
    out["overall"] = {k: clean(mf.overall[k]) for k in RATES}
    out["rate_difference"] = {
        method: {k: clean(v) for k, v in mf.difference(method=method).items()}
        for method in ["between_groups", "to_overall"]
    }
    out["rate_ratio"] = {
        method: {k: clean(v) for k, v in mf.ratio(method=method).items()}
        for method in ["between_groups", "to_overall"]
    }
    return out


def gei_weighted(y, yp, w, alpha):
    b = 1.0 + yp - y
    mu = np.average(b, weights=w)
    if alpha == 1:
        return np.average(np.where(b > 0, b / mu * np.log(np.where(b > 0, b, 1) / mu), 0.0), weights=w)
    if alpha == 0:
        with np.errstate(divide="ignore"):
            return -np.average(np.log(b / mu), weights=w)
    return np.average((b / mu) ** alpha - 1, weights=w) / (alpha * (alpha - 1))


def aif_case(y, yp, cols, codes, priv, unpriv, sw):
    df = pd.DataFrame({c: codes[c].astype(float) for c in cols})
    df["label"] = y.astype(float)
    w = np.ones(len(y)) if sw is None else sw
    ds = BinaryLabelDataset(df=df, label_names=["label"], protected_attribute_names=cols,
                            favorable_label=1.0, unfavorable_label=0.0, instance_weights_name=None)
    ds.instance_weights = w.astype(float).copy()
    pred = ds.copy(deepcopy=True)
    pred.labels = yp.astype(float).reshape(-1, 1)
    cm = ClassificationMetric(ds, pred, unprivileged_groups=unpriv, privileged_groups=priv)
    out = {
        "statistical_parity_difference": cm.statistical_parity_difference(),
        "disparate_impact": cm.disparate_impact(),
        "average_odds_difference": cm.average_odds_difference(),
        "equal_opportunity_difference": cm.equal_opportunity_difference(),
        "selection_rate_privileged": cm.selection_rate(privileged=True),
        "selection_rate_unprivileged": cm.selection_rate(privileged=False),
        "tpr_privileged": cm.true_positive_rate(privileged=True),
        "tpr_unprivileged": cm.true_positive_rate(privileged=False),
        "fpr_privileged": cm.false_positive_rate(privileged=True),
        "fpr_unprivileged": cm.false_positive_rate(privileged=False),
        "weight_privileged": cm.num_instances(privileged=True),
        "weight_unprivileged": cm.num_instances(privileged=False),
    }
    out = {k: clean(v) for k, v in out.items()}
    # GEI: AIF360's own value without weights, the documented formula with weighted means else.
    gei = {}
    for alpha in [0.0, 0.5, 1.0, 2.0, 3.0]:
        if sw is None:
            gei[str(alpha)] = clean(cm.generalized_entropy_index(alpha=alpha))
        else:
            gei[str(alpha)] = clean(gei_weighted(y.astype(float), yp.astype(float), sw, alpha))
    out["generalized_entropy_index"] = gei
    out["theil_index"] = clean(cm.theil_index()) if sw is None else clean(
        gei_weighted(y.astype(float), yp.astype(float), sw, 1.0))
    return out


def ece(y, p, w, n_bins):
    edges = np.linspace(0, 1, n_bins + 1)
    idx = np.searchsorted(edges[1:-1], p, side="left")
    tot = w.sum()
    e = 0.0
    for b in range(n_bins):
        m = idx == b
        wb = w[m].sum()
        if wb > 0:
            e += wb / tot * abs(np.sum(w[m] * y[m]) / wb - np.sum(w[m] * p[m]) / wb)
    return e


def score_case(y, proba, keys, sw, n_bins):
    w = np.ones(len(y)) if sw is None else sw
    out = {"groups": [], "auc": [], "mean_score": [], "ece": [], "calibration": []}
    for g in sorted(set(keys)):
        m = np.array([k == g for k in keys])
        out["groups"].append(", ".join(g))
        yg, pg, wg = y[m], proba[m], w[m]
        if len(set(yg)) < 2:
            out["auc"].append(None)
        else:
            out["auc"].append(float(roc_auc_score(yg, pg, sample_weight=None if sw is None else wg)))
        out["mean_score"].append(float(np.average(pg, weights=wg)))
        out["ece"].append(float(ece(yg, pg, wg, n_bins)))
        pt, pp = calibration_curve(yg, pg, n_bins=n_bins, strategy="uniform")
        out["calibration"].append({"prob_true": clean(pt), "prob_pred": clean(pp)})
    out["overall_auc"] = float(roc_auc_score(y, proba, sample_weight=sw))
    out["overall_mean_score"] = float(np.average(proba, weights=w))
    out["overall_ece"] = float(ece(y, proba, w, n_bins))
    return out


def main():
    df = pd.read_csv(DATA)
    y_all = (df["credit"] == "good").astype(int).to_numpy()
    features = df.drop(columns=["credit", "sex", "age_group", "personal_status"])
    cat = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    num = [c for c in features.columns if c not in cat]
    idx_train, idx_test = train_test_split(np.arange(len(df)), test_size=0.3, random_state=7,
                                           stratify=y_all)
    model = make_pipeline(
        ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), cat),
                           ("num", StandardScaler(), num)]),
        LogisticRegression(max_iter=1000),
    )
    model.fit(features.iloc[idx_train], y_all[idx_train])
    test = df.iloc[idx_test].reset_index(drop=True)
    y = y_all[idx_test]
    proba = model.predict_proba(features.iloc[idx_test])[:, 1]
    yp = (proba >= 0.5).astype(int)
    rng = np.random.default_rng(20261126)
    sw = rng.uniform(0.5, 2.0, size=len(y))
    sex = test["sex"].astype(str).to_numpy()
    age = test["age_group"].astype(str).to_numpy()
    housing = test["housing"].astype(str).to_numpy()
    sex_np = sex.copy()
    neg_rows = np.flatnonzero(y == 0)[:8]
    sex_np[neg_rows] = "nopos"

    fixture = {
        "versions": {"fairlearn": fairlearn.__version__, "aif360": aif360.__version__,
                     "sklearn": sklearn.__version__, "numpy": np.__version__,
                     "pandas": pd.__version__},
        "y_true": y.tolist(), "y_pred": yp.tolist(), "proba": proba.tolist(),
        "sample_weight": sw.tolist(),
        "sex": sex.tolist(), "age_group": age.tolist(), "housing": housing.tolist(),
        "sex_np": sex_np.tolist(),
        "cases": [],
    }
    levels = {c: sorted(set(v)) for c, v in
              {"sex": sex, "age_group": age, "sex_np": sex_np, "housing": housing}.items()}
    codes = {c: np.array([levels[c].index(x) for x in v]) for c, v in
             {"sex": sex, "age_group": age, "sex_np": sex_np, "housing": housing}.items()}
    configs = [
        # name, sensitive columns, privileged [(col, level)] AND, unprivileged or None
        ("sex", ["sex"], [[("sex", "male")]], None),
        ("sex_age", ["sex", "age_group"], [[("sex", "male"), ("age_group", ">=25")]], None),
        ("sex_np", ["sex_np"], [[("sex_np", "male")]], [[("sex_np", "female")]]),
    ]
    cols_data = {"sex": sex, "age_group": age, "sex_np": sex_np}
    n_bins = 5
    for name, cols, priv, unpriv in configs:
        sf = pd.DataFrame({c: cols_data[c] for c in cols}) if len(cols) > 1 else cols_data[cols[0]]
        keys = [tuple(cols_data[c][i] for c in cols) for i in range(len(y))]
        for weighted in [False, True]:
            w = sw if weighted else None
            aif_priv = [{c: float(levels[c].index(l)) for c, l in clause} for clause in priv]
            if unpriv is None:
                # AIF360 needs the complement spelled out: every level combination that no
                # privileged clause matches.
                combos = sorted(set(keys))
                unpriv_combos = [k for k in combos
                                 if not any(all(k[cols.index(c)] == l for c, l in clause)
                                            for clause in priv)]
                aif_unpriv = [{c: float(levels[c].index(k[j])) for j, c in enumerate(cols)}
                              for k in unpriv_combos]
            else:
                aif_unpriv = [{c: float(levels[c].index(l)) for c, l in clause} for clause in unpriv]
            fixture["cases"].append({
                "name": name, "columns": cols, "weighted": weighted,
                "privileged": [[list(p) for p in clause] for clause in priv],
                "unprivileged": None if unpriv is None else [[list(p) for p in c] for c in unpriv],
                "fairlearn": fairlearn_case(y, yp, sf, w),
                "aif360": aif_case(y, yp, cols, codes, aif_priv, aif_unpriv, w),
                "scores": score_case(y, proba, keys, w, n_bins),
                "n_bins": n_bins,
            })
    # A control column: fairlearn's MetricFrame difference / ratio within each housing level.
    control = {}
    for weighted in [False, True]:
        w = sw if weighted else None
        mf = MetricFrame(metrics={"selection_rate": selection_rate, "tpr": true_positive_rate},
                         y_true=y, y_pred=yp, sensitive_features=pd.DataFrame({"sex": sex}),
                         control_features=pd.DataFrame({"housing": housing}),
                         sample_params={k: {"sample_weight": w} for k in
                                        ["selection_rate", "tpr"]} if w is not None else None)
        res = {}
        for method in ["between_groups", "to_overall"]:
            d = mf.difference(method=method)
            r = mf.ratio(method=method)
            res[method] = {
                "difference": {k: clean(d[k].to_numpy(dtype=float)) for k in d.columns},
                "ratio": {k: clean(r[k].to_numpy(dtype=float)) for k in r.columns},
            }
        res["levels"] = [str(k) for k in mf.difference().index]
        control["weighted" if weighted else "unweighted"] = res
    fixture["control_housing"] = control
    with open(OUT, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
