"""Reference numbers for crates/kiln/tests/pipeline.rs: scikit-learn 1.9.1 pipelines on the
bundled data sets, with the same automatic preparation kiln's Pipeline builds.

Run: benches/peers/.venv/bin/python crates/kiln/tests/reference/pipeline_reference.py
Writes crates/kiln/tests/fixtures/pipeline.json.
"""
import json
import pathlib

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parents[3].parent / "shared" / "datasets"


def read(name):
    # Only an empty field is missing, as kiln reads it.
    return pd.read_csv(DATA / f"{name}.csv", keep_default_na=False, na_values=[""])


def prep(df, scale, native_missing=False):
    num = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    cat = [c for c in df.columns if c not in num]
    num_steps = []
    if not native_missing:
        num_steps.append(SimpleImputer(strategy="median"))
    if scale:
        num_steps.append(StandardScaler())
    num_pipe = make_pipeline(*num_steps) if num_steps else "passthrough"
    return ColumnTransformer(
        [("num", num_pipe, num), ("cat", OneHotEncoder(handle_unknown="ignore"), cat)]
    )


out = {"sklearn": sklearn.__version__}

# 1. german_credit: logistic regression, train on the first 800 rows, predict the last 200.
gc = read("german_credit")
y = (gc["credit"] == "good").astype(int).to_numpy()
X = gc.drop(columns=["credit", "sex", "age_group"])
pipe = Pipeline([("prep", prep(X, True)), ("model", LogisticRegression(max_iter=10000, tol=1e-10))])
pipe.fit(X.iloc[:800], y[:800])
out["german_logistic"] = {
    "feature_names": [str(n) for n in pipe[:-1].get_feature_names_out()],
    "proba_test": pipe.predict_proba(X.iloc[800:])[:, 1].tolist(),
}

# 2. credit_scoring (missing numeric and categorical values): logistic regression.
cs = read("credit_scoring")
ycs = (cs["status"] == "bad").astype(int).to_numpy()
Xcs = cs.drop(columns=["status"])
pipe = Pipeline([("prep", prep(Xcs, True)), ("model", LogisticRegression(max_iter=10000, tol=1e-10))])
pipe.fit(Xcs.iloc[:3500], ycs[:3500])
out["credit_scoring_logistic"] = {
    "n_features_out": int(len(pipe[:-1].get_feature_names_out())),
    "proba_test": pipe.predict_proba(Xcs.iloc[3500:])[:, 1].tolist(),
}

# 3. german_credit: 5-fold (unshuffled) accuracy of a depth-3 tree on one-hot features
# (trees take NaN natively, so no imputation; none is missing here anyway).
pipe = Pipeline([("prep", prep(X, False, True)), ("model", DecisionTreeClassifier(max_depth=3, random_state=0))])
out["german_tree_cv_accuracy"] = cross_val_score(pipe, X, y, cv=KFold(5), scoring="accuracy").tolist()

# 3b. the same pipeline in a grid search over max_depth (mean 5-fold accuracy per depth).
from sklearn.model_selection import GridSearchCV
grid = GridSearchCV(
    Pipeline([("prep", prep(X, False, True)), ("model", DecisionTreeClassifier(random_state=0))]),
    {"model__max_depth": [2, 3, 4]}, cv=KFold(5), scoring="accuracy",
)
grid.fit(X, y)
out["german_tree_grid_mean_accuracy"] = grid.cv_results_["mean_test_score"].tolist()
out["german_tree_grid_best_depth"] = int(grid.best_params_["model__max_depth"])

# 4. diabetes: ridge on standardized features, 5-fold (unshuffled) R².
db = read("diabetes")
yd = db["target"].to_numpy()
Xd = db.drop(columns=["target"])
pipe = Pipeline([("prep", prep(Xd, True)), ("model", Ridge(alpha=1.0))])
out["diabetes_ridge_cv_r2"] = cross_val_score(pipe, Xd, yd, cv=KFold(5), scoring="r2").tolist()

path = HERE.parent / "fixtures" / "pipeline.json"
path.write_text(json.dumps(out, indent=1))
print("wrote", path)
