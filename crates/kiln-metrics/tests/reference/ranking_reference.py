"""Reference outputs of scikit-learn 1.9.1 for kiln-metrics' ranking curves and threshold tools.

Run from the repository root with the peers' environment:

    benches/peers/.venv/bin/python crates/kiln-metrics/tests/reference/ranking_reference.py

It writes `crates/kiln-metrics/tests/fixtures/ranking.json` (read by `tests/ranking.rs`) and
`crates/kiln-metrics/tests/fixtures/ranking_threshold.json` (read by `tests/threshold.rs`).

Scores come from simple models fitted here on the real data sets in /work/shared/datasets
(LogisticRegression on standardized numeric features; GaussianNB for german_credit), in-sample
(the point is realistic score distributions, not a fair evaluation). Each binary set appears in
four variants: raw scores or scores rounded to 2 decimals (many ties), unweighted or weighted
(weights w_i = 0.5 * (i % 4) + (i % 3 == 0): some zero, exercising scikit-learn's removal of
zero-weight samples). The inputs are stored with the outputs, so the Rust tests read the very
same arrays. Encoding: +inf is the string "inf", NaN is null.

Threshold tools have no scikit-learn function; their references are brute force over every
candidate threshold (each distinct score and +inf), computing each metric from a fresh weighted
confusion matrix (`sklearn.metrics.confusion_matrix` on `score >= t`), independent of kiln's
one-sort algorithm.
"""

import csv
import json
import math
import os
import warnings

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from sklearn.naive_bayes import GaussianNB
from sklearn.preprocessing import StandardScaler

assert sklearn.__version__ == "1.9.1", sklearn.__version__
warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "/work/shared/datasets"
OUT = os.path.join(HERE, "..", "fixtures")


def enc(v):
    if isinstance(v, (list, tuple, np.ndarray)):
        return [enc(x) for x in v]
    v = float(v)
    if math.isnan(v):
        return None
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def read(name):
    with open(os.path.join(DATA, name + ".csv"), newline="") as f:
        return list(csv.DictReader(f))


def numeric(rows, cols):
    return np.array([[float(r[c]) for c in cols] for r in rows])


def breast_cancer():
    rows = read("breast_cancer")
    cols = [c for c in rows[0] if c != "target"]
    x = StandardScaler().fit_transform(numeric(rows, cols))
    y = np.array([int(r["target"]) for r in rows])
    m = LogisticRegression(C=0.05, max_iter=1000).fit(x, y)
    return y, m.predict_proba(x)[:, 1]


def german_credit():
    rows = read("german_credit")
    cols = ["duration", "credit_amount", "installment_rate", "present_residence_since", "age",
            "number_of_existing_credits", "number_of_people_liable_for"]
    x = numeric(rows, cols)
    # classes sorted: bad = 0, good = 1
    y = np.array([1 if r["credit"] == "good" else 0 for r in rows])
    m = GaussianNB().fit(x, y)
    return y, m.predict_proba(x)[:, 1]


def penguins():
    rows = read("penguins")
    cols = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
    rows = [r for r in rows if all(r[c] != "" for c in cols)]
    x = StandardScaler().fit_transform(numeric(rows, cols))
    classes = sorted({r["species"] for r in rows})
    y = np.array([classes.index(r["species"]) for r in rows])
    # weak regularization would separate the classes perfectly; keep it strong so AUC < 1
    m = LogisticRegression(C=0.002, max_iter=1000).fit(x[:, :2], y)
    return y, m.predict_proba(x[:, :2])


def weights(n):
    i = np.arange(n)
    return 0.5 * (i % 4) + (i % 3 == 0)


