"""Reference values for kiln-tree's forests (random forests and extra trees), from scikit-learn 1.9.1.

Run with the peers' interpreter from the workspace root:

    benches/peers/.venv/bin/python crates/kiln-tree/tests/reference/forest_reference.py

It writes crates/kiln-tree/tests/fixtures/forest.json: for each data set, fixed train/test
splits (test indices only; the Rust test rebuilds the training rows), and scikit-learn's
held-out accuracy (classification) or R² (regression) and out-of-bag score for forests of
N_ESTIMATORS trees with default parameters over SEEDS random_states per split. A kiln forest
is a different random draw, so the test compares kiln's mean with scikit-learn's spread.
The data are read from the same CSV files kiln-datasets bundles: numeric columns only, or
(cases with "encoded": true, german_credit) the numeric columns then each categorical column
coded as the index of its value among the column's sorted distinct strings (missing -> NaN).

Each case names its model: "random_forest" (scores and OOB scores of the default forest) or
"extra_trees" (scores of the default forest, which does not bootstrap, and OOB scores of the
same forest with bootstrap=True).
"""

import json
import os

import numpy as np
import sklearn
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.metrics import accuracy_score, r2_score

from refdata import HERE, load

OUT = os.path.join(HERE, "..", "fixtures", "forest.json")

N_ESTIMATORS = 50
N_SPLITS = 3
SEEDS = 10


def main():
    out = {"sklearn_version": sklearn.__version__, "n_estimators": N_ESTIMATORS, "cases": []}
    for ds, model, encoded, cls, score in [
        ("breast_cancer", "random_forest", False, RandomForestClassifier, accuracy_score),
        ("penguins", "random_forest", False, RandomForestClassifier, accuracy_score),
        ("diabetes", "random_forest", False, RandomForestRegressor, r2_score),
        ("german_credit", "random_forest", True, RandomForestClassifier, accuracy_score),
        ("breast_cancer", "extra_trees", False, ExtraTreesClassifier, accuracy_score),
        ("penguins", "extra_trees", False, ExtraTreesClassifier, accuracy_score),
        ("diabetes", "extra_trees", False, ExtraTreesRegressor, r2_score),
        ("german_credit", "extra_trees", True, ExtraTreesClassifier, accuracy_score),
    ]:
        x, y = load(ds, encoded)
        n = len(y)
        splits, scores, oobs = [], [], []
        for s in range(N_SPLITS):
            perm = np.random.RandomState(200 + s).permutation(n)
            test = np.sort(perm[: n // 4])
            train = np.setdiff1d(np.arange(n), test)
            per_seed, per_seed_oob = [], []
            for rs in range(SEEDS):
                if model == "random_forest":
                    est = cls(n_estimators=N_ESTIMATORS, oob_score=True, random_state=rs)
                    oob = est
                else:
                    est = cls(n_estimators=N_ESTIMATORS, random_state=rs)
                    oob = cls(n_estimators=N_ESTIMATORS, bootstrap=True, oob_score=True,
                              random_state=rs)
                    oob.fit(x[train], y[train])
                est.fit(x[train], y[train])
                per_seed.append(score(y[test], est.predict(x[test])))
                per_seed_oob.append(oob.oob_score_)
            splits.append(test.tolist())
            scores.append(per_seed)
            oobs.append(per_seed_oob)
        scores, oobs = np.array(scores), np.array(oobs)
        out["cases"].append({
            "dataset": ds,
            "model": model,
            "encoded": encoded,
            "test_indices": splits,
            "scores": np.round(scores, 6).tolist(),
            "mean": float(scores.mean()),
            "std": float(scores.std()),
            "oob_mean": float(oobs.mean()),
            "oob_std": float(oobs.std()),
        })
        print(f"{ds} {model}: held-out {scores.mean():.4f} ± {scores.std():.4f}, "
              f"oob {oobs.mean():.4f} ± {oobs.std():.4f}")
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
