"""Reference values of fairlearn 0.15's MetricFrame for kiln-fairness' group metrics
(`src/frame.rs`), read by `tests/frame.rs`.

Run from the repository root with the peers' environment (fairlearn 0.15.0, scikit-learn 1.9.1):

    benches/peers/.venv/bin/python crates/kiln-fairness/tests/reference/frame_reference.py

It writes `crates/kiln-fairness/tests/fixtures/frame_german_credit.json`.

Data: german_credit (/work/shared/datasets). A LogisticRegression (one-hot + standardized
features; the sensitive columns `sex` and `age_group` left out) is fitted on a seeded,
stratified 70/30 split. The fixture stores the test rows' inputs (y_true with `good` = 1,
y_pred, P(good), `sex`, `age_group`, `housing` as the control column, seeded weights in
[0.5, 2)), so the Rust test uses the very same arrays. `sex_np` is `sex` with 8 rows whose
y_true and y_pred are 0 relabelled `nopos`: a hand-made group with no positive label and no
positive prediction (its TPR, FNR and precision are 0/0).

Each case (sensitive columns, control columns, weighted or not) is computed twice:
- mode "zero": fairlearn's own metrics, which map 0/0 to 0 (kiln's ZeroDivision::Zero);
- mode "nan": the same rates written here to return NaN for 0/0, so fairlearn's aggregates
  skip those groups (pandas skips NaN) -- kiln's ZeroDivision::Undefined, whose undefined
  values are skipped the same way.
ROC AUC returns NaN for a single-class group in both modes (scikit-learn raises there).

For every metric: overall (one value per control level), by_group, group_min, group_max,
difference and ratio with both methods. NaN is written as JSON `null`.

Bootstrap: fairlearn's own `n_boot` intervals for one case, as a loose sanity check of kiln's
(different random streams, so only statistically comparable).
"""

import json
import os
import warnings

import fairlearn
import numpy as np
import pandas as pd
import sklearn
from fairlearn.metrics import (
    MetricFrame,
    count,
    false_negative_rate,
    false_positive_rate,
    mean_prediction,
    selection_rate,
    true_negative_rate,
    true_positive_rate,
)
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    brier_score_loss,
    f1_score,
    precision_score,
    roc_auc_score,
)
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "frame_german_credit.json")
DATA = "/work/shared/datasets/german_credit.csv"


def clean(v):
    if isinstance(v, (list, tuple, np.ndarray, pd.Series)):
        return [clean(x) for x in v]
    v = float(v)
    return None if not np.isfinite(v) else v


def weighted_cells(y_true, y_pred, sample_weight):
    yt, yp = np.asarray(y_true), np.asarray(y_pred)
    w = np.ones(len(yt)) if sample_weight is None else np.asarray(sample_weight)
    tp = w[(yt == 1) & (yp == 1)].sum()
    fp = w[(yt == 0) & (yp == 1)].sum()
    tn = w[(yt == 0) & (yp == 0)].sum()
    fn = w[(yt == 1) & (yp == 0)].sum()
    return tp, fp, tn, fn


def nan_rate(num, den):
    return num / den if den != 0 else float("nan")


def zero_rate(num, den):
    return num / den if den != 0 else 0.0


def make_rate(f, rate):
    def metric(y_true, y_pred, sample_weight=None):
        tp, fp, tn, fn = weighted_cells(y_true, y_pred, sample_weight)
        return f(tp, fp, tn, fn, rate)

    return metric


def roc_auc_or_nan(y_true, y_score, sample_weight=None):
    if len(np.unique(y_true)) < 2:
        return float("nan")
    return roc_auc_score(y_true, y_score, sample_weight=sample_weight)


def f1_zero(y_true, y_pred, sample_weight=None):
    return f1_score(y_true, y_pred, sample_weight=sample_weight, zero_division=0)


