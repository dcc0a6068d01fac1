"""Reference outputs of AIF360 0.6.1 and fairlearn 0.15.0 for kiln-fairness's pre- and
post-processing mitigators (reweighing, correlation remover, threshold optimizer).

Run from the repository root with the peers' environment:

    benches/peers/.venv/bin/python crates/kiln-fairness/tests/reference/mitigate_reference.py

It writes `crates/kiln-fairness/tests/fixtures/mitigate_{reweighing,correlation,threshold}.json`,
read by `tests/mitigate_pre_post.rs`. Every input array is stored in the fixture so the Rust test
uses the very same numbers.

Data: /work/shared/datasets/german_credit.csv (same file as crates/kiln-datasets/data), target
`credit` with `good` = 1, sensitive `sex` and `age_group`. A fixed split: a
`np.random.RandomState(0)` permutation of the 1000 rows, the first 700 train, the rest test.

- Reweighing: AIF360's `Reweighing` transform (instance weights) on the training rows, with the
  privileged group `sex = male` (and `age_group = >=25`), without and with random incoming
  instance weights; plus the general form over all intersectional groups (sex x age_group), which
  AIF360 does not have, computed from Kamiran & Calders' formula in numpy.
- CorrelationRemover: fitted on the training rows of the 7 numeric features plus the one-hot
  sensitive columns (sex=female, sex=male, age_group=<25), transform of the test rows, for
  alpha = 1 and 0.5.
- ThresholdOptimizer: scores are `predict_proba[:, 1]` of a scikit-learn LogisticRegression
  (one-hot + standardized features, fitted on the training rows); the optimizer is fitted on the
  training scores with `prefit=True`; we store its interpolation (p0, operation0, p1, operation1,
  p_ignore, prediction_constant per group) and `_pmf_predict` on the test rows.
"""

import json
import math
import os
import warnings

import numpy as np
import pandas as pd

warnings.simplefilter("ignore")
import logging

logging.disable(logging.WARNING)

import aif360  # noqa: E402
import fairlearn  # noqa: E402
import sklearn  # noqa: E402
from aif360.algorithms.preprocessing import Reweighing  # noqa: E402
from aif360.datasets import BinaryLabelDataset  # noqa: E402
from fairlearn.postprocessing import ThresholdOptimizer  # noqa: E402
from fairlearn.preprocessing import CorrelationRemover  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures")
DATA = "/work/shared/datasets/german_credit.csv"

NUMERIC = [
    "duration",
    "credit_amount",
    "installment_rate",
    "present_residence_since",
    "age",
    "number_of_existing_credits",
    "number_of_people_liable_for",
]


