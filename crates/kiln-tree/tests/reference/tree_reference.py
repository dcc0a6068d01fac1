"""Reference values for kiln-tree's decision trees, from scikit-learn 1.9.1.

Run with the peers' interpreter from the workspace root:

    benches/peers/.venv/bin/python crates/kiln-tree/tests/reference/tree_reference.py

It writes crates/kiln-tree/tests/fixtures/tree.json. The Rust tests load the same CSV files
through kiln-datasets, so only indices, parameters and scikit-learn's outputs are stored.

Exact-structure cases are kept only when scikit-learn grows the *same* tree for 20
different random_states: scikit-learn permutes features at random even with
max_features=None, so a tree that changes with random_state contains tied splits, and the
issue asks for equality "on a small set without ties".
"""

import json
import os

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, r2_score
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from refdata import HERE, META, load

OUT = os.path.join(HERE, "..", "fixtures", "tree.json")


MISSING_RULE = [(0, 7, 0), (3, 5, 1), (4, 3, 2)]


def with_missing(x):
    """NaN put in by a rule the Rust test repeats: for each (column, m, r) of MISSING_RULE,
    the rows i with i % m == r of that column (of the selected columns)."""
    x = x.copy()
    n = x.shape[0]
    for j, m, r in MISSING_RULE:
        x[[i for i in range(n) if i % m == r], j] = np.nan
    return x


def columns(name, keep):
    names = META[name]["features_numeric"]
    return [n for n in names if keep(n)]


SIZE = ("radius", "perimeter", "area")
# radius, perimeter and area are near-monotone transforms of each other, so they often give
# the very same partition of a node: exact ties, which scikit-learn breaks at random.
MEAN_NO_SIZE = columns("breast_cancer", lambda n: n.startswith("mean_") and not any(s in n for s in SIZE))
NO_SIZE = columns("breast_cancer", lambda n: not any(s in n for s in SIZE))


def tree_dict(est):
    t = est.tree_
    leaf = t.children_left == -1
    value = t.value[:, 0, :]
    return {
        "children_left": t.children_left.tolist(),
        "children_right": t.children_right.tolist(),
        "feature": np.where(leaf, -1, t.feature).tolist(),
        "threshold": np.where(leaf, 0.0, t.threshold).tolist(),
        "missing_go_to_left": [bool(v) for v in t.missing_go_to_left],
        "impurity": t.impurity.tolist(),
        "n_node_samples": t.n_node_samples.tolist(),
        "weighted_n_node_samples": t.weighted_n_node_samples.tolist(),
        "value": value.tolist(),
        "feature_importances": est.feature_importances_.tolist(),
    }


def same_tree(a, b):
    ta, tb = a.tree_, b.tree_
    return (
        ta.node_count == tb.node_count
        and np.array_equal(ta.feature, tb.feature)
        and np.array_equal(ta.threshold, tb.threshold)
        and np.array_equal(ta.children_left, tb.children_left)
    )


def stable(make, x, y, w=None):
    fits = [make(rs).fit(x, y, sample_weight=w) for rs in range(20)]
    return all(same_tree(fits[0], f) for f in fits[1:]), fits[0]


def select(name, cols):
    x, y = load(name)
    names = META[name]["features_numeric"]
    if cols is None:
        return x, y
    return x[:, [names.index(c) for c in cols]], y


def structure_cases():
    rng = np.random.RandomState(7)
    n_bc = len(load("breast_cancer")[1])
    bc_w = rng.randint(1, 4, size=n_bc).astype(float)
    # (name, dataset, columns (None = all numeric), missing rule applied?, params, weighted?)
    cases = [
        ("bc7_gini_d3", "breast_cancer", MEAN_NO_SIZE, False, dict(max_depth=3), False),
        ("bc7_entropy_d3", "breast_cancer", MEAN_NO_SIZE, False, dict(criterion="entropy", max_depth=3), False),
        ("bc7_weighted_d3", "breast_cancer", MEAN_NO_SIZE, False, dict(max_depth=3), True),
        ("bc7_missing_d3", "breast_cancer", MEAN_NO_SIZE, True, dict(max_depth=3), False),
        ("bc7_missing_d4", "breast_cancer", MEAN_NO_SIZE, True, dict(max_depth=4), False),
        ("bc21_entropy_d3", "breast_cancer", NO_SIZE, False, dict(criterion="entropy", max_depth=3), False),
        ("bc21_maxleaf8", "breast_cancer", NO_SIZE, False, dict(max_leaf_nodes=8), False),
        ("bc21_weighted_d3", "breast_cancer", NO_SIZE, False, dict(max_depth=3), True),
        ("bc_balanced_d3", "breast_cancer", None, False, dict(max_depth=3, class_weight="balanced"), False),
        ("penguins_leaf5_d3", "penguins", None, False, dict(max_depth=3, min_samples_leaf=5), False),
        ("diabetes_d3", "diabetes", None, False, dict(max_depth=3), False),
        ("diabetes_leaf5_d4", "diabetes", None, False, dict(max_depth=4, min_samples_leaf=5), False),
        ("diabetes_leaf10_d4", "diabetes", None, False, dict(max_depth=4, min_samples_leaf=10), False),
        ("diabetes_maxleaf10", "diabetes", None, False, dict(max_leaf_nodes=10), False),
    ]
    out = []
    for name, ds, cols, missing, params, weighted in cases:
        x, y = select(ds, cols)
        if missing:
            x = with_missing(x)
        w = bc_w if weighted else None
        cls = DecisionTreeRegressor if ds == "diabetes" else DecisionTreeClassifier
        ok, est = stable(lambda rs: cls(random_state=rs, **params), x, y, w)
        print(f"{name}: stable across seeds = {ok}, nodes = {est.tree_.node_count}")
        if not ok:
            continue
        case = {"name": name, "dataset": ds, "columns": cols, "missing_rule": missing,
                "params": params, "tree": tree_dict(est)}
        if w is not None:
            case["sample_weight"] = w.tolist()
        out.append(case)
    return out