def label_metrics(mode):
    """The label metrics by kiln name: fairlearn's own in mode 'zero', NaN for 0/0 in 'nan'."""
    if mode == "zero":
        return {
            "selection_rate": selection_rate,
            "true_positive_rate": true_positive_rate,
            "false_positive_rate": false_positive_rate,
            "true_negative_rate": true_negative_rate,
            "false_negative_rate": false_negative_rate,
            "precision": precision_score,
            "negative_predictive_value": make_rate(
                lambda tp, fp, tn, fn, r: r(tn, tn + fn), zero_rate
            ),
            "accuracy": accuracy_score,
            "error_rate": lambda yt, yp, sample_weight=None: 1.0
            - accuracy_score(yt, yp, sample_weight=sample_weight),
            "count": count,
            "f1": f1_zero,
        }
    r = nan_rate
    return {
        "selection_rate": make_rate(lambda tp, fp, tn, fn, r: r(tp + fp, tp + fp + tn + fn), r),
        "true_positive_rate": make_rate(lambda tp, fp, tn, fn, r: r(tp, tp + fn), r),
        "false_positive_rate": make_rate(lambda tp, fp, tn, fn, r: r(fp, fp + tn), r),
        "true_negative_rate": make_rate(lambda tp, fp, tn, fn, r: r(tn, fp + tn), r),
        "false_negative_rate": make_rate(lambda tp, fp, tn, fn, r: r(fn, tp + fn), r),
        "precision": make_rate(lambda tp, fp, tn, fn, r: r(tp, tp + fp), r),
        "negative_predictive_value": make_rate(lambda tp, fp, tn, fn, r: r(tn, tn + fn), r),
        "accuracy": make_rate(lambda tp, fp, tn, fn, r: r(tp + tn, tp + fp + tn + fn), r),
        "error_rate": make_rate(lambda tp, fp, tn, fn, r: r(fp + fn, tp + fp + tn + fn), r),
        "count": count,
        "f1": f1_zero,
    }


SCORE_METRICS = {
    "mean_score": mean_prediction,
    "roc_auc": roc_auc_or_nan,
    "brier": brier_score_loss,
}


def load():
    df = pd.read_csv(DATA)
    y = (df["credit"] == "good").astype(int).to_numpy()
    X = df.drop(columns=["credit", "sex", "age_group"])
    cat = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    num = [c for c in X.columns if c not in cat]
    pre = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), cat),
            ("num", StandardScaler(), num),
        ]
    )
    idx = np.arange(len(df))
    tr, te = train_test_split(idx, test_size=0.3, random_state=0, stratify=y)
    model = make_pipeline(pre, LogisticRegression(max_iter=2000))
    model.fit(X.iloc[tr], y[tr])
    y_pred = model.predict(X.iloc[te]).astype(int)
    proba = model.predict_proba(X.iloc[te])[:, 1]
    test = df.iloc[te].reset_index(drop=True)
    rng = np.random.default_rng(12345)
    weights = rng.uniform(0.5, 2.0, size=len(te))
    y_true = y[te]
    sex_np = test["sex"].to_numpy(dtype=object).copy()
    candidates = np.flatnonzero((y_true == 0) & (y_pred == 0))
    sex_np[candidates[:8]] = "nopos"
    return {
        "y_true": y_true,
        "y_pred": y_pred,
        "proba": proba,
        "weights": weights,
        "columns": {
            "sex": test["sex"].to_numpy(dtype=object),
            "age_group": test["age_group"].to_numpy(dtype=object),
            "housing": test["housing"].to_numpy(dtype=object),
            "sex_np": sex_np,
        },
    }


def frame(metrics, data, y_pred, sensitive, control, weighted):
    sf = pd.DataFrame({c: data["columns"][c] for c in sensitive})
    cf = pd.DataFrame({c: data["columns"][c] for c in control}) if control else None
    sample_params = (
        {name: {"sample_weight": data["weights"]} for name in metrics if name != "count"}
        if weighted
        else None
    )
    return MetricFrame(
        metrics=metrics,
        y_true=data["y_true"],
        y_pred=y_pred,
        sensitive_features=sf,
        control_features=cf,
        sample_params=sample_params,
    )


def as_levels(values, control):
    """A per-metric aggregate as a list over control levels (one entry without controls)."""
    if not control:
        return [values]
    return list(values)


