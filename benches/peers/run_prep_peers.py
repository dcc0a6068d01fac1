#!/usr/bin/env python3
"""Times the data-preparation peers (pandas, polars, scikit-learn) on the shared workloads.

The same operations and inputs as kiln-bench's `ops` (benches/src/ops.rs):
  read_csv         pandas.read_csv and polars.read_csv of the workload's CSV file
  standard_scaler  sklearn StandardScaler().fit_transform of the feature matrix
  drop_duplicates  pandas DataFrame.drop_duplicates and polars DataFrame.unique(keep="first",
                   maintain_order=True) of the first 80% of the rows followed by the first 20%
  silhouette       sklearn.metrics.silhouette_score with the generating blobs as labels
  group_metrics    fairlearn MetricFrame, 5 metrics over 3 sensitive columns (80 groups)
  drift_report     Evidently's DataDriftPreset report, training rows against test rows (run
                   with benches/peers/.venv-evidently/bin/python; skipped when that venv is missing)

Protocol: each (library, operation, workload) in its own process; inputs prepared before the
clock starts; one warm-up then the median of --repeats runs; 2 threads (POLARS_MAX_THREADS,
OMP/OPENBLAS/MKL thread counts); peak RSS from getrusage. Results are appended as JSON lines
in the same format as run_peers.py (default benches/results/peers.jsonl).

Usage: benches/peers/.venv/bin/python benches/peers/run_prep_peers.py [--data DIR] [--out FILE]
       [--workloads a,b] [--repeats N]
"""
import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))

# (library, operation) -> (family, workloads, notes)
OPS = {
    ("pandas", "read_csv"): ("CSV read", ("clf_100k", "clf_1m"), "pandas.read_csv, default engine"),
    ("polars", "read_csv"): ("CSV read", ("clf_100k", "clf_1m"), "polars.read_csv"),
    ("sklearn", "standard_scaler"): ("standard scaling", ("clf_1m",),
                                     "StandardScaler().fit_transform(X)"),
    ("pandas", "drop_duplicates"): ("deduplication", ("clf_1m",),
                                    "DataFrame.drop_duplicates(keep='first')"),
    ("polars", "drop_duplicates"): ("deduplication", ("clf_1m",),
                                    "DataFrame.unique(keep='first', maintain_order=True)"),
    ("sklearn", "silhouette"): ("silhouette", ("blobs_20k",),
                                "sklearn.metrics.silhouette_score(X, labels), Euclidean"),
    ("evidently", "drift_report"): (
        "data drift (profile + report)", ("clf_1m",),
        "evidently Report([DataDriftPreset()]).run(current_data=the 100k test rows, "
        "reference_data=the 1M training rows), feature columns only; its own venv "
        "(benches/peers/.venv-evidently: evidently 0.7.23 needs pandas < 3)"),
    ("fairlearn", "group_metrics"): (
        "group metrics (fairness)", ("fairness_1m",),
        "fairlearn.metrics.MetricFrame: accuracy, selection rate, TPR, FPR, precision over 3 "
        "sensitive columns (80 groups), plus difference() and ratio() both ways"),
}


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load_f64(data, entry):
    import numpy as np
    arr = np.fromfile(os.path.join(data, entry["file"]), dtype="<f8")
    return arr.reshape(entry["rows"], entry["features"] + 1)


