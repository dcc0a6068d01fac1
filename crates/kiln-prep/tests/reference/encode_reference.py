"""Reference outputs of scikit-learn for kiln-prep's encoders (`kiln_prep::encode`).

Run from the repository root with the peers' environment (scikit-learn 1.9.1, pandas):

    benches/peers/.venv/bin/python crates/kiln-prep/tests/reference/encode_reference.py

It writes `crates/kiln-prep/tests/fixtures/encode_{onehot,ordinal,column,target}.json`, read
by `tests/encode.rs`.

Data: the bundled CSVs in crates/kiln-datasets/data, read with
`pd.read_csv(path, keep_default_na=False, na_values=[""])`, so only an empty field is missing
(as kiln's CSV reader does). The categorical columns are the non-numeric ones.

Naming: scikit-learn's one-hot names `<col>_<category>` are translated to kiln's
`<col>=<category>`, with `nan` -> `missing` and `infrequent_sklearn` -> `infrequent`.
Categories are stored as {"levels": [...sorted non-missing...], "missing": bool}, the
scikit-learn `categories_` without (and flagging) its trailing NaN; infrequent categories as
indices into that list (the missing category has index len(levels)).

Encoding: NaN is JSON null. Each case stores the transform of "rows": the first 30 rows and
up to 10 more rows holding a missing value in the encoded columns.
"""

import json
import math
import os
import warnings

import numpy as np
import pandas as pd
import sklearn
from pandas.api.types import is_numeric_dtype as is_num
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    MinMaxScaler,
    OneHotEncoder,
    OrdinalEncoder,
    RobustScaler,
    StandardScaler,
    TargetEncoder,
)

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures")

TARGET = {"german_credit": "credit", "penguins": "species", "credit_scoring": "status"}


def load(name):
    return pd.read_csv(
        os.path.join(DATA, name + ".csv"), keep_default_na=False, na_values=[""]
    )


def categorical(df, name):
    return [c for c in df.columns if not is_num(df[c]) and c != TARGET[name]]


def numeric(df, name):
    return [c for c in df.columns if is_num(df[c]) and c != TARGET[name]]


def enc(a):
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        v = float(a)
        return None if math.isnan(v) else v
    return [enc(v) for v in a]


def rows_of(df, cols):
    first = list(range(min(30, len(df))))
    miss = df[cols].isna().any(axis=1).to_numpy()
    extra = [i for i in range(len(df)) if miss[i] and i not in first][:10]
    return first + extra


def is_missing(v):
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def cats_of(categories):
    out = []
    for cats in categories:
        levels = [str(c) for c in cats if not is_missing(c)]
        out.append({"levels": levels, "missing": len(levels) < len(cats)})
    return out


def kiln_name(name, cols):
    """`island_Biscoe` -> `island=Biscoe` (longest column prefix wins)."""
    col = max((c for c in cols if name.startswith(c + "_")), key=len)
    cat = name[len(col) + 1 :]
    cat = {"nan": "missing", "infrequent_sklearn": "infrequent"}.get(cat, cat)
    return f"{col}={cat}"


def infrequent_of(encoder):
    out = []
    if not encoder._infrequent_enabled:
        return [[] for _ in encoder.categories_]
    for cats, infreq in zip(encoder.categories_, encoder.infrequent_categories_):
        if infreq is None:
            out.append([])
            continue
        idx = []
        for v in infreq:
            for i, c in enumerate(cats):
                if (is_missing(v) and is_missing(c)) or c == v:
                    idx.append(i)
        out.append(sorted(idx))
    return out


def onehot_cases():
    cases = []
    settings = [
        {"drop": None, "min_frequency": None},
        {"drop": "first", "min_frequency": None},
        {"drop": "if_binary", "min_frequency": None},
        {"drop": None, "min_frequency": 12},
        {"drop": "first", "min_frequency": 30},
        {"drop": "if_binary", "min_frequency": 50},
    ]
    for name in ["german_credit", "penguins", "credit_scoring"]:
        df = load(name)
        cols = categorical(df, name)
        rows = rows_of(df, cols)
        for s in settings:
            e = OneHotEncoder(sparse_output=False, **s).fit(df[cols])
            x = e.transform(df[cols])
            cases.append(
                {
                    "data": name,
                    "columns": cols,
                    "drop": s["drop"],
                    "min_frequency": s["min_frequency"],
                    "categories": cats_of(e.categories_),
                    "infrequent": infrequent_of(e),
                    "feature_names_out": [kiln_name(n, cols) for n in e.get_feature_names_out()],
                    "rows": rows,
                    "transformed": enc(x[rows]),
                }
            )
    return cases


