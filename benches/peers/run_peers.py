#!/usr/bin/env python3
"""Times the Python peers (scikit-learn, LightGBM, XGBoost) on kiln's benchmark workloads.

Every (library, algorithm, workload) runs in its own child process, so the peak resident set size
(getrusage RUSAGE_SELF ru_maxrss) belongs to that one run. One JSON object per run is appended to
a JSON-lines file (default benches/results/peers.jsonl); a failed run is recorded with its error and
the others go on.

Protocol (the same for kiln's own side):
  * the data is loaded first (not timed); the record keeps the RSS after loading, too;
  * one warm-up fit, then --repeats (default 3, at least 3 for published numbers) timed fits, each on
    a fresh estimator, with time.perf_counter; fit_seconds is their median, fit_runs all of them;
  * predict_seconds: median of 3 calls of predict() (class labels, values or cluster indices) on a
    batch of 100,000 rows made by tiling the test rows (the training rows without a test set);
  * quality on the held-out test set (on the training set when the workload has none):
    classifiers accuracy, log-loss and (binary) ROC AUC from predict_proba; regression R^2 and
    RMSE; clustering inertia and adjusted Rand index against the label column;
  * threads: OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS = --threads (2) in the
    child's environment and n_jobs / nthread = 2 in the estimators; OPENBLAS_CORETYPE and
    OPENBLAS_L2_SIZE are unset in the child only; what threadpoolctl reports is recorded.

Usage:
  benches/peers/.venv/bin/python benches/peers/run_peers.py [--data DIR] [--out FILE]
      [--workloads a,b] [--libraries sklearn,lightgbm,xgboost] [--algorithms x,y] [--repeats N]
      [--slow] [--threads N] [--timeout S] [--list]
"""
import argparse
import datetime
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PREDICT_ROWS = 100_000
PREDICT_REPEATS = 3
SLOW_ROWS = 200_000  # random forests are skipped above this many training rows unless --slow


def boosting_params(library):
    """The matched gradient-boosting parameters: 100 rounds, rate 0.1, 31 leaves, ~255 bins."""
    if library == "sklearn":
        return dict(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, early_stopping=False,
                    max_bins=255)
    if library == "lightgbm":
        return dict(n_estimators=100, learning_rate=0.1, num_leaves=31, max_bin=255, n_jobs=2,
                    verbose=-1)
    return dict(n_estimators=100, learning_rate=0.1, tree_method="hist", grow_policy="lossguide",
                max_leaves=31, max_depth=0, max_bin=256, n_jobs=2)