def child(job):
    import numpy as np
    lib, op, entry, data, repeats = job["library"], job["op"], job["entry"], job["data"], job["repeats"]
    if op == "read_csv":
        path = os.path.join(data, entry["csv"])
        if lib == "pandas":
            import pandas as pd
            def run():
                df = pd.read_csv(path)
                return len(df), df.shape[1], float(df.iloc[:, 0].sum())
        else:
            import polars as pl
            def run():
                df = pl.read_csv(path)
                return df.height, df.width, float(df[:, 0].sum())
    elif op == "standard_scaler":
        from sklearn.preprocessing import StandardScaler
        x = np.ascontiguousarray(load_f64(data, entry)[:, :-1])
        def run():
            z = StandardScaler().fit_transform(x)
            return z.shape[0], z.shape[1], float(np.abs(z[:, 0]).sum())
    elif op == "drop_duplicates":
        full = load_f64(data, entry)[:, :-1]
        n = full.shape[0]
        x = np.concatenate([full[: n * 4 // 5], full[: n // 5]])
        cols = {f"f{j}": x[:, j] for j in range(x.shape[1])}
        if lib == "pandas":
            import pandas as pd
            df = pd.DataFrame(cols)
            def run():
                out = df.drop_duplicates(keep="first")
                return len(out), out.shape[1], 0.0
        else:
            import polars as pl
            df = pl.DataFrame(cols)
            def run():
                out = df.unique(keep="first", maintain_order=True)
                return out.height, out.width, 0.0
        rows_before = x.shape[0]
    elif op == "silhouette":
        from sklearn.metrics import silhouette_score
        full = load_f64(data, entry)
        x = np.ascontiguousarray(full[:, :-1])
        labels = full[:, -1].astype(np.int64)
        def run():
            return x.shape[0], x.shape[1], float(silhouette_score(x, labels))
    elif op == "drift_report":
        import pandas as pd
        from evidently import Report
        from evidently.presets import DataDriftPreset
        names = [f"f{j}" for j in range(entry["features"])]
        reference = pd.DataFrame(load_f64(data, entry)[:, :-1], columns=names)
        current = pd.DataFrame(load_f64(data, job["test_entry"])[:, :-1], columns=names)
        def run():
            snapshot = Report([DataDriftPreset()]).run(current_data=current,
                                                       reference_data=reference)
            metrics = snapshot.dict()["metrics"]
            count = next(m["value"] for m in metrics
                         if m["metric_name"].startswith("DriftedColumnsCount"))
            f0 = next(m["value"] for m in metrics
                      if m["metric_name"].startswith("ValueDrift(column=f0,"))
            return len(current), len(names), {"drifted_columns": int(count["count"]),
                                              "drift_share": float(count["share"]),
                                              "f0_statistic": float(f0)}
    elif op == "group_metrics":
        import pandas as pd
        from fairlearn.metrics import (MetricFrame, false_positive_rate, selection_rate,
                                       true_positive_rate)
        from sklearn.metrics import accuracy_score, precision_score
        full = load_f64(data, entry)
        sensitive = pd.DataFrame({name: full[:, j].astype(np.int64)
                                  for j, name in enumerate(["a", "b", "c"])})
        y_pred = full[:, 3].astype(np.int64)
        y_true = full[:, -1].astype(np.int64)
        metrics = {"accuracy": accuracy_score, "selection_rate": selection_rate,
                   "tpr": true_positive_rate, "fpr": false_positive_rate,
                   "precision": lambda t, p: precision_score(t, p, zero_division=0)}
        def run():
            mf = MetricFrame(metrics=metrics, y_true=y_true, y_pred=y_pred,
                             sensitive_features=sensitive)
            out = {}
            for method in ("between_groups", "to_overall"):
                d, r = mf.difference(method=method), mf.ratio(method=method)
                out[f"accuracy_difference_{method}"] = float(d["accuracy"])
                out[f"selection_rate_ratio_{method}"] = float(r["selection_rate"])
            return len(y_true), 4, out
    else:
        raise ValueError(op)
    t0 = time.perf_counter()
    res = run()
    warmup = time.perf_counter() - t0
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = run()
        runs.append(time.perf_counter() - t0)
    quality = {"rows": res[0], "columns": res[1], "first_column_sum": res[2]}
    if op == "drop_duplicates":
        quality["removed"] = rows_before - res[0]
    if op == "silhouette":
        quality = {"silhouette": res[2]}
    if op in ("group_metrics", "drift_report"):
        quality = res[2]
    return {"fit_seconds": statistics.median(runs), "fit_runs": runs, "warmup_seconds": warmup,
            "quality": quality, "peak_rss_mib": peak_rss_mib(),
            # From the child, which runs in the library's own environment.
            "library_version": library_version(lib)}


def library_version(lib):
    name = {"sklearn": "sklearn"}.get(lib, lib)
    try:
        return __import__(name).__version__
    except Exception:  # noqa: BLE001 - recorded, not fatal
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.path.join(REPO, "benches", "data"))
    ap.add_argument("--out", default=os.path.join(REPO, "benches", "results", "peers.jsonl"))
    ap.add_argument("--workloads")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        with open(args.child) as f:
            job = json.load(f)
        try:
            out = {"status": "ok", **child(job)}
        except Exception as e:  # noqa: BLE001 - reported in the record
            out = {"status": "error", "error": f"{type(e).__name__}: {e}", "peak_rss_mib": peak_rss_mib()}
        print(json.dumps(out))
        return
    with open(os.path.join(args.data, "manifest.json")) as f:
        manifest = json.load(f)
    entries = {e["name"]: e for e in manifest["workloads"]}
    only = set(args.workloads.split(",")) if args.workloads else None
    env = dict(os.environ)
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(k, None)
    for k in ("POLARS_MAX_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[k] = str(args.threads)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    import tempfile
    for (lib, op), (family, workloads, notes) in OPS.items():
        for name in workloads:
            if (only and name not in only) or name not in entries:
                continue
            entry = entries[name]
            job = {"library": lib, "op": op, "entry": entry, "data": os.path.abspath(args.data),
                   "repeats": args.repeats, "test_entry": entries.get(entry.get("test") or "")}
            python = sys.executable
            if lib == "evidently":
                python = os.path.join(HERE, ".venv-evidently", "bin", "python")
                if not os.path.exists(python):
                    print(f"{lib} {op} on {name}: skipped, no {python}", file=sys.stderr)
                    continue
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump(job, f)
                job_path = f.name
            print(f"{lib} {op} on {name} ...", file=sys.stderr)
            proc = subprocess.run([python, __file__, "--child", job_path], env=env,
                                  capture_output=True, text=True)
            os.unlink(job_path)
            try:
                result = json.loads(proc.stdout.strip().splitlines()[-1])
            except (IndexError, json.JSONDecodeError):
                result = {"status": "error", "error": proc.stderr.strip()[-2000:]}
            record = {
                "library": lib, "library_version": library_version(lib), "algorithm": op,
                "family": family, "params": {}, "notes": notes, "workload": name,
                "task": entry["task"], "n_train": entry["rows"], "n_test": 0,
                "n_features": entry["features"], "repeats": args.repeats, "threads": args.threads,
                "predict_seconds": None, "predict_runs": [], "predict_rows": 0,
                "quality_on": "train", "python": platform.python_version(),
                "glibc_tunables": env.get("GLIBC_TUNABLES"),
                "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                **result,
            }
            with open(args.out, "a") as f:
                f.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
