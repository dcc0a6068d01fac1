"""Reference permutation importances for kiln-select's `importance.rs`.

Run from the repository root with the peers' environment (scikit-learn 1.9.1, SciPy 1.17.1):

    benches/peers/.venv/bin/python crates/kiln-select/tests/reference/importance_reference.py

It writes `crates/kiln-select/tests/fixtures/importance.json`, read by `tests/importance.rs`.

A Ridge(alpha=1.0) is fitted on all of diabetes (raw units, the 10 numeric features of the
bundled CSV), then `sklearn.inspection.permutation_importance` runs with n_repeats=50,
random_state=0 for R² and for mean squared error (`neg_mean_squared_error`, whose
importances equal kiln's `permuted − baseline` for an error), on all rows and with
max_samples=0.5. kiln shuffles with its own generator, so only the distribution is
comparable: on all rows the test compares means within a few standard errors and standard
deviations within a factor. With max_samples each library scores its own subset (one subset
for all features in both), whose offset from the all-rows baseline enters every importance,
so there only the order of the strongest features is compared. The fitted coefficients and
the baseline scores are exact references.
"""

import csv
import json
import os
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.inspection import permutation_importance
from sklearn.linear_model import Ridge

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures", "importance.json")

with open(os.path.join(DATA, "diabetes.csv"), newline="") as f:
    rows = list(csv.DictReader(f))
features = [c for c in rows[0] if c != "target"]
x = np.array([[float(r[c]) for c in features] for r in rows])
y = np.array([float(r["target"]) for r in rows])

model = Ridge(alpha=1.0).fit(x, y)
n_repeats = 50
cases = []
for max_samples in (1.0, 0.5):
    for scoring, name, sign in [("r2", "r2", 1.0), ("neg_mean_squared_error", "mse", -1.0)]:
        r = permutation_importance(model, x, y, scoring=scoring, n_repeats=n_repeats,
                                   random_state=0, max_samples=max_samples)
        baseline = sign * float(model.score(x, y) if scoring == "r2"
                                else -np.mean((y - model.predict(x)) ** 2))
        cases.append({
            "scoring": name,
            "max_samples": max_samples,
            "baseline": baseline,
            "mean": r.importances_mean.tolist(),
            "std": r.importances_std.tolist(),
        })

doc = {
    "generator": "crates/kiln-select/tests/reference/importance_reference.py",
    "versions": {"sklearn": sklearn.__version__, "scipy": scipy.__version__, "numpy": np.__version__},
    "data": "diabetes",
    "features": features,
    "model": "Ridge(alpha=1.0)",
    "coef": model.coef_.tolist(),
    "intercept": float(model.intercept_),
    "n_repeats": n_repeats,
    "cases": cases,
}
with open(OUT, "w") as f:
    json.dump(doc, f, indent=1)
print("wrote", OUT)
for c in cases:
    print(c["scoring"], c["max_samples"], np.round(c["mean"], 4))