def fl(v):
    v = float(v)
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def write(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    print(name, os.path.getsize(path), "bytes")


df = pd.read_csv(DATA)
n = len(df)
y = (df["credit"] == "good").astype(int).to_numpy()
sex = df["sex"].astype(str).to_numpy()
age = df["age_group"].astype(str).to_numpy()
perm = np.random.RandomState(0).permutation(n)
train, test = perm[:700], perm[700:]
versions = {
    "aif360": aif360.__version__,
    "fairlearn": fairlearn.__version__,
    "sklearn": sklearn.__version__,
    "numpy": np.__version__,
    "pandas": pd.__version__,
}

# ---------------------------------------------------------------- reweighing (AIF360)
rng = np.random.RandomState(1)
w_in = np.round(rng.uniform(0.5, 2.0, size=len(train)), 3)


def aif_reweigh(attr_name, attr, privileged_value, weights):
    frame = pd.DataFrame(
        {attr_name: (attr[train] == privileged_value).astype(float), "label": y[train].astype(float)}
    )
    ds = BinaryLabelDataset(
        df=frame,
        label_names=["label"],
        protected_attribute_names=[attr_name],
        favorable_label=1.0,
        unfavorable_label=0.0,
        instance_weights_name=None,
    )
    if weights is not None:
        ds.instance_weights = weights.astype(np.float64).copy()
    rw = Reweighing(unprivileged_groups=[{attr_name: 0.0}], privileged_groups=[{attr_name: 1.0}])
    out = rw.fit_transform(ds)
    return {
        "weights": [fl(v) for v in out.instance_weights],
        "w_p_fav": fl(rw.w_p_fav),
        "w_p_unfav": fl(rw.w_p_unfav),
        "w_up_fav": fl(rw.w_up_fav),
        "w_up_unfav": fl(rw.w_up_unfav),
    }


def general_reweigh(keys, labels, weights):
    # Kamiran & Calders: W(g, y) = P(g) P(y) / P(g, y), in weights; per-row weight = w_i W(g_i, y_i).
    w = np.ones(len(labels)) if weights is None else weights
    total = w.sum()
    out = np.empty(len(labels))
    cells = {}
    for g in sorted(set(keys)):
        for lab in (0, 1):
            in_g = keys == g
            in_y = labels == lab
            n_g, n_y, n_gy = w[in_g].sum(), w[in_y].sum(), w[in_g & in_y].sum()
            cell = n_y * n_g / (total * n_gy) if n_gy > 0 else None
            cells[f"{g}|{lab}"] = cell
            if cell is not None:
                out[in_g & in_y] = w[in_g & in_y] * cell
    return {"weights": [fl(v) for v in out], "cells": cells}


inter = np.array([f"{s}, {a}" for s, a in zip(sex[train], age[train])])
write(
    "mitigate_reweighing.json",
    {
        "versions": versions,
        "y": y[train].tolist(),
        "sex": sex[train].tolist(),
        "age_group": age[train].tolist(),
        "sample_weight": [fl(v) for v in w_in],
        "aif360_sex": aif_reweigh("sex", sex, "male", None),
        "aif360_sex_weighted": aif_reweigh("sex", sex, "male", w_in),
        "aif360_age": aif_reweigh("age_group", age, ">=25", None),
        "general_intersectional": general_reweigh(inter, y[train], None),
        "general_intersectional_weighted": general_reweigh(inter, y[train], w_in),
    },
)

# ---------------------------------------------------------------- correlation remover (fairlearn)
xn = df[NUMERIC].to_numpy(dtype=float)
sens = np.column_stack(
    [(sex == "female").astype(float), (sex == "male").astype(float), (age == "<25").astype(float)]
)
x_cr = np.column_stack([xn[:, :3], sens[:, :1], xn[:, 3:], sens[:, 1:]])
sensitive_ids = [3, 8, 9]
cr_cases = {}
for alpha in (1.0, 0.5):
    cr = CorrelationRemover(sensitive_feature_ids=sensitive_ids, alpha=alpha)
    cr.fit(x_cr[train])
    out = cr.transform(x_cr[test])
    cr_cases[str(alpha)] = {
        "alpha": alpha,
        "sensitive_mean": [fl(v) for v in cr.sensitive_mean_],
        "beta": [[fl(v) for v in row] for row in cr.beta_],
        "transform_test": [[fl(v) for v in row] for row in out],
    }
write(
    "mitigate_correlation.json",
    {
        "versions": versions,
        "x": x_cr.tolist(),
        "train": train.tolist(),
        "test": test.tolist(),
        "sensitive_feature_ids": sensitive_ids,
        "cases": cr_cases,
    },
)

# ---------------------------------------------------------------- threshold optimizer (fairlearn)
cat_cols = [c for c in df.columns if c not in NUMERIC + ["credit", "sex", "age_group"]]
full = pd.get_dummies(df[NUMERIC + cat_cols], columns=cat_cols, dtype=float).to_numpy(dtype=float)
mu, sd = full[train].mean(axis=0), full[train].std(axis=0)
sd[sd == 0] = 1.0
full = (full - mu) / sd
lr = LogisticRegression(max_iter=2000).fit(full[train], y[train])
scores = lr.predict_proba(full)[:, 1]


def interp_json(d):
    out = {}
    for key, b in d.items():
        name = ", ".join(key) if isinstance(key, tuple) else str(key)
        e = {
            "p0": fl(b.p0),
            "operator0": b.operation0.operator,
            "threshold0": fl(b.operation0.threshold),
            "p1": fl(b.p1),
            "operator1": b.operation1.operator,
            "threshold1": fl(b.operation1.threshold),
        }
        if "p_ignore" in b:
            e["p_ignore"] = fl(b.p_ignore)
            e["prediction_constant"] = fl(b.prediction_constant)
        out[name] = e
    return out


to_cases = []
for constraints, objective, sens_name, flip in [
    ("demographic_parity", "accuracy_score", "sex", False),
    ("demographic_parity", "accuracy_score", "age_group", False),
    ("true_positive_rate_parity", "accuracy_score", "age_group", False),
    ("false_positive_rate_parity", "accuracy_score", "age_group", False),
    ("equalized_odds", "accuracy_score", "age_group", False),
    ("demographic_parity", "balanced_accuracy_score", "age_group", False),
    ("equalized_odds", "balanced_accuracy_score", "sex", False),
    ("demographic_parity", "accuracy_score", "sex_age", False),
    ("equalized_odds", "accuracy_score", "sex_age", False),
    ("true_positive_rate_parity", "accuracy_score", "sex_age", True),
]:
    if sens_name == "sex_age":
        sf_train = pd.DataFrame({"sex": sex[train], "age_group": age[train]})
        sf_test = pd.DataFrame({"sex": sex[test], "age_group": age[test]})
    else:
        col = sex if sens_name == "sex" else age
        sf_train, sf_test = col[train], col[test]
    to = ThresholdOptimizer(
        estimator=lr,
        constraints=constraints,
        objective=objective,
        prefit=True,
        predict_method="predict_proba",
        flip=flip,
    )
    to.fit(full[train], y[train], sensitive_features=sf_train)
    pmf = to._pmf_predict(full[test], sensitive_features=sf_test)[:, 1]
    to_cases.append(
        {
            "constraints": constraints,
            "objective": objective,
            "sensitive": sens_name,
            "flip": flip,
            "interpolation": interp_json(to.interpolated_thresholder_.interpolation_dict),
            "x_best": fl(to._x_best),
            "pmf_test": [fl(v) for v in pmf],
        }
    )
write(
    "mitigate_threshold.json",
    {
        "versions": versions,
        "y_train": y[train].tolist(),
        "y_test": y[test].tolist(),
        "scores_train": [fl(v) for v in scores[train]],
        "scores_test": [fl(v) for v in scores[test]],
        "sex_train": sex[train].tolist(),
        "sex_test": sex[test].tolist(),
        "age_group_train": age[train].tolist(),
        "age_group_test": age[test].tolist(),
        "cases": to_cases,
    },
)
