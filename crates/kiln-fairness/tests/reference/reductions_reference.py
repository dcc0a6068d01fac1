"""Reference outputs of fairlearn 0.15 for kiln-fairness's exponentiated-gradient reductions.

Run from the repository root with the peers' environment (fairlearn 0.15.0, scikit-learn 1.9.1):

    benches/peers/.venv/bin/python crates/kiln-fairness/tests/reference/reductions_reference.py

It writes `crates/kiln-fairness/tests/fixtures/reductions_moments.json` and
`crates/kiln-fairness/tests/fixtures/reductions_german.json`, read by `tests/reductions.rs`,
and `reductions_lp.json`, read by the unit tests of `src/mitigate/reductions/simplex.rs`.

1. Moments (exact, 1e-12): on the first N_MOMENT rows of german_credit, for a FIXED prediction
   vector (a seeded 0/1 vector) and a FIXED Lagrange-multiplier vector (seeded positive values),
   every constraint moment (DemographicParity, EqualizedOdds, TruePositiveRateParity,
   FalsePositiveRateParity, ErrorRateParity) x sensitive feature (sex, age_group, both) x control
   feature (none, housing) gives: the constraint index (sign, event, group), P(event),
   P(group, event), gamma(pred), signed_weights(lambda) and project_lambda(lambda). The objective
   (ErrorRate) gives its gamma and signed weights once. The inputs are stored in the fixture.

2. The saddle-point linear program (fairlearn's `_Lagrangian.solve_linprog`, primal and dual)
   on seeded random errors and constraint values, solved by scipy's HiGHS: optimal values.

3. Exponentiated gradient on german_credit (not exact: kiln's LogisticRegression is not
   scikit-learn's): features are the numeric columns of kiln-datasets' `features_numeric` plus
   one-hot `status`, `credit_history` and `savings` (levels sorted), standardized with the
   training rows' mean and population std. The split (TEST_IDX, 300 rows) comes from
   numpy's default_rng(0). For sensitive `sex` and `age_group` the script reports the unmitigated
   LogisticRegression's test accuracy and demographic-parity difference, and
   ExponentiatedGradient(LogisticRegression(), DemographicParity(), max_iter=MAX_ITER)'s accuracy
   and gap of the expected (pmf) prediction and of `predict(random_state=0)`; and the same for
   EqualizedOdds() with sensitive `sex` (gap: the larger of the TPR and FPR differences).
"""

import csv
import json
import os
import warnings

import numpy as np
import pandas as pd
import fairlearn
from fairlearn.reductions import (
    DemographicParity,
    EqualizedOdds,
    ErrorRate,
    ErrorRateParity,
    ExponentiatedGradient,
    FalsePositiveRateParity,
    TruePositiveRateParity,
)
from sklearn.linear_model import LogisticRegression

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data", "german_credit.csv")
OUT = os.path.join(HERE, "..", "fixtures")

N_MOMENT = 120
NUMERIC = [
    "duration",
    "credit_amount",
    "installment_rate",
    "present_residence_since",
    "age",
    "number_of_existing_credits",
    "number_of_people_liable_for",
]
CATEGORICAL = ["status", "credit_history", "savings"]
MAX_ITERS = [15, 50]


def read():
    with open(DATA, newline="") as f:
        rows = list(csv.DictReader(f))
    return rows