def binary_sets():
    out = {}
    for name, fn in [("breast_cancer", breast_cancer), ("german_credit", german_credit)]:
        y, s = fn()
        out[name] = (y, s)
        out[name + "_round2"] = (y, np.round(s, 2))
    # hand cases: ties across classes, constant scores, all ties but one, negative scores
    out["ties"] = (np.array([0, 1, 0, 1, 1, 0, 0, 1, 0, 1]),
                   np.array([0.5, 0.5, 0.2, 0.8, 0.5, 0.8, 0.1, 0.2, 0.2, 0.9]))
    out["constant"] = (np.array([0, 1, 0, 1, 1, 0]), np.full(6, 0.3))
    out["decision"] = (np.array([1, 0, 0, 1, 0, 1, 1]),
                       np.array([-2.5, -1e3, 3.0, 0.0, -0.0, 7.25, 1e-300]))
    return out


def main():
    ranking = {"sklearn": sklearn.__version__, "data": {}, "binary": [], "multiclass": [],
               "calibration": []}
    thresholds = {"sklearn": sklearn.__version__, "cases": []}
    sets = binary_sets()
    for name, (y, s) in sets.items():
        n = len(y)
        w = weights(n)
        ranking["data"][name] = {"y": [int(v) for v in y], "score": enc(s), "weight": enc(w)}
        for weighted in (False, True):
            sw = w if weighted else None
            case = {"data": name, "weighted": weighted}
            case["roc_auc"] = enc(roc_auc_score(y, s, sample_weight=sw))
            for mf in (0.1, 0.5):
                case[f"roc_auc_max_fpr_{mf}"] = enc(roc_auc_score(y, s, sample_weight=sw, max_fpr=mf))
            case["average_precision"] = enc(average_precision_score(y, s, sample_weight=sw))
            # whole curves for the sets with few distinct scores; for raw scores only the
            # breast_cancer curves with drop_intermediate=True (keeps the fixture small)
            small = len(np.unique(s)) <= 120
            for drop in (True, False):
                if small or (drop and name == "breast_cancer"):
                    fpr, tpr, th = roc_curve(y, s, sample_weight=sw, drop_intermediate=drop)
                    case[f"roc_curve_{drop}"] = {"fpr": enc(fpr), "tpr": enc(tpr), "thresholds": enc(th)}
                if small or (drop and name == "breast_cancer" and weighted):
                    p, r, th = precision_recall_curve(y, s, sample_weight=sw, drop_intermediate=drop)
                    case[f"pr_curve_{drop}"] = {"precision": enc(p), "recall": enc(r), "thresholds": enc(th)}
            ranking["binary"].append(case)
            thresholds["cases"].append(threshold_case(name, y, s, sw, weighted))
        if name in ("breast_cancer", "german_credit", "breast_cancer_round2", "ties"):
            for strategy in ("uniform", "quantile"):
                for n_bins in (3, 5, 10):
                    pt, pp = calibration_curve(y, s, n_bins=n_bins, strategy=strategy)
                    ranking["calibration"].append({"data": name, "strategy": strategy, "n_bins": n_bins,
                                                   "prob_true": enc(pt), "prob_pred": enc(pp)})
    y, proba = penguins()
    ranking["data"]["penguins"] = {"y": [int(v) for v in y], "proba": enc(proba),
                                   "weight": enc(weights(len(y)))}
    for mc in ("ovr", "ovo"):
        for avg in ("macro", "weighted", "micro"):
            for weighted in (False, True):
                if mc == "ovo" and (weighted or avg == "micro"):
                    continue
                sw = weights(len(y)) if weighted else None
                v = roc_auc_score(y, proba, multi_class=mc, average=avg, sample_weight=sw)
                ranking["multiclass"].append({"data": "penguins", "multi_class": mc, "average": avg,
                                              "weighted": weighted, "roc_auc": enc(v)})
    for fname, doc in (("ranking.json", ranking), ("ranking_threshold.json", thresholds)):
        path = os.path.join(OUT, fname)
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
        print(path, os.path.getsize(path), "bytes")


def counts(y, s, sw, t):
    """Weighted (tn, fp, fn, tp) of the rule `score >= t`, by sklearn's confusion_matrix."""
    pred = (s >= t).astype(int)
    cm = confusion_matrix(y, pred, labels=[0, 1], sample_weight=sw).astype(float)
    return cm.ravel()


