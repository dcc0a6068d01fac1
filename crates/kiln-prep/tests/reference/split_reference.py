"""Reference fixtures for kiln-prep's splitters (crates/kiln-prep/src/split/).

Generated with scikit-learn 1.9.1 (numpy as installed beside it). To regenerate, from the
workspace root:

    benches/peers/.venv/bin/python crates/kiln-prep/tests/reference/split_reference.py

(or, without that venv, `bash /work/shared/reference/setup-venv.sh /tmp/venv-ref` and run the
script with `/tmp/venv-ref/main/bin/python`). It writes `tests/fixtures/split_*.json` next to this
directory; `tests/split.rs` reads them.

Only deterministic behaviour is recorded as indices: KFold, StratifiedKFold and GroupKFold without
shuffling, TimeSeriesSplit, and train_test_split with shuffle=False. For the shuffling splitters
the random streams differ (kiln uses ChaCha8, numpy uses MT19937), so only the sizes that
sklearn computes (n_train, n_test) and whether it raises are recorded; the Rust tests check the
remaining properties (partition, disjointness, stratification) directly.

A case whose `error` field is set is one where scikit-learn raises; the message is kept so a
reader can see why, and the Rust tests assert that kiln returns an error there too.
"""

import csv
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    ShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
    TimeSeriesSplit,
    train_test_split,
)

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "fixtures")
DATA = os.path.join(HERE, "..", "..", "..", "kiln-datasets", "data")


def read_column(name, column):
    with open(os.path.join(DATA, name), newline="") as f:
        return [row[column] for row in csv.DictReader(f)]


IRIS = [int(v) for v in read_column("iris.csv", "target")]
PENGUINS = read_column("penguins.csv", "species")