def moments_case(rows):
    rows = rows[:N_MOMENT]
    n = len(rows)
    y = np.array([1 if r["credit"] == "good" else 0 for r in rows])
    rng = np.random.default_rng(7)
    pred = rng.integers(0, 2, size=n)
    sex = [r["sex"] for r in rows]
    age = [r["age_group"] for r in rows]
    housing = [r["housing"] for r in rows]
    X = np.zeros((n, 1))
    moments = {
        "DemographicParity": lambda: DemographicParity(difference_bound=0.02),
        "EqualizedOdds": lambda: EqualizedOdds(difference_bound=0.02),
        "TruePositiveRateParity": lambda: TruePositiveRateParity(difference_bound=0.02),
        "FalsePositiveRateParity": lambda: FalsePositiveRateParity(difference_bound=0.02),
        "ErrorRateParity": lambda: ErrorRateParity(difference_bound=0.02),
    }
    sensitives = {
        "sex": pd.Series(sex),
        "age_group": pd.Series(age),
        "sex+age_group": pd.DataFrame({"sex": sex, "age_group": age}),
    }
    cases = []
    for mname, make in moments.items():
        for sname, sf in sensitives.items():
            for control in [None, "housing"]:
                m = make()
                kwargs = {"sensitive_features": sf}
                if control is not None:
                    kwargs["control_features"] = pd.Series(housing)
                m.load_data(X, pd.Series(y), **kwargs)
                k = len(m.index)
                lam = pd.Series(rng.uniform(0.0, 3.0, size=k), index=m.index)
                gamma = m.gamma(lambda _x: pred)
                sw = m.signed_weights(lam)
                proj = m.project_lambda(lam)
                cases.append(
                    {
                        "moment": mname,
                        "sensitive": sname,
                        "control": control,
                        "index": [[str(s), str(e), str(g)] for (s, e, g) in m.index],
                        "prob_event": [[str(e), float(v)] for e, v in m.prob_event.items()],
                        "prob_group_event": [
                            [str(e), str(g), float(v)] for (e, g), v in m.prob_group_event.items()
                        ],
                        "bound": [float(v) for v in m.bound()],
                        "lambda": [float(v) for v in lam],
                        "gamma": [float(v) for v in gamma],
                        "signed_weights": [float(v) for v in sw],
                        "project_lambda": [float(v) for v in proj[m.index]],
                    }
                )
    obj = ErrorRate()
    obj.load_data(X, pd.Series(y), sensitive_features=pd.Series(sex))
    return {
        "n": n,
        "y": y.tolist(),
        "pred": pred.tolist(),
        "sex": sex,
        "age_group": age,
        "housing": housing,
        "difference_bound": 0.02,
        "error_rate_gamma": float(obj.gamma(lambda _x: pred).iloc[0]),
        "error_rate_signed_weights": [float(v) for v in obj.signed_weights()],
        "cases": cases,
    }


def features(rows, train_idx):
    cols = [np.array([float(r[c]) for r in rows]) for c in NUMERIC]
    for c in CATEGORICAL:
        values = [r[c] for r in rows]
        for level in sorted(set(values)):
            cols.append(np.array([1.0 if v == level else 0.0 for v in values]))
    X = np.column_stack(cols)
    mean = X[train_idx].mean(axis=0)
    std = X[train_idx].std(axis=0)
    std[std == 0] = 1.0
    return (X - mean) / std


def dp_gap(pred, groups):
    rates = [pred[groups == g].mean() for g in np.unique(groups)]
    return float(max(rates) - min(rates))


