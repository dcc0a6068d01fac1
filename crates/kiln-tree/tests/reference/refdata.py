"""The data sets as kiln-tree's reference scripts read them (shared by tree_reference.py and
forest_reference.py): the CSV files kiln-datasets bundles, numeric feature columns with
missing values as NaN, and optionally each categorical column coded as the index of its value
among the column's sorted distinct strings (missing -> NaN), as tests/common/mod.rs does.
"""

import csv
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "..", ".."))
DATA = os.path.join(ROOT, "crates", "kiln-datasets", "data")

_meta = json.load(open(os.path.join(DATA, "datasets.json")))["datasets"]
META = {d["name"]: d for d in _meta} if isinstance(_meta, list) else _meta


def load(name, encoded=False):
    """X (numeric columns, then with `encoded` the coded categorical ones) and y (class
    indices in sorted label order, or floats)."""
    meta = META[name]
    with open(os.path.join(DATA, f"{name}.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    cols = meta["features_numeric"]
    x = np.array([[float(r[c]) if r[c] != "" else np.nan for c in cols] for r in rows])
    if encoded:
        coded = []
        for c in meta["features_categorical"]:
            levels = sorted({r[c] for r in rows if r[c] != ""})
            code = {v: float(i) for i, v in enumerate(levels)}
            coded.append([code[r[c]] if r[c] != "" else np.nan for r in rows])
        x = np.hstack([x, np.array(coded).T])
    t = [r[meta["target"]] for r in rows]
    if meta.get("classes"):
        classes = sorted(meta["classes"])
        y = np.array([classes.index(v) for v in t])
    else:
        y = np.array([float(v) for v in t])
    return x, y
