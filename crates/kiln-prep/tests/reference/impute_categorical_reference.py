"""Reference outputs of scikit-learn for kiln-prep's `FrameImputer` (`kiln_prep::impute`).

Run from the repository root with the peers' environment (scikit-learn 1.9.1, pandas):

    benches/peers/.venv/bin/python crates/kiln-prep/tests/reference/impute_categorical_reference.py

It writes `crates/kiln-prep/tests/fixtures/impute_categorical.json`, read by
`tests/impute_categorical.rs`.

Data: the bundled CSVs in crates/kiln-datasets/data, read with
`pd.read_csv(path, keep_default_na=False, na_values=[""])`, so only an empty field is missing
(as kiln's CSV reader does).

scikit-learn has no single imputer for a mixed table, so each case runs two
`SimpleImputer`s, as a `ColumnTransformer` would: one with `strategy="most_frequent"` or
`"constant"` (with `fill_value`) on the string columns, one with the numeric strategy on the
numeric columns, each with the case's `add_indicator`. The fixture stores, per column, the fill
value (`statistics_`), and the imputed values of "rows" (the first 10 rows and every row with a
missing value in the case's columns, at most 150); the indicator columns by their scikit-learn
names (`missingindicator_<col>`) over the same rows. Encoding: strings as strings, numbers as
numbers.

The `tie` case is a prefix of penguins in which `sex` has as many `female` as `male` values:
scikit-learn fills the smallest of the tied values.
"""

import json
import os
import warnings

import numpy as np
import pandas as pd
import sklearn
from sklearn.impute import SimpleImputer

warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")
OUT = os.path.join(HERE, "..", "fixtures")


def load(name):
    return pd.read_csv(
        os.path.join(DATA, name + ".csv"), keep_default_na=False, na_values=[""]
    )


def py(v):
    if isinstance(v, (np.floating, float)):
        return float(v)
    if isinstance(v, (np.integer, int)):
        return float(v)
    return str(v)


def case(name, df, categorical, numeric, cat_strategy, fill_value, num_strategy, indicator, n_rows=None):
    if n_rows is not None:
        df = df.iloc[:n_rows].reset_index(drop=True)
    cols = categorical + numeric
    missing = df[cols].isna().any(axis=1).to_numpy()
    rows = sorted(set(range(10)) | set(np.flatnonzero(missing)[:140].tolist()))
    out = {
        "name": name,
        "dataset": name.split(":")[0],
        "n_rows": n_rows,
        "categorical": categorical,
        "numeric": numeric,
        "categorical_strategy": cat_strategy,
        "fill_value": fill_value,
        "numeric_strategy": num_strategy,
        "add_indicator": indicator,
        "rows": rows,
        "statistics": {},
        "imputed": {},
        "indicators": {},
    }
    parts = []
    if categorical:
        kw = {"fill_value": fill_value} if cat_strategy == "constant" else {}
        imp = SimpleImputer(
            strategy=cat_strategy, add_indicator=indicator, missing_values=np.nan, **kw
        )
        x = df[categorical].astype(object).to_numpy()
        parts.append((categorical, imp, imp.fit_transform(x)))
    if numeric:
        imp = SimpleImputer(strategy=num_strategy, add_indicator=indicator)
        x = df[numeric].to_numpy(dtype=float)
        parts.append((numeric, imp, imp.fit_transform(x)))
    for columns, imp, t in parts:
        names = list(imp.get_feature_names_out(columns))
        for j, c in enumerate(columns):
            out["statistics"][c] = py(imp.statistics_[j])
        for k, n in enumerate(names):
            values = [py(t[r, k]) for r in rows]
            if n.startswith("missingindicator_"):
                out["indicators"][n] = values
            else:
                out["imputed"][n] = values
    return out


def tie_prefix(df):
    sex = df["sex"]
    for n in range(20, len(df)):
        head = sex.iloc[:n]
        counts = head.value_counts()
        if head.isna().any() and counts.get("female", 0) == counts.get("male", 0):
            return n
    raise RuntimeError("no tied prefix")


def main():
    penguins = load("penguins")
    credit = load("credit_scoring")
    cases = [
        case(
            "penguins:most_frequent",
            penguins,
            ["species", "island", "sex"],
            ["bill_length_mm", "body_mass_g"],
            "most_frequent",
            None,
            "mean",
            True,
        ),
        case(
            "credit_scoring:most_frequent",
            credit,
            ["home", "marital", "job"],
            ["income", "assets", "debt"],
            "most_frequent",
            None,
            "median",
            False,
        ),
        case(
            "credit_scoring:constant",
            credit,
            ["home", "marital", "job"],
            [],
            "constant",
            "missing_value",
            "mean",
            True,
        ),
        case(
            "penguins:constant",
            penguins,
            ["sex"],
            ["flipper_length_mm"],
            "constant",
            "unknown",
            "most_frequent",
            False,
        ),
        case(
            "penguins:tie",
            penguins,
            ["sex"],
            [],
            "most_frequent",
            None,
            "mean",
            True,
            n_rows=tie_prefix(penguins),
        ),
    ]
    doc = {
        "versions": {"sklearn": sklearn.__version__, "pandas": pd.__version__},
        "cases": cases,
    }
    path = os.path.join(OUT, "impute_categorical.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    print(path, os.path.getsize(path), "bytes")
    for c in cases:
        print(c["name"], c["n_rows"], c["statistics"])


if __name__ == "__main__":
    main()