def metrics(tn, fp, fn, tp):
    div = lambda a, b: a / b if b != 0 else 0.0
    prec, rec = div(tp, tp + fp), div(tp, tp + fn)
    spec = div(tn, tn + fp)
    return {
        "precision": prec, "recall": rec, "f1": div(2 * tp, 2 * tp + fp + fn),
        "fpr": div(fp, fp + tn), "specificity": spec,
        "accuracy": div(tp + tn, tp + tn + fp + fn),
        "balanced_accuracy": (rec + spec) / 2, "youden_j": rec + spec - 1,
        "f2": div(5 * tp, 5 * tp + 4 * fn + fp),
    }


def threshold_case(name, y, s, sw, weighted):
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, precision_score, recall_score
    case = {"data": name, "weighted": weighted, "at": [], "best": {}, "precision_target": [],
            "recall_target": [], "cost": []}
    for t in (0.3, 0.5, 0.7):
        tn, fp, fn, tp = counts(y, s, sw, t)
        pred = (s >= t).astype(int)
        m = metrics(tn, fp, fn, tp)
        # the sklearn functions themselves for the classic ones (zero_division=0)
        m["precision"] = precision_score(y, pred, sample_weight=sw, zero_division=0)
        m["recall"] = recall_score(y, pred, sample_weight=sw, zero_division=0)
        m["f1"] = f1_score(y, pred, sample_weight=sw, zero_division=0)
        m["accuracy"] = accuracy_score(y, pred, sample_weight=sw)
        if len(np.unique(y)) == 2:
            m["balanced_accuracy"] = balanced_accuracy_score(y, pred, sample_weight=sw)
        case["at"].append({"threshold": t, "counts": enc([tn, fp, fn, tp]), "metrics": enc(list(m.values())),
                           "names": list(m.keys())})
    # brute force over candidates, highest threshold first (ties: the highest threshold wins)
    cands = np.concatenate([[np.inf], np.unique(s)[::-1]])
    table = [(t, counts(y, s, sw, t)) for t in cands]
    mets = [(t, c, metrics(*c)) for t, c in table]
    for key in ("f1", "f2", "youden_j", "balanced_accuracy", "accuracy"):
        vals = np.array([m[key] for _, _, m in mets])
        i = int(np.argmax(vals))
        case["best"][key] = {"threshold": enc(mets[i][0]), "value": enc(vals[i])}
    for target in (0.5, 0.8, 0.9, 0.95, 1.0):
        ok = [(m["recall"], m["precision"], t) for t, _, m in mets if m["precision"] >= target and m["precision"] > 0]
        best = max(ok, key=lambda v: (v[0], v[1], v[2])) if ok else None
        case["precision_target"].append({"target": target, "threshold": enc(best[2]) if best else None,
                                         "recall": enc(best[0]) if best else None,
                                         "precision": enc(best[1]) if best else None})
        ok = [(m["precision"], m["recall"], t) for t, _, m in mets if m["recall"] >= target]
        best = max(ok, key=lambda v: (v[0], v[1], v[2])) if ok else None
        case["recall_target"].append({"target": target, "threshold": enc(best[2]) if best else None,
                                      "precision": enc(best[0]) if best else None,
                                      "recall": enc(best[1]) if best else None})
    for c_fp, c_fn, g_tp, g_tn in ((1, 1, 0, 0), (1, 5, 0, 0), (3, 1, 0.5, 0.25), (10, 1, 0, 0)):
        costs = [c_fp * c[1] + c_fn * c[2] - g_tp * c[3] - g_tn * c[0] for _, c in table]
        i = int(np.argmin(costs))
        case["cost"].append({"costs": [c_fp, c_fn, g_tp, g_tn], "threshold": enc(cands[i]),
                             "total_cost": enc(costs[i])})
    return case


if __name__ == "__main__":
    main()