# (library, algorithm) -> (family, tasks, params, slow, notes). The estimator is built in the child
# by make_estimator from the same params, so what is recorded is exactly what ran.
ALGORITHMS = {
    ("sklearn", "logistic_regression"): (
        "logistic regression", ("binary", "multiclass"),
        dict(C=1.0, l1_ratio=0.0, solver="lbfgs", max_iter=1000), False,
        "L2 penalty (l1_ratio=0: scikit-learn 1.8 deprecated penalty='l2'); multinomial for "
        "more than two classes; BLAS threads from the environment"),
    ("sklearn", "decision_tree"): (
        "decision tree", ("binary", "multiclass"), dict(random_state=0), False,
        "defaults: gini, unlimited depth, all features"),
    ("sklearn", "decision_tree_depth10"): (
        "decision tree (max depth 10)", ("binary", "multiclass"),
        dict(max_depth=10, random_state=0), False, "gini, max_depth=10, all features"),
    ("sklearn", "random_forest"): (
        "random forest", ("binary", "multiclass"),
        dict(n_estimators=100, max_features="sqrt", n_jobs=2, random_state=0), True, ""),
    ("sklearn", "extra_trees"): (
        "extra trees", ("binary", "multiclass"),
        dict(n_estimators=100, max_features="sqrt", n_jobs=2, random_state=0), True,
        "ExtraTreesClassifier: bootstrap=False (default)"),
    ("sklearn", "hist_gradient_boosting"): (
        "gradient boosting", ("binary", "multiclass"), boosting_params("sklearn"), False,
        "HistGradientBoostingClassifier"),
    ("lightgbm", "gradient_boosting"): (
        "gradient boosting", ("binary", "multiclass"), boosting_params("lightgbm"), False,
        "LGBMClassifier"),
    ("xgboost", "gradient_boosting"): (
        "gradient boosting", ("binary", "multiclass"), boosting_params("xgboost"), False,
        "XGBClassifier"),
    ("sklearn", "linear_regression"): (
        "linear regression", ("regression",), dict(), False, "least squares (scipy lstsq)"),
    ("sklearn", "ridge"): ("ridge regression", ("regression",), dict(alpha=1.0), False,
                           "solver auto"),
    ("sklearn", "lasso"): ("lasso", ("regression",), dict(alpha=0.1), False,
                           "coordinate descent, max_iter 1000, tol 1e-4 (defaults)"),
    ("sklearn", "elastic_net"): ("elastic net", ("regression",), dict(alpha=0.1, l1_ratio=0.5),
                                 False, "coordinate descent, max_iter 1000, tol 1e-4 (defaults)"),
    ("sklearn", "decision_tree_regressor"): (
        "decision tree", ("regression",), dict(random_state=0), False,
        "defaults: squared error, unlimited depth, all features"),
    ("sklearn", "random_forest_regressor"): (
        "random forest", ("regression",),
        dict(n_estimators=100, max_features=1.0, n_jobs=2, random_state=0), "always",
        "max_features=1.0 is scikit-learn's default for regression; minutes per fit, so only "
        "with --slow"),
    ("sklearn", "hist_gradient_boosting_regressor"): (
        "gradient boosting", ("regression",), boosting_params("sklearn"), False,
        "HistGradientBoostingRegressor, squared error"),
    ("lightgbm", "gradient_boosting_regressor"): (
        "gradient boosting", ("regression",), boosting_params("lightgbm"), False, "LGBMRegressor"),
    ("xgboost", "gradient_boosting_regressor"): (
        "gradient boosting", ("regression",), boosting_params("xgboost"), False, "XGBRegressor"),
    ("sklearn", "kmeans"): (
        "k-means (k-means++ init)", ("clustering",),
        dict(n_init=1, init="k-means++", max_iter=100, tol=0.0, algorithm="lloyd",
             random_state=0), False,
        "n_clusters = number of distinct labels; k-means++ seeding is library-specific"),
    ("sklearn", "kmeans_fixed_init"): (
        "k-means (fixed init)", ("clustering",),
        dict(n_init=1, init="first k rows", max_iter=100, tol=0.0, algorithm="lloyd"), False,
        "init = the first k rows of the training data, so every library starts from the same "
        "centres; n_clusters = number of distinct labels"),
    ("sklearn", "minibatch_kmeans"): (
        "mini-batch k-means", ("clustering",),
        dict(n_init=1, init="k-means++", batch_size=1024, max_iter=100, max_no_improvement=10,
             tol=0.0, reassignment_ratio=0.01, random_state=0), False,
        "MiniBatchKMeans with its defaults; n_clusters = number of distinct labels"),
    ("sklearn", "roc_auc"): (
        "ROC AUC", ("scores",), dict(), False,
        "fit time = sklearn.metrics.roc_auc_score(label, score) on all rows; no predict"),
}
# The same k-means runs with Elkan's algorithm (the fastest peer is the better of the two).
for _name in ("kmeans", "kmeans_fixed_init"):
    _family, _tasks, _params, _slow, _ = ALGORITHMS[("sklearn", _name)]
    ALGORITHMS[("sklearn", f"{_name}_elkan")] = (
        _family, _tasks, dict(_params, algorithm="elkan"), _slow,
        f"as sklearn {_name}, with Elkan's algorithm")


def library_version(library):
    if library == "sklearn":
        import sklearn
        return sklearn.__version__
    if library == "lightgbm":
        import lightgbm
        return lightgbm.__version__
    import xgboost
    return xgboost.__version__