def heldout():
    out = []
    for ds, cls, score, encoded in [
        ("breast_cancer", DecisionTreeClassifier, accuracy_score, False),
        ("penguins", DecisionTreeClassifier, accuracy_score, False),
        ("diabetes", DecisionTreeRegressor, r2_score, False),
        ("german_credit", DecisionTreeClassifier, accuracy_score, True),
    ]:
        x, y = load(ds, encoded)
        n = len(y)
        splits, scores = [], []
        for s in range(10):
            perm = np.random.RandomState(100 + s).permutation(n)
            test = np.sort(perm[: n // 4])
            train = np.setdiff1d(np.arange(n), test)
            per_seed = []
            for rs in range(5):
                est = cls(random_state=rs).fit(x[train], y[train])
                per_seed.append(score(y[test], est.predict(x[test])))
            splits.append(test.tolist())
            scores.append(per_seed)
        scores = np.array(scores)
        out.append({
            "dataset": ds,
            "encoded": encoded,
            "test_indices": splits,
            "scores": scores.tolist(),
            "mean": float(scores.mean()),
            "std": float(scores.std()),
        })
        print(f"{ds}: held-out mean {scores.mean():.4f} std {scores.std():.4f}")
    return out


def ccp():
    """Pruning paths of unlimited-depth trees that scikit-learn grows identically for every
    random_state, and trees fitted with a ccp_alpha half-way between two path alphas."""
    out = []
    for name, ds, cols, params in [
        ("bc7_leaf5", "breast_cancer", MEAN_NO_SIZE, dict(min_samples_leaf=5)),
        ("bc7_leaf10", "breast_cancer", MEAN_NO_SIZE, dict(min_samples_leaf=10)),
        ("bc7_leaf20", "breast_cancer", MEAN_NO_SIZE, dict(min_samples_leaf=20)),
        ("bc7_d4", "breast_cancer", MEAN_NO_SIZE, dict(max_depth=4)),
        ("bc7_entropy_d4", "breast_cancer", MEAN_NO_SIZE, dict(criterion="entropy", max_depth=4)),
        ("penguins_leaf5", "penguins", None, dict(min_samples_leaf=5)),
        ("diabetes_leaf10", "diabetes", None, dict(min_samples_leaf=10)),
    ]:
        x, y = select(ds, cols)
        cls = DecisionTreeRegressor if ds == "diabetes" else DecisionTreeClassifier
        ok, _ = stable(lambda rs: cls(random_state=rs, **params), x, y)
        print(f"ccp {name}: stable = {ok}")
        if not ok:
            continue
        path = cls(random_state=0, **params).cost_complexity_pruning_path(x, y)
        alphas = path.ccp_alphas
        pruned = []
        for k in [len(alphas) // 3, 2 * len(alphas) // 3]:
            mid = float((alphas[k] + alphas[k + 1]) / 2)
            est = cls(random_state=0, ccp_alpha=mid, **params).fit(x, y)
            pruned.append({"ccp_alpha": mid, "node_count": int(est.tree_.node_count),
                           "n_leaves": int(est.get_n_leaves()), "tree": tree_dict(est)})
        out.append({"name": name, "dataset": ds, "columns": cols, "params": params,
                    "ccp_alphas": alphas.tolist(), "impurities": path.impurities.tolist(),
                    "pruned": pruned})
    return out


def main():
    fixture = {
        "generator": "crates/kiln-tree/tests/reference/tree_reference.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "missing_rule": MISSING_RULE,
        "structure": structure_cases(),
        "heldout": heldout(),
        "ccp": ccp(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"wrote {OUT} ({os.path.getsize(OUT)} bytes)")


if __name__ == "__main__":
    main()
