"""Times scikit-learn's 100-tree random forest predicting 100k rows (the workload's test rows,
tiled), ten times, and prints the best and the median: the scikit-learn side of
`benches/examples/forest_predict.rs`. The fitted forest is pickled at MODEL_PATH on the first
run (same parameters as run_peers.py's random_forest row), so runs can alternate with kiln's.

    benches/peers/.venv/bin/python benches/peers/forest_predict.py clf_100k /tmp/sk_forest.pkl

A third argument `extra-trees` uses ExtraTreesClassifier (run_peers.py's extra_trees row).
"""
import os
import pickle
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_peers  # noqa: E402


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: forest_predict.py WORKLOAD MODEL_PATH [extra-trees]")
    extra = len(sys.argv) == 4 and sys.argv[3] == "extra-trees"
    name, model_path = sys.argv[1], sys.argv[2]
    data_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
    manifest = run_peers.load_manifest(data_dir)
    x_test, _ = run_peers.load_workload(data_dir, manifest[name + "_test"])
    if os.path.exists(model_path):
        with open(model_path, "rb") as f:
            model = pickle.load(f)
    else:
        from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
        x, y = run_peers.load_workload(data_dir, manifest[name])
        cls = ExtraTreesClassifier if extra else RandomForestClassifier
        model = cls(n_estimators=100, max_features="sqrt", n_jobs=2,
                                       random_state=0).fit(x, y.astype(int))
        with open(model_path, "wb") as f:
            pickle.dump(model, f)
    batch = run_peers.tile_rows(x_test, run_peers.PREDICT_ROWS)
    times = []
    for _ in range(10):
        start = time.perf_counter()
        model.predict(batch)
        times.append(time.perf_counter() - start)
    times.sort()
    print(f"sklearn {name}: predict 100k rows, best {times[0]:.3f} s, median {times[5]:.3f} s")


if __name__ == "__main__":
    main()