def describe(mf, names, control):
    out = {}
    by_group = mf.by_group
    for name in names:
        entry = {"by_group": clean(by_group[name].to_numpy())}
        if control:
            entry["overall"] = clean(mf.overall[name].to_numpy())
            entry["group_min"] = clean(mf.group_min()[name].to_numpy())
            entry["group_max"] = clean(mf.group_max()[name].to_numpy())
            for m in ("between_groups", "to_overall"):
                entry[f"difference_{m}"] = clean(mf.difference(method=m)[name].to_numpy())
                entry[f"ratio_{m}"] = clean(mf.ratio(method=m)[name].to_numpy())
        else:
            entry["overall"] = clean([mf.overall[name]])
            entry["group_min"] = clean([mf.group_min()[name]])
            entry["group_max"] = clean([mf.group_max()[name]])
            for m in ("between_groups", "to_overall"):
                entry[f"difference_{m}"] = clean([mf.difference(method=m)[name]])
                entry[f"ratio_{m}"] = clean([mf.ratio(method=m)[name]])
        out[name] = entry
    index = [[str(v) for v in (k if isinstance(k, tuple) else (k,))] for k in by_group.index]
    return out, index


CASES = [
    (["sex"], [], False),
    (["sex"], [], True),
    (["sex", "age_group"], [], False),
    (["sex", "age_group"], [], True),
    (["sex"], ["housing"], False),
    (["sex", "age_group"], ["housing"], True),
    (["sex_np"], [], False),
    (["sex_np"], [], True),
    (["sex_np", "age_group"], ["housing"], False),
    (["sex_np", "age_group"], ["housing"], True),
]


def main():
    data = load()
    cases = []
    for sensitive, control, weighted in CASES:
        for mode in ("zero", "nan"):
            labels = label_metrics(mode)
            mf_l = frame(labels, data, data["y_pred"], sensitive, control, weighted)
            mf_s = frame(SCORE_METRICS, data, data["proba"], sensitive, control, weighted)
            res_l, index = describe(mf_l, list(labels), control)
            res_s, index_s = describe(mf_s, list(SCORE_METRICS), control)
            assert index == index_s
            res_l.update(res_s)
            cases.append(
                {
                    "sensitive": sensitive,
                    "control": control,
                    "weighted": weighted,
                    "mode": mode,
                    "index": index,
                    "metrics": res_l,
                }
            )

    # fairlearn's own bootstrap on one case, for a loose comparison.
    sf = pd.DataFrame({"sex": data["columns"]["sex"], "age_group": data["columns"]["age_group"]})
    mf = MetricFrame(
        metrics={"accuracy": accuracy_score, "selection_rate": selection_rate},
        y_true=data["y_true"],
        y_pred=data["y_pred"],
        sensitive_features=sf,
        n_boot=1000,
        ci_quantiles=[0.025, 0.975],
        random_state=0,
    )
    boot = {
        "sensitive": ["sex", "age_group"],
        "n_boot": 1000,
        "ci_quantiles": [0.025, 0.975],
        "by_group": {
            name: [clean(mf.by_group_ci[q][name].to_numpy()) for q in range(2)]
            for name in ("accuracy", "selection_rate")
        },
        "difference_between_groups": {
            name: [clean(mf.difference_ci()[q][name]) for q in range(2)]
            for name in ("accuracy", "selection_rate")
        },
        "ratio_between_groups": {
            name: [clean(mf.ratio_ci()[q][name]) for q in range(2)]
            for name in ("accuracy", "selection_rate")
        },
        "overall": {
            name: [clean(mf.overall_ci[q][name]) for q in range(2)]
            for name in ("accuracy", "selection_rate")
        },
    }

    doc = {
        "versions": {
            "fairlearn": fairlearn.__version__,
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
        "inputs": {
            "y_true": data["y_true"].tolist(),
            "y_pred": data["y_pred"].tolist(),
            "proba": clean(data["proba"]),
            "weights": clean(data["weights"]),
            "columns": {k: [str(x) for x in v] for k, v in data["columns"].items()},
        },
        "cases": cases,
        "bootstrap": boot,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    print(f"wrote {OUT}: {len(cases)} cases, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