def german_case(rows):
    n = len(rows)
    perm = np.random.default_rng(0).permutation(n)
    test_idx = np.sort(perm[:300])
    train_idx = np.sort(perm[300:])
    X = features(rows, train_idx)
    y = np.array([1 if r["credit"] == "good" else 0 for r in rows])
    out = {"test_idx": test_idx.tolist(), "n_features": X.shape[1], "runs": []}
    base = LogisticRegression(max_iter=1000).fit(X[train_idx], y[train_idx])
    base_pred = base.predict(X[test_idx])
    out["base_accuracy"] = float((base_pred == y[test_idx]).mean())
    for sname in ["sex", "age_group"]:
        sf = np.array([r[sname] for r in rows])
        for max_iter in MAX_ITERS:
            eg = ExponentiatedGradient(
                LogisticRegression(max_iter=1000), DemographicParity(), max_iter=max_iter
            )
            eg.fit(X[train_idx], y[train_idx], sensitive_features=sf[train_idx])
            pmf = eg._pmf_predict(X[test_idx])[:, 1]
            rand_pred = eg.predict(X[test_idx], random_state=0)
            g_test = sf[test_idx]
            out["runs"].append(
                {
                    "sensitive": sname,
                    "max_iter": max_iter,
                    "base_gap": dp_gap(base_pred.astype(float), g_test),
                    "base_accuracy": float((base_pred == y[test_idx]).mean()),
                    "pmf_gap": dp_gap(pmf, g_test),
                    "pmf_accuracy": float(
                        np.mean(np.where(y[test_idx] == 1, pmf, 1.0 - pmf))
                    ),
                    "random_gap": dp_gap(rand_pred.astype(float), g_test),
                    "random_accuracy": float((rand_pred == y[test_idx]).mean()),
                    "best_gap": float(eg.best_gap_),
                    "best_iter": int(eg.best_iter_),
                    "last_iter": int(eg.last_iter_),
                    "n_oracle_calls": int(eg.n_oracle_calls_),
                    "n_predictors": int(len(eg.predictors_)),
                }
            )
    # Equalized odds (sex), gaps as the larger of the TPR and FPR differences.
    sf = np.array([r["sex"] for r in rows])
    eg = ExponentiatedGradient(LogisticRegression(max_iter=1000), EqualizedOdds(), max_iter=15)
    eg.fit(X[train_idx], y[train_idx], sensitive_features=sf[train_idx])
    pmf = eg._pmf_predict(X[test_idx])[:, 1]
    g_test, y_test = sf[test_idx], y[test_idx]

    def eo_gap(pred):
        return max(dp_gap(pred[y_test == v], g_test[y_test == v]) for v in (0, 1))

    out["equalized_odds"] = {
        "sensitive": "sex",
        "max_iter": 15,
        "base_gap": eo_gap(base_pred.astype(float)),
        "pmf_gap": eo_gap(pmf),
        "pmf_accuracy": float(np.mean(np.where(y_test == 1, pmf, 1.0 - pmf))),
        "n_oracle_calls": int(eg.n_oracle_calls_),
        "n_predictors": int(len(eg.predictors_)),
    }
    return out


def lp_cases():
    """Saddle-point programs like fairlearn's `solve_linprog` on seeded random errors and
    gammas, solved by scipy's HiGHS dual simplex: the optimal values (unique) and solutions."""
    from scipy.optimize import linprog

    rng = np.random.default_rng(11)
    cases = []
    for n_hs, n_cons, B in [(3, 4, 100.0), (12, 8, 100.0), (30, 12, 50.0), (40, 4, 10.0)]:
        errors = rng.uniform(0.1, 0.5, size=n_hs)
        gammas = rng.normal(0.0, 0.05, size=(n_cons, n_hs))
        bound = 0.01
        c = np.concatenate((errors, [B]))
        A_ub = np.concatenate((gammas - bound, -np.ones((n_cons, 1))), axis=1)
        b_ub = np.zeros(n_cons)
        A_eq = np.concatenate((np.ones((1, n_hs)), np.zeros((1, 1))), axis=1)
        b_eq = np.ones(1)
        primal = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, method="highs-ds")
        dual_c = np.concatenate((b_ub, -b_eq))
        dual_A_ub = np.concatenate((-A_ub.transpose(), A_eq.transpose()), axis=1)
        bounds = [(None, None) if i == n_cons else (0, None) for i in range(n_cons + 1)]
        dual = linprog(dual_c, A_ub=dual_A_ub, b_ub=c, bounds=bounds, method="highs-ds")
        cases.append(
            {
                "errors": errors.tolist(),
                "gammas": gammas.tolist(),
                "bound": bound,
                "B": B,
                "primal_value": float(primal.fun),
                "primal_x": primal.x.tolist(),
                "dual_value": float(dual.fun),
            }
        )
    return cases


def main():
    rows = read()
    meta = {"fairlearn": fairlearn.__version__, "script": "tests/reference/reductions_reference.py"}
    m = moments_case(rows)
    m["meta"] = meta
    with open(os.path.join(OUT, "reductions_moments.json"), "w") as f:
        json.dump(m, f, separators=(",", ":"))
    with open(os.path.join(OUT, "reductions_lp.json"), "w") as f:
        json.dump({"meta": meta, "cases": lp_cases()}, f)
    g = german_case(rows)
    g["meta"] = meta
    with open(os.path.join(OUT, "reductions_german.json"), "w") as f:
        json.dump(g, f, indent=1)
    for r in g["runs"]:
        print(r)
    print(g["equalized_odds"])


if __name__ == "__main__":
    main()