def ordinal_cases():
    cases = []
    for name in ["german_credit", "penguins", "credit_scoring"]:
        df = load(name)
        cols = categorical(df, name)
        rows = rows_of(df, cols)
        e = OrdinalEncoder().fit(df[cols])
        x = e.transform(df[cols])
        cases.append(
            {
                "data": name,
                "columns": cols,
                "categories": cats_of(e.categories_),
                "rows": rows,
                "transformed": enc(x[rows]),
            }
        )
    return cases


def ct_name(name, groups):
    """`cat__island_Biscoe` -> `cat__island=Biscoe`; numeric and remainder names unchanged."""
    step, rest = name.split("__", 1)
    if groups.get(step, ("", []))[0] == "onehot":
        return f"{step}__{kiln_name(rest, groups[step][1])}"
    return name


def column_cases():
    cases = []
    configs = [
        # data, numeric columns (None = all numeric features), numeric pipeline, categorical
        # step, remainder
        ("penguins", None, "median_standard", "onehot", "drop"),
        ("credit_scoring", None, "median_standard", "onehot", "drop"),
        ("penguins", ["bill_length_mm", "body_mass_g"], "mean_minmax", "ordinal", "passthrough"),
        ("credit_scoring", ["income", "assets", "debt"], "median_robust", "onehot_first", "passthrough"),
    ]
    for name, num, pipe, cat, remainder in configs:
        df = load(name)
        cats = categorical(df, name)
        nums = numeric(df, name) if num is None else num
        numeric_pipe = {
            "median_standard": make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
            "mean_minmax": make_pipeline(SimpleImputer(strategy="mean"), MinMaxScaler()),
            "median_robust": make_pipeline(SimpleImputer(strategy="median"), RobustScaler()),
        }[pipe]
        cat_step = {
            "onehot": OneHotEncoder(sparse_output=False),
            "onehot_first": OneHotEncoder(sparse_output=False, drop="first"),
            "ordinal": OrdinalEncoder(),
        }[cat]
        features = [c for c in df.columns if c != TARGET[name]]
        ct = ColumnTransformer(
            [("num", numeric_pipe, nums), ("cat", cat_step, cats)], remainder=remainder
        )
        x = ct.fit_transform(df[features])
        groups = {"cat": ("onehot" if cat.startswith("onehot") else "ordinal", cats)}
        rows = rows_of(df, nums + cats)
        cases.append(
            {
                "data": name,
                "numeric": nums,
                "pipeline": pipe,
                "categorical": cats,
                "encoder": cat,
                "remainder": remainder,
                "feature_names_out": [ct_name(n, groups) for n in ct.get_feature_names_out()],
                "rows": rows,
                "transformed": enc(x[rows]),
            }
        )
    return cases


def target_cases():
    cases = []
    configs = [
        ("german_credit", "credit", "good", "auto"),
        ("german_credit", "credit", "good", 10.0),
        ("credit_scoring", "status", "good", "auto"),
        ("penguins", "body_mass_g", None, "auto"),
    ]
    for name, target, positive, smooth in configs:
        df = load(name)
        df = df[df[target].notna()].reset_index(drop=True)
        cols = [c for c in categorical(df, name) if c != target]
        if positive is None:
            y = df[target].to_numpy(dtype=float)
            target_type = "continuous"
        else:
            y = (df[target] == positive).to_numpy(dtype=float)
            target_type = "binary"
        te = TargetEncoder(target_type=target_type, smooth=smooth, random_state=0).fit(df[cols], y)
        rows = rows_of(df, cols)
        cases.append(
            {
                "data": name,
                "target": target,
                "positive": positive,
                "target_type": target_type,
                "smooth": None if smooth == "auto" else smooth,
                "columns": cols,
                "categories": cats_of(te.categories_),
                "encodings": [enc(e) for e in te.encodings_],
                "target_mean": float(te.target_mean_),
                "rows": rows,
                "transformed": enc(te.transform(df[cols])[rows]),
            }
        )
    return cases


def main():
    versions = {"sklearn": sklearn.__version__, "pandas": pd.__version__, "numpy": np.__version__}
    for kind, cases in [
        ("onehot", onehot_cases()),
        ("ordinal", ordinal_cases()),
        ("column", column_cases()),
        ("target", target_cases()),
    ]:
        doc = {
            "generated_by": "tests/reference/encode_reference.py",
            "versions": versions,
            "cases": cases,
        }
        path = os.path.join(OUT, f"encode_{kind}.json")
        with open(path, "w") as f:
            json.dump(doc, f, separators=(",", ":"))
            f.write("\n")
        print(path, len(cases))


if __name__ == "__main__":
    main()