def make_estimator(library, algorithm, params, k):
    """A fresh estimator for one fit. k = number of clusters (clustering only)."""
    if library == "sklearn":
        from sklearn import cluster, ensemble, linear_model, tree
        table = {
            "logistic_regression": linear_model.LogisticRegression,
            "decision_tree": tree.DecisionTreeClassifier,
            "decision_tree_depth10": tree.DecisionTreeClassifier,
            "random_forest": ensemble.RandomForestClassifier,
            "extra_trees": ensemble.ExtraTreesClassifier,
            "hist_gradient_boosting": ensemble.HistGradientBoostingClassifier,
            "linear_regression": linear_model.LinearRegression,
            "ridge": linear_model.Ridge,
            "lasso": linear_model.Lasso,
            "elastic_net": linear_model.ElasticNet,
            "decision_tree_regressor": tree.DecisionTreeRegressor,
            "random_forest_regressor": ensemble.RandomForestRegressor,
            "hist_gradient_boosting_regressor": ensemble.HistGradientBoostingRegressor,
        }
        if algorithm in table:
            return table[algorithm](**params)
        if algorithm in ("kmeans", "kmeans_elkan"):
            return cluster.KMeans(n_clusters=k, **params)
        if algorithm == "minibatch_kmeans":
            return cluster.MiniBatchKMeans(n_clusters=k, **params)
        raise ValueError(f"no estimator for {library}/{algorithm}")
    if library == "lightgbm":
        import lightgbm
        cls = lightgbm.LGBMRegressor if algorithm.endswith("regressor") else lightgbm.LGBMClassifier
        return cls(**params)
    if library == "xgboost":
        import xgboost
        cls = xgboost.XGBRegressor if algorithm.endswith("regressor") else xgboost.XGBClassifier
        return cls(**params)
    raise ValueError(f"unknown library {library}")


# ----------------------------------------------------------------------------------------- data

def load_manifest(data_dir):
    path = os.path.join(data_dir, "manifest.json")
    if not os.path.exists(path):
        sys.exit(f"{path} not found. Write workloads first, e.g.\n"
                 f"  {sys.executable} {os.path.join(HERE, 'make_test_workloads.py')} --out "
                 f"{data_dir}")
    with open(path) as f:
        manifest = json.load(f)
    if manifest.get("format") != 1:
        sys.exit(f"{path}: unsupported format {manifest.get('format')!r} (expected 1)")
    return {w["name"]: w for w in manifest["workloads"]}


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def load_workload(data_dir, entry):
    """Reads a .f64 file into a C-contiguous X (rows x features) and y, chunk by chunk, so the peak
    memory of loading is X + y + one chunk, not twice the file."""
    import numpy as np
    rows, features = int(entry["rows"]), int(entry["features"])
    path = os.path.join(data_dir, entry["file"])
    width = features + 1
    expected = rows * width * 8
    size = os.path.getsize(path)
    if size != expected:
        raise ValueError(f"{path}: {size} bytes, expected {rows} x {width} x 8 = {expected}")
    X = np.empty((rows, features), dtype=np.float64)
    y = np.empty(rows, dtype=np.float64)
    chunk = 65536
    with open(path, "rb") as f:
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            block = np.frombuffer(f.read(n * width * 8), dtype="<f8").reshape(n, width)
            X[start:start + n] = block[:, :features]
            y[start:start + n] = block[:, features]
    return X, y


