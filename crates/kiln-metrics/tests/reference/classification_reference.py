"""Reference outputs of scikit-learn 1.9.1 for kiln-metrics' classification metrics.

Run from the repository root with the peers' environment:

    benches/peers/.venv/bin/python crates/kiln-metrics/tests/reference/classification_reference.py

It writes `crates/kiln-metrics/tests/fixtures/classification_{labels,proba}.json`, read by
`tests/classification.rs`. The fixture holds the inputs (y_true, y_pred, probabilities,
weights) next to scikit-learn's outputs, so the Rust test uses the very same arrays and needs
no Python.

Data: models fitted here on half of each real data set in /work/shared/datasets, evaluated on
the other half:
- breast_cancer (binary): StandardScaler + LogisticRegression on all 30 features;
- german_credit (binary, bad=0, good=1): LogisticRegression on the 7 numeric columns;
- penguins (3 classes, species sorted: Adelie, Chinstrap, Gentoo): LogisticRegression on
  flipper length and body mass only (rows with a missing value dropped), so classes mix;
- iris (3 classes): GaussianNB on the two sepal columns only, so classes mix.
Plus hand cases: a class absent from the predictions, a class absent from y_true, gaps in
the class indices, undefined precision/recall (every zero_division option), ties in top-k
scores, clipped log-loss, kappa and MCC degenerate cases.

Encoding: NaN is JSON null, +inf/-inf the strings "inf"/"-inf". Classes are indices; the
probability/score column j is class j (scikit-learn is called with labels=range(n_columns)).
"""

import json
import math
import os
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn import metrics as M
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

warnings.simplefilter("ignore")
assert sklearn.__version__ == "1.9.1", sklearn.__version__

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "/work/shared/datasets"
OUT = os.path.join(HERE, "..", "fixtures", "classification_{}.json")

ZD = {"zero": "warn", "one": 1.0, "nan": np.nan}
KAPPA = {"unweighted": None, "linear": "linear", "quadratic": "quadratic"}
NORM = {"none": None, "true": "true", "pred": "pred", "all": "all"}