def folds_of(splitter, n_samples, y=None, groups=None):
    """The folds as lists, or the error sklearn raises, and whether it warned."""
    x = np.zeros((n_samples, 1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            folds = [
                {"train": train.tolist(), "test": test.tolist()}
                for train, test in splitter.split(x, y, groups)
            ]
            error = None
        except ValueError as e:
            folds, error = None, str(e)
    warned = any(issubclass(w.category, UserWarning) for w in caught)
    return folds, error, warned


def kfold_cases():
    cases = []
    for n in [2, 5, 10, 11, 17, 100]:
        for k in [2, 3, 5, 7, 10]:
            folds, error, _ = folds_of(KFold(n_splits=k), n)
            cases.append({"n_samples": n, "n_splits": k, "folds": folds, "error": error})
    return cases


def stratified_layouts():
    rng = np.random.RandomState(0)
    return {
        "balanced_10": [0, 1] * 5,
        "sorted_balanced_12": [0] * 6 + [1] * 6,
        "imbalanced_17": [0] * 12 + [1] * 5,
        "three_classes_11": [2, 0, 1, 1, 0, 2, 2, 2, 0, 1, 2],
        "first_appearance_order": [3, 3, 1, 0, 1, 3, 0, 0, 1, 3, 0, 1, 3],
        "imbalanced_100": rng.choice(4, size=100, p=[0.6, 0.25, 0.1, 0.05]).tolist(),
        "small_class_warns": [0] * 10 + [1] * 3,
        "single_class": [4] * 9,
        "all_classes_too_small": [0, 0, 1, 1, 2, 2],
        "iris": IRIS,
        "shuffled_iris": rng.permutation(IRIS).tolist(),
        "penguins": PENGUINS,
    }


def stratified_kfold_cases():
    cases = []
    for name, y in stratified_layouts().items():
        for k in [2, 3, 5, 10]:
            folds, error, warned = folds_of(StratifiedKFold(n_splits=k), len(y), y)
            cases.append(
                {
                    "name": name,
                    "y": y,
                    "n_splits": k,
                    "folds": folds,
                    "error": error,
                    "warns": warned,
                }
            )
    return cases


def group_layouts():
    rng = np.random.RandomState(1)
    return {
        "ties_10": [0, 0, 1, 1, 2, 2, 3, 3, 4, 4],
        "uneven_11": [5, 5, 5, 5, 1, 1, 1, 2, 2, 9, 7],
        "unsorted_labels_17": rng.choice([8, 3, 11, 0, 6, 2], size=17).tolist(),
        "many_tied_groups_100": np.repeat(np.arange(25), 4)[rng.permutation(100)].tolist(),
        "random_sizes_100": rng.randint(0, 30, size=100).tolist(),
        "string_groups": ["b", "a", "c", "a", "d", "b", "e", "a", "c", "f", "f", "e"],
        "penguin_species": PENGUINS,
        "two_groups": [0, 1, 1, 0, 1],
    }


def group_kfold_cases():
    cases = []
    for name, groups in group_layouts().items():
        for k in [2, 3, 5]:
            folds, error, _ = folds_of(GroupKFold(n_splits=k), len(groups), groups=groups)
            cases.append(
                {"name": name, "groups": groups, "n_splits": k, "folds": folds, "error": error}
            )
    return cases


def time_series_cases():
    cases = []
    for n in [6, 10, 11, 17, 100]:
        for k in [2, 3, 5]:
            for max_train_size in [None, 1, 3, 10]:
                for test_size in [None, 1, 2, 4, 30]:
                    for gap in [0, 1, 3]:
                        splitter = TimeSeriesSplit(
                            n_splits=k,
                            max_train_size=max_train_size,
                            test_size=test_size,
                            gap=gap,
                        )
                        folds, error, _ = folds_of(splitter, n)
                        cases.append(
                            {
                                "n_samples": n,
                                "n_splits": k,
                                "max_train_size": max_train_size,
                                "test_size": test_size,
                                "gap": gap,
                                "folds": folds,
                                "error": error,
                            }
                        )
    return cases


def size_json(size):
    """A test_size/train_size as kiln spells it: {"fraction": f}, {"count": c} or null."""
    if size is None:
        return None
    if isinstance(size, float):
        return {"fraction": size}
    return {"count": size}


SIZES = [
    (None, None),
    (0.25, None),
    (0.3, None),
    (0.7, None),
    (0.1, None),
    (0.5, 0.5),
    (0.2, 0.5),
    (0.6, 0.6),
    (None, 0.29),
    (None, 0.7),
    (3, None),
    (None, 4),
    (2, 5),
    (6, 6),
    (0.2, 3),
    (10, None),
    (0.99, None),
    # Products that floating point rounds off an integer: 0.07 * 100 = 7.000000000000001
    # (8 test samples), 0.57 * 100 = 56.99999999999999 (56 train samples).
    (0.07, None),
    (0.14, None),
    (None, 0.57),
]


def train_test_cases():
    """Unshuffled train_test_split (deterministic) and the sizes of the shuffled splitters."""
    cases = []
    for n in [1, 2, 4, 10, 11, 17, 100]:
        for test_size, train_size in SIZES:
            case = {
                "n_samples": n,
                "test_size": size_json(test_size),
                "train_size": size_json(train_size),
            }
            try:
                train, test = train_test_split(
                    np.arange(n), test_size=test_size, train_size=train_size, shuffle=False
                )
                case["train"], case["test"], case["error"] = train.tolist(), test.tolist(), None
            except ValueError as e:
                case["train"], case["test"], case["error"] = None, None, str(e)
            # ShuffleSplit's default test size is 0.1, not 0.25.
            try:
                splitter = ShuffleSplit(
                    n_splits=1, test_size=test_size, train_size=train_size, random_state=0
                )
                train, test = next(splitter.split(np.zeros((n, 1))))
                case["shuffle_split_sizes"] = [len(train), len(test)]
            except ValueError:
                case["shuffle_split_sizes"] = None
            cases.append(case)
    return cases


def stratified_shuffle_cases():
    """Sizes and errors of StratifiedShuffleSplit and stratified train_test_split."""
    layouts = {
        "balanced_10": [0, 1] * 5,
        "imbalanced_17": [0] * 12 + [1] * 5,
        "three_classes_11": [2, 0, 1, 1, 0, 2, 2, 2, 0, 1, 2],
        "singleton_class": [0, 0, 0, 1, 1, 1, 2],
        "iris": IRIS,
        "penguins": PENGUINS,
    }
    cases = []
    for name, y in layouts.items():
        for test_size, train_size in [(None, None), (0.25, None), (0.1, None), (2, None), (0.5, 0.3)]:
            case = {
                "name": name,
                "y": y,
                "test_size": size_json(test_size),
                "train_size": size_json(train_size),
            }
            try:
                splitter = StratifiedShuffleSplit(
                    n_splits=1, test_size=test_size, train_size=train_size, random_state=0
                )
                train, test = next(splitter.split(np.zeros((len(y), 1)), y))
                case["shuffle_split_sizes"], case["shuffle_split_error"] = [len(train), len(test)], None
            except ValueError as e:
                case["shuffle_split_sizes"], case["shuffle_split_error"] = None, str(e)
            try:
                train, test = train_test_split(
                    np.arange(len(y)),
                    test_size=test_size,
                    train_size=train_size,
                    stratify=y,
                    random_state=0,
                )
                case["train_test_sizes"], case["train_test_error"] = [len(train), len(test)], None
            except ValueError as e:
                case["train_test_sizes"], case["train_test_error"] = None, str(e)
            cases.append(case)
    return cases


def write(name, cases):
    doc = {
        "generator": "crates/kiln-prep/tests/reference/split_reference.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "cases": cases,
    }
    path = os.path.join(FIXTURES, name)
    with open(path, "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {os.path.relpath(path)} ({len(cases)} cases)")


if __name__ == "__main__":
    assert sklearn.__version__ == "1.9.1", f"fixtures pin sklearn 1.9.1, found {sklearn.__version__}"
    os.makedirs(FIXTURES, exist_ok=True)
    write("split_kfold.json", kfold_cases())
    write("split_stratified_kfold.json", stratified_kfold_cases())
    write("split_group_kfold.json", group_kfold_cases())
    write("split_time_series.json", time_series_cases())
    write("split_train_test.json", train_test_cases())
    write("split_stratified_shuffle.json", stratified_shuffle_cases())