def tile_rows(X, n):
    import numpy as np
    reps = -(-n // X.shape[0])
    return np.ascontiguousarray(np.tile(X, (reps, 1))[:n])


def rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


# ---------------------------------------------------------------------------------------- child

def run_child(job):
    """Runs one (library, algorithm, workload) in this process; returns the result record."""
    import numpy as np
    library, algorithm = job["library"], job["algorithm"]
    family, _tasks, params, _slow, notes = ALGORITHMS[(library, algorithm)]
    entry, test_entry = job["entry"], job.get("test_entry")
    task = entry["task"]
    X, y = load_workload(job["data"], entry)
    if test_entry:
        Xt, yt = load_workload(job["data"], test_entry)
        eval_on = "test"
    else:
        Xt, yt, eval_on = X, y, "train"
    # Import the library before measuring the load so its import is not counted in fit time.
    version = library_version(library)
    if task in ("binary", "multiclass"):
        y, yt = y.astype(np.int64), yt.astype(np.int64)
    k = int(len(np.unique(y))) if task == "clustering" else None
    batch = tile_rows(Xt, PREDICT_ROWS) if task != "scores" else None
    rss_after_load = rss_mib()

    recorded_params = dict(params)
    if task == "clustering":
        recorded_params["n_clusters"] = k
    if task == "scores":
        labels, scores = y, X[:, 0]

        def fit_once():
            from sklearn.metrics import roc_auc_score
            return roc_auc_score(labels, scores)
    else:
        est_params = dict(params)
        if algorithm in ("kmeans_fixed_init", "kmeans_fixed_init_elkan"):
            est_params["init"] = np.ascontiguousarray(X[:k])

        def fit_once():
            if algorithm in ("kmeans_fixed_init", "kmeans_fixed_init_elkan"):
                from sklearn.cluster import KMeans
                est = KMeans(n_clusters=k, **est_params)
            else:
                est = make_estimator(library, algorithm, est_params, k)
            if task == "clustering":
                est.fit(X)
            else:
                est.fit(X, y)
            return est

    t0 = time.perf_counter()
    model = fit_once()  # warm-up
    warmup = time.perf_counter() - t0
    fit_runs, fit_cpu = [], []
    for _ in range(job["repeats"]):
        c0 = time.process_time()
        t0 = time.perf_counter()
        model = fit_once()
        fit_runs.append(time.perf_counter() - t0)
        fit_cpu.append(time.process_time() - c0)

    predict_runs = []
    quality = {}
    extra = {}
    if task == "scores":
        quality["roc_auc"] = float(model)
    else:
        for _ in range(PREDICT_REPEATS):
            t0 = time.perf_counter()
            model.predict(batch)
            predict_runs.append(time.perf_counter() - t0)
        from sklearn import metrics
        if task in ("binary", "multiclass"):
            proba = model.predict_proba(Xt)
            classes = np.asarray(model.classes_)
            pred = classes[np.argmax(proba, axis=1)]
            quality["accuracy"] = float(metrics.accuracy_score(yt, pred))
            quality["log_loss"] = float(metrics.log_loss(yt, proba, labels=classes))
            if task == "binary":
                quality["roc_auc"] = float(metrics.roc_auc_score(yt, proba[:, 1]))
        elif task == "regression":
            pred = model.predict(Xt)
            quality["r2"] = float(metrics.r2_score(yt, pred))
            quality["rmse"] = float(np.sqrt(metrics.mean_squared_error(yt, pred)))
        elif task == "clustering":
            labels = model.predict(Xt)
            quality["inertia"] = float(-model.score(Xt))
            quality["adjusted_rand"] = float(metrics.adjusted_rand_score(yt, labels))
        for attr in ("n_iter_", "n_estimators_"):
            v = getattr(model, attr, None)
            if v is not None:
                extra[attr] = np.asarray(v).tolist()
        if hasattr(model, "tree_"):
            extra["tree_depth"] = int(model.tree_.max_depth)
            extra["tree_leaves"] = int(model.tree_.n_leaves)

    from threadpoolctl import threadpool_info
    pools = [{key: p.get(key) for key in ("user_api", "internal_api", "prefix", "version",
                                          "architecture", "threading_layer", "num_threads")}
             for p in threadpool_info()]
    return {
        "fit_seconds": statistics.median(fit_runs),
        "fit_runs": fit_runs,
        "fit_cpu_seconds": fit_cpu,  # user + system CPU of the whole process, all threads
        "warmup_seconds": warmup,
        "predict_seconds": statistics.median(predict_runs) if predict_runs else None,
        "predict_runs": predict_runs,
        "predict_rows": PREDICT_ROWS if predict_runs else 0,
        "quality": quality,
        "quality_on": eval_on,
        "model_info": extra,
        "params": recorded_params,
        "library_version": version,
        "rss_after_load_mib": rss_after_load,
        "peak_rss_mib": rss_mib(),
        "threadpoolctl": pools,
        "numpy_version": np.__version__,
    }


def child_main(job_path, out_path):
    with open(job_path) as f:
        job = json.load(f)
    try:
        result = {"status": "ok", **run_child(job)}
    except BaseException as e:  # recorded, never raised: the parent goes on
        result = {"status": "error", "error": f"{type(e).__name__}: {e}",
                  "traceback": traceback.format_exc(), "peak_rss_mib": rss_mib()}
    with open(out_path, "w") as f:
        json.dump(result, f)


# --------------------------------------------------------------------------------------- parent

def machine_info():
    """CPU model, logical cores and memory of this machine, from /proc (Linux)."""
    info = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "memory_gib": None, "os": platform.platform()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["memory_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
                    break
    except OSError:
        pass
    return info


def child_env(threads):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(var, None)
    return env


def plan(args, manifest):
    """The list of (library, algorithm, workload name, skip reason or None) to run."""
    libraries = args.libraries.split(",")
    algorithms = args.algorithms.split(",") if args.algorithms else None
    known_libs = {lib for lib, _ in ALGORITHMS}
    known_algs = {alg for _, alg in ALGORITHMS}
    for lib in libraries:
        if lib not in known_libs:
            sys.exit(f"unknown library {lib!r}; known: {', '.join(sorted(known_libs))}")
    for alg in algorithms or []:
        if alg not in known_algs:
            sys.exit(f"unknown algorithm {alg!r}; known: {', '.join(sorted(known_algs))}")
    if args.workloads:
        names = args.workloads.split(",")
        for n in names:
            if n not in manifest:
                sys.exit(f"workload {n!r} is not in the manifest; it has: {', '.join(manifest)}")
    else:
        # Every workload that is not itself some other workload's test set.
        tests = {w.get("test") for w in manifest.values()}
        names = [n for n in manifest if n not in tests]
    jobs = []
    for name in names:
        entry = manifest[name]
        for (lib, alg), (_family, tasks, _params, slow, _notes) in ALGORITHMS.items():
            if lib not in libraries or entry["task"] not in tasks:
                continue
            if algorithms and alg not in algorithms:
                continue
            skip = None
            if slow == "always" and not args.slow:
                skip = "skipped: slow at any size (use --slow)"
            elif slow and not args.slow and int(entry["rows"]) > SLOW_ROWS:
                skip = f"skipped: more than {SLOW_ROWS} training rows (use --slow)"
            jobs.append((lib, alg, name, skip))
    return jobs


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[1:]))
    ap.add_argument("--data", default=os.path.join(REPO, "benches", "data"),
                    help="workload directory with manifest.json (default benches/data)")
    ap.add_argument("--out", default=os.path.join(REPO, "benches", "results", "peers.jsonl"),
                    help="JSON-lines file to append to (default benches/results/peers.jsonl)")
    ap.add_argument("--workloads", help="comma-separated names (default: all but test sets)")
    ap.add_argument("--libraries", default="sklearn,lightgbm,xgboost")
    ap.add_argument("--algorithms", help="comma-separated algorithm names (default: all); "
                    "see --list")
    ap.add_argument("--repeats", type=int, default=3, help="timed fits after the warm-up")
    ap.add_argument("--slow", action="store_true",
                    help=f"also run random forests on more than {SLOW_ROWS} rows")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per run")
    ap.add_argument("--no-verify", action="store_true", help="skip the sha256 check of the data")
    ap.add_argument("--list", action="store_true", help="print the runs that would be made")
    ap.add_argument("--child", nargs=2, metavar=("JOB", "RESULT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_main(*args.child)
        return
    if args.repeats < 1:
        sys.exit("--repeats must be at least 1")
    if args.threads != 2:
        print(f"note: --threads {args.threads}; estimator n_jobs stay at 2", file=sys.stderr)
    manifest = load_manifest(args.data)
    jobs = plan(args, manifest)
    if args.list:
        for lib, alg, name, skip in jobs:
            print(f"{name:20} {lib:9} {alg:34} {skip or ''}")
        return
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    env = child_env(args.threads)
    machine = machine_info()
    verified = {}
    for i, (lib, alg, name, skip) in enumerate(jobs, 1):
        entry = manifest[name]
        test_entry = manifest.get(entry.get("test")) if entry.get("test") else None
        family, _tasks, params, _slow, notes = ALGORITHMS[(lib, alg)]
        record = {
            "library": lib, "library_version": None, "algorithm": alg, "family": family,
            "params": params, "notes": notes, "workload": name, "task": entry["task"],
            "n_train": int(entry["rows"]), "n_test": int(test_entry["rows"]) if test_entry else 0,
            "n_features": int(entry["features"]), "repeats": args.repeats,
            "threads": args.threads, "python": platform.python_version(), "machine": machine,
            "env": {k: env.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                            "MKL_NUM_THREADS", "OPENBLAS_CORETYPE",
                                            "OPENBLAS_L2_SIZE")},
            "glibc_tunables": env.get("GLIBC_TUNABLES"),
            "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(
                timespec="seconds"),
        }
        label = f"[{i}/{len(jobs)}] {name} {lib} {alg}"
        if entry.get("test") and not test_entry:
            skip = f"error: test workload {entry['test']!r} is not in the manifest"
        if skip is None and not args.no_verify:
            for e in (entry, test_entry):
                if e is None or "sha256" not in e:
                    continue
                if e["name"] not in verified:
                    verified[e["name"]] = sha256_file(os.path.join(args.data, e["file"])) \
                        == e["sha256"].lower()
                if not verified[e["name"]]:
                    skip = f"error: sha256 of {e['file']} does not match the manifest"
        if skip:
            record.update(status="skipped" if skip.startswith("skipped") else "error",
                          error=skip.split(": ", 1)[1])
            print(f"{label}: {skip}", flush=True)
        else:
            print(f"{label} ...", end="", flush=True)
            with tempfile.TemporaryDirectory() as tmp:
                job_path, res_path = os.path.join(tmp, "job.json"), os.path.join(tmp, "res.json")
                with open(job_path, "w") as f:
                    json.dump({"library": lib, "algorithm": alg, "entry": entry,
                               "test_entry": test_entry, "data": os.path.abspath(args.data),
                               "repeats": args.repeats}, f)
                load_before = os.getloadavg()[0]
                t0 = time.perf_counter()
                try:
                    proc = subprocess.run(
                        [sys.executable, os.path.abspath(__file__), "--child", job_path,
                         res_path], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                        text=True, timeout=args.timeout)
                    if os.path.exists(res_path):
                        with open(res_path) as f:
                            record.update(json.load(f))
                    else:
                        record.update(status="error",
                                      error=f"child exited with {proc.returncode} and no result",
                                      stderr=proc.stderr[-4000:])
                except subprocess.TimeoutExpired:
                    record.update(status="error", error=f"timed out after {args.timeout} s")
                wall = time.perf_counter() - t0
                # The 1-minute load average around the run: well above --threads means other
                # processes competed for the cores and the times are not trustworthy.
                record["loadavg_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
                record["wall_seconds"] = wall
            if record["status"] == "ok":
                q = ", ".join(f"{k} {v:.4g}" for k, v in record["quality"].items())
                pred = record["predict_seconds"]
                pred = f", predict {pred:.3f} s" if pred is not None else ""
                print(f" fit {record['fit_seconds']:.3f} s{pred}, {q}, "
                      f"{record['peak_rss_mib']:.0f} MiB (wall {wall:.0f} s)", flush=True)
            else:
                print(f" ERROR {record['error']}", flush=True)
        with open(args.out, "a") as f:
            f.write(json.dumps(record) + "\n")
    print(f"appended {len(jobs)} records to {args.out}")


if __name__ == "__main__":
    main()