def enc(x):
    """JSON-safe floats (NaN -> null, inf -> strings), recursively."""
    if isinstance(x, dict):
        return {k: enc(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [enc(v) for v in x]
    if isinstance(x, np.ndarray):
        return enc(x.tolist())
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if math.isnan(x):
            return None
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    return x


def model_cases():
    cases = []

    def split_fit(name, X, y, model, n_classes):
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.5, random_state=0, stratify=y)
        model.fit(Xtr, ytr)
        # Rounded to 9 decimals to keep the fixture small, the last column completing the
        # row to 1, so the saved rows are exact probabilities; y_pred is their argmax.
        proba = np.round(model.predict_proba(Xte), 9)
        proba[:, -1] = 1.0 - proba[:, :-1].sum(axis=1)
        pred = proba.argmax(axis=1)
        cases.append(
            dict(name=name, y_true=yte.tolist(), y_pred=pred.tolist(), proba=proba.tolist(),
                 n_classes=n_classes)
        )

    bc = pd.read_csv(f"{DATA}/breast_cancer.csv")
    split_fit("breast_cancer", bc.drop(columns="target").to_numpy(), bc["target"].to_numpy(),
              make_pipeline(StandardScaler(), LogisticRegression(C=0.05)), 2)

    gc = pd.read_csv(f"{DATA}/german_credit.csv")
    num = ["duration", "credit_amount", "installment_rate", "present_residence_since", "age",
           "number_of_existing_credits", "number_of_people_liable_for"]
    classes = sorted(gc["credit"].unique())
    y = gc["credit"].map({c: i for i, c in enumerate(classes)}).to_numpy()
    split_fit("german_credit", gc[num].to_numpy(float), y,
              make_pipeline(StandardScaler(), LogisticRegression()), 2)

    pg = pd.read_csv(f"{DATA}/penguins.csv").dropna(subset=["flipper_length_mm", "body_mass_g"])
    classes = sorted(pg["species"].unique())
    y = pg["species"].map({c: i for i, c in enumerate(classes)}).to_numpy()
    split_fit("penguins", pg[["flipper_length_mm", "body_mass_g"]].to_numpy(float), y,
              make_pipeline(StandardScaler(), LogisticRegression()), 3)

    ir = pd.read_csv(f"{DATA}/iris.csv")
    split_fit("iris", ir[["sepal_length_cm", "sepal_width_cm"]].to_numpy(), ir["target"].to_numpy(),
              GaussianNB(), 3)
    return cases


def hand_cases():
    return [
        # class 2 never predicted
        dict(name="absent_from_pred", y_true=[0, 1, 2, 2, 1, 0, 2, 1],
             y_pred=[0, 1, 1, 0, 1, 0, 1, 1]),
        # class 3 predicted but never true
        dict(name="absent_from_true", y_true=[0, 1, 2, 2, 1, 0, 2, 1],
             y_pred=[0, 3, 2, 3, 1, 0, 2, 1]),
        # class indices with gaps: 1, 3, 4 never occur
        dict(name="label_gaps", y_true=[0, 2, 5, 5, 2, 0, 5, 0, 2],
             y_pred=[0, 2, 5, 2, 2, 5, 5, 0, 0]),
        # binary, the positive class never occurs: precision, recall, F undefined
        dict(name="binary_no_positive", y_true=[0, 0, 0, 0], y_pred=[0, 0, 0, 0]),
        # binary, positive class true but never predicted
        dict(name="binary_never_predicted", y_true=[0, 1, 1, 0, 1], y_pred=[0, 0, 0, 0, 0]),
        # binary, positive class predicted but never true
        dict(name="binary_never_true", y_true=[0, 0, 0, 0, 0], y_pred=[1, 0, 1, 0, 0]),
        # one class only, both sides (MCC 0, kappa NaN, adjusted balanced accuracy NaN)
        dict(name="single_class", y_true=[1, 1, 1], y_pred=[1, 1, 1]),
        # disagreeing annotators on 4 ordinal classes
        dict(name="ordinal", y_true=[0, 1, 2, 3, 3, 2, 1, 0, 2, 3, 1, 1],
             y_pred=[0, 2, 2, 3, 1, 2, 0, 0, 3, 3, 1, 2]),
    ]


def label_metrics(yt, yp, w, binary, subsets):
    r = {}
    r["accuracy"] = M.accuracy_score(yt, yp, sample_weight=w)
    r["accuracy_count"] = M.accuracy_score(yt, yp, normalize=False, sample_weight=w)
    r["balanced_accuracy"] = M.balanced_accuracy_score(yt, yp, sample_weight=w)
    r["adjusted_balanced_accuracy"] = M.balanced_accuracy_score(yt, yp, sample_weight=w,
                                                                adjusted=True)
    r["mcc"] = M.matthews_corrcoef(yt, yp, sample_weight=w)
    r["kappa"] = {k: M.cohen_kappa_score(yt, yp, weights=v, sample_weight=w)
                  for k, v in KAPPA.items()}
    r["kappa_labels"] = []
    r["cm"] = {k: M.confusion_matrix(yt, yp, normalize=v, sample_weight=w)
               for k, v in NORM.items()}
    r["cm_labels"] = sorted(set(yt) | set(yp))
    r["cm_subsets"] = []
    for labels in subsets:
        r["cm_subsets"].append(dict(
            labels=labels,
            cm=M.confusion_matrix(yt, yp, labels=labels, sample_weight=w),
            cm_true=M.confusion_matrix(yt, yp, labels=labels, normalize="true", sample_weight=w),
        ))
        r["kappa_labels"].append(dict(
            labels=labels,
            quadratic=M.cohen_kappa_score(yt, yp, labels=labels, weights="quadratic",
                                          sample_weight=w),
        ))
    prf = []
    averages = ([None, "binary"] if binary else [None]) + ["micro", "macro", "weighted"]
    combos = [(zd_name, 1.0, labels) for zd_name in ZD for labels in [None] + subsets]
    combos += [("zero", beta, None) for beta in [0.5, 2.0, math.inf]]
    for zd_name, beta, labels in combos:
        zd = ZD[zd_name]
        if True:
            if True:
                for avg in averages:
                    p, rc, f, s = M.precision_recall_fscore_support(
                        yt, yp, beta=beta, labels=labels, average=avg, sample_weight=w,
                        zero_division=zd)
                    # positional to keep the fixture small:
                    # [average, beta, zero_division, labels, precision, recall, f, support]
                    prf.append([avg, beta, zd_name, labels, p, rc, f, s])
    r["prf"] = prf
    # the one-line helpers, default zero_division
    r["scores"] = []
    for avg in averages[1:]:
        r["scores"].append(dict(
            average=avg,
            precision=M.precision_score(yt, yp, average=avg, sample_weight=w),
            recall=M.recall_score(yt, yp, average=avg, sample_weight=w),
            f1=M.f1_score(yt, yp, average=avg, sample_weight=w),
            f2=M.fbeta_score(yt, yp, beta=2.0, average=avg, sample_weight=w),
        ))
    reports = []
    for labels, digits, zd_name in [(None, 2, "zero"), (None, 4, "one"), (subsets[0], 2, "zero")]:
        if True:
            if True:
                reports.append(dict(
                    labels=labels, digits=digits, zero_division=zd_name,
                    text=M.classification_report(yt, yp, labels=labels, digits=digits,
                                                 sample_weight=w, zero_division=ZD[zd_name]),
                ))
    r["reports"] = reports
    return r


def proba_metrics(yt, proba, w):
    proba = np.asarray(proba, dtype=float)
    k = proba.shape[1]
    labels = list(range(k))
    r = {}
    r["log_loss"] = M.log_loss(yt, proba, labels=labels, sample_weight=w)
    r["brier_multiclass"] = M.brier_score_loss(yt, proba, labels=labels, sample_weight=w)
    if k == 2:
        r["brier"] = M.brier_score_loss(yt, proba[:, 1], sample_weight=w, pos_label=1)
    topk = {}
    for kk in range(1, k + 1):
        if k == 2:
            topk[str(kk)] = M.top_k_accuracy_score(yt, proba[:, 1], k=kk, labels=labels,
                                                   sample_weight=w)
        else:
            topk[str(kk)] = M.top_k_accuracy_score(yt, proba, k=kk, labels=labels,
                                                   sample_weight=w)
    r["top_k"] = topk
    return r


def topk_only(yt, score, w):
    score = np.asarray(score, dtype=float)
    k = score.shape[1]
    labels = list(range(k))
    out = {}
    for kk in range(1, k + 1):
        s = score[:, 1] if k == 2 else score
        out[str(kk)] = M.top_k_accuracy_score(yt, s, k=kk, labels=labels, sample_weight=w)
    return out


def main():
    rng = np.random.default_rng(0)
    out = {"sklearn_version": sklearn.__version__, "label_cases": [], "proba_cases": [],
           "topk_cases": []}
    cases = model_cases() + hand_cases()
    for c in cases:
        yt, yp = np.asarray(c["y_true"]), np.asarray(c["y_pred"])
        n = len(yt)
        w = np.round(rng.uniform(0.1, 3.0, size=n), 3)
        # a zero weight on some samples exercises weighted supports
        w[::7] = 0.0
        present = sorted(set(yt) | set(yp))
        binary = set(present) <= {0, 1}
        if len(present) >= 3:
            subsets = [[present[2], present[0]], [max(present) + 1, present[0]]]
        else:
            subsets = [[present[0]]]
        for weighted in [False, True]:
            ww = w if weighted else None
            entry = dict(name=c["name"], weighted=weighted, y_true=yt, y_pred=yp,
                         weights=ww, binary=binary)
            entry["results"] = label_metrics(yt, yp, ww, binary, subsets)
            out["label_cases"].append(entry)
            if "proba" in c:
                out["proba_cases"].append(dict(
                    name=c["name"], weighted=weighted, y_true=yt, proba=c["proba"],
                    weights=ww, results=proba_metrics(yt, c["proba"], ww)))

    # probabilities with exact 0 and 1 (clipped by log-loss), 3 classes, one class never true
    p = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0], [0.0, 0.25, 0.75], [0.2, 0.8, 0.0]]
    yt = np.array([0, 0, 1, 2, 2])
    for weighted in [False, True]:
        ww = np.array([1.0, 2.0, 0.5, 0.0, 3.0]) if weighted else None
        out["proba_cases"].append(dict(name="clipped", weighted=weighted, y_true=yt, proba=p,
                                       weights=ww, results=proba_metrics(yt, p, ww)))
    # 4 classes where class 3 is never the truth
    p = [[0.1, 0.2, 0.3, 0.4], [0.7, 0.1, 0.1, 0.1], [0.25, 0.25, 0.25, 0.25]]
    yt = np.array([2, 0, 1])
    out["proba_cases"].append(dict(name="unused_column", weighted=False, y_true=yt, proba=p,
                                   weights=None, results=proba_metrics(yt, p, None)))

    # ties in top-k scores: integer scores with many equal values, 4 classes
    s = rng.integers(0, 3, size=(40, 4)).astype(float)
    yt = rng.integers(0, 4, size=40)
    w = rng.uniform(0.1, 2.0, size=40)
    for weighted in [False, True]:
        ww = w if weighted else None
        out["topk_cases"].append(dict(name="ties4", weighted=weighted, y_true=yt, score=s,
                                      weights=ww, results=topk_only(yt, s, ww)))
    # all scores tied in each row
    s = np.ones((6, 3))
    yt = np.array([0, 1, 2, 0, 1, 2])
    out["topk_cases"].append(dict(name="all_tied", weighted=False, y_true=yt, score=s,
                                  weights=None, results=topk_only(yt, s, None)))
    # two columns: scores outside [0, 1] (threshold 0) and inside with a 0.5 tie
    s = np.array([[0.0, -1.5], [0.0, 2.0], [0.0, 0.0], [0.0, 0.3], [0.0, -0.2]])
    yt = np.array([0, 1, 0, 1, 1])
    out["topk_cases"].append(dict(name="binary_margin", weighted=False, y_true=yt, score=s,
                                  weights=None, results=topk_only(yt, s, None)))
    s = np.array([[0.5, 0.5], [0.2, 0.8], [0.6, 0.4], [0.49, 0.51], [0.5, 0.5]])
    yt = np.array([1, 1, 0, 1, 0])
    out["topk_cases"].append(dict(name="binary_half", weighted=False, y_true=yt, score=s,
                                  weights=None, results=topk_only(yt, s, None)))

    # two files, each under 200 KB
    for part, keys in [("labels", ["label_cases"]), ("proba", ["proba_cases", "topk_cases"])]:
        doc = {"sklearn_version": out["sklearn_version"]} | {k: out[k] for k in keys}
        path = OUT.format(part)
        with open(path, "w") as f:
            json.dump(enc(doc), f, separators=(",", ":"))
        print(os.path.normpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
