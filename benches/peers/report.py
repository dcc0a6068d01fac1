#!/usr/bin/env python3
"""Writes docs/benchmarks.md from benchmark results (JSON lines, one object per run).

Inputs: the peers' results written by run_peers.py (benches/results/peers.jsonl) and kiln's own
(benches/results/kiln.jsonl), which use the same fields with "library": "kiln". Fields read:
library, library_version, algorithm, family (optional for kiln: guessed from the algorithm name),
params, notes, workload, task, n_train, n_test, n_features, status ("ok", "error", "skipped",
"not_implemented"), error, fit_seconds, fit_runs, predict_seconds, predict_rows, quality,
peak_rss_mib, rss_after_load_mib, threads, threadpoolctl, python, machine, loadavg_1min, timestamp.

When a (library, algorithm, workload) appears more than once, the newest successful run wins
(the newest run of any status if none succeeded).

Usage: python3 benches/peers/report.py [RESULTS.jsonl ...] [--out docs/benchmarks.md]
Standard library only.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

FAMILY_ORDER = ["logistic regression", "linear regression", "ridge regression", "lasso",
                "decision tree", "decision tree (max depth 10)", "random forest", "extra trees",
                "gradient boosting", "cross-validation overhead",
                "k-means (k-means++ init)", "k-means (fixed init)", "mini-batch k-means",
                "silhouette", "ROC AUC",
                "group metrics (fairness)", "group metrics, 1,000 bootstrap resamples",
                "data drift (profile + report)", "data drift (batch against a saved profile)"]
# Algorithm name -> family, for records that do not carry "family" (e.g. kiln's).
ALGORITHM_FAMILY = {
    "logistic_regression": "logistic regression", "logistic": "logistic regression",
    "linear_regression": "linear regression", "linear": "linear regression",
    "ridge": "ridge regression", "lasso": "lasso",
    "decision_tree": "decision tree", "decision_tree_regressor": "decision tree",
    "decision_tree_depth10": "decision tree (max depth 10)",
    "random_forest": "random forest", "random_forest_regressor": "random forest",
    "extra_trees": "extra trees",
    "hist_gradient_boosting": "gradient boosting",
    "hist_gradient_boosting_regressor": "gradient boosting",
    "gradient_boosting": "gradient boosting", "gradient_boosting_regressor": "gradient boosting",
    "kmeans": "k-means (k-means++ init)", "k_means": "k-means (k-means++ init)",
    "kmeans_fixed_init": "k-means (fixed init)", "k_means_fixed_init": "k-means (fixed init)",
    "kmeans_elkan": "k-means (k-means++ init)",
    "kmeans_fixed_init_elkan": "k-means (fixed init)",
    "minibatch_kmeans": "mini-batch k-means",
    "roc_auc": "ROC AUC",
}
LIBRARY_ORDER = ["kiln", "sklearn", "lightgbm", "xgboost", "fairlearn", "evidently"]
LIBRARY_NAME = {"kiln": "kiln", "sklearn": "scikit-learn", "lightgbm": "LightGBM",
                "xgboost": "XGBoost", "fairlearn": "fairlearn", "evidently": "Evidently"}
# task -> [(quality key, column title, format)]
METRICS = {
    "binary": [("accuracy", "accuracy", "{:.4f}"), ("roc_auc", "ROC AUC", "{:.4f}"),
               ("log_loss", "log-loss", "{:.4f}")],
    "multiclass": [("accuracy", "accuracy", "{:.4f}"), ("log_loss", "log-loss", "{:.4f}")],
    "regression": [("r2", "R²", "{:.4f}"), ("rmse", "RMSE", "{:.4g}"),
                   ("cv_overhead_pct", "CV overhead %", "{:.2f}")],
    "clustering": [("inertia", "inertia", "{:.6g}"), ("adjusted_rand", "ARI", "{:.4f}"),
                   ("silhouette", "silhouette", "{:.6f}")],
    "scores": [("roc_auc", "ROC AUC", "{:.6f}")],
    "fairness": [("accuracy_difference_between_groups", "accuracy gap", "{:.6f}"),
                 ("selection_rate_ratio_between_groups", "selection-rate ratio", "{:.6f}")],
}
TASK_ORDER = ["binary", "multiclass", "regression", "clustering", "scores", "fairness"]


def family_of(r):
    return r.get("family") or ALGORITHM_FAMILY.get(r.get("algorithm", ""), r.get("algorithm", "?"))


def load(paths):
    records = []
    for path in paths:
        with open(path) as f:
            for n, line in enumerate(f, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    records.append(json.loads(line))
                except json.JSONDecodeError as e:
                    print(f"{path}:{n}: skipped, not JSON ({e})", file=sys.stderr)
    latest = {}
    for r in records:
        key = (r.get("library"), r.get("algorithm"), r.get("workload"))
        old = latest.get(key)
        rank = (r.get("status") == "ok", r.get("timestamp", ""))
        if old is None or rank >= (old.get("status") == "ok", old.get("timestamp", "")):
            latest[key] = r
    return list(latest.values())


def local_machine():
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


def secs(x):
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:.0f}"
    if x >= 1:
        return f"{x:.2f}"
    if x >= 0.01:
        return f"{x:.3f}"
    return f"{x:.2g}"


def fmt_params(params):
    return ", ".join(f"{k}={json.dumps(v)}" for k, v in params.items()) or "(defaults)"


def blas_summary(records):
    seen = {}
    for r in records:
        for p in r.get("threadpoolctl") or []:
            key = (p.get("internal_api"), p.get("version"), p.get("architecture"),
                   p.get("num_threads"), p.get("prefix"))
            seen.setdefault(key, set()).add(LIBRARY_NAME.get(r["library"], r["library"]))
    lines = []
    for (api, version, arch, threads, prefix), libs in sorted(seen.items(), key=str):
        bits = [f"{api}"]
        if version:
            bits.append(f"{version}")
        if arch:
            bits.append(f"kernel {arch}")
        lines.append(f"- {prefix or api}: {' '.join(bits)}, {threads} threads "
                     f"(seen in the {', '.join(sorted(libs))} runs)")
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="*", help="JSON-lines results files (default: "
                    "benches/results/{peers,rust-peers,kiln}.jsonl, those present)")
    ap.add_argument("--out", default=os.path.join(REPO, "docs", "benchmarks.md"))
    args = ap.parse_args()
    inputs = args.inputs or [p for p in (os.path.join(REPO, "benches", "results", n)
                                         for n in ("peers.jsonl", "rust-peers.jsonl", "kiln.jsonl"))
                             if os.path.exists(p)]
    if not inputs:
        sys.exit("no results files: run benches/peers/run_peers.py first")
    records = load(inputs)
    peers = [r for r in records if r.get("library") != "kiln"]
    kiln = [r for r in records if r.get("library") == "kiln"]
    have_kiln = bool(kiln)

    out = []
    w = out.append
    w("# Benchmarks: kiln side by side with scikit-learn, LightGBM, XGBoost, linfa, smartcore "
      "and ferrolearn")
    w("")
    w(f"Generated by `benches/peers/report.py` on "
      f"{datetime.date.today().isoformat()} from "
      + ", ".join(f"`{os.path.relpath(p, REPO)}`" for p in inputs)
      + ". Do not edit by hand: rerun the harness and the report (see *Reproducing* below).")
    w("")

    # ---- machine and software
    machines = [r["machine"] for r in records if r.get("machine")]
    m = machines[-1] if machines else local_machine()
    w("## Machine and software")
    w("")
    mem = f"{m['memory_gib']} GiB" if m.get("memory_gib") else "unknown"
    w(f"- CPU: {m.get('cpu')}, {m.get('cores')} logical cores; memory {mem}; {m.get('os', '')}")
    pythons = sorted({r.get("python") for r in peers if r.get("python")})
    if pythons:
        w(f"- Python {', '.join(pythons)}")
    versions = {}
    for r in records:
        if r.get("library_version"):
            versions.setdefault(r["library"], set()).add(r["library_version"])
    numpys = sorted({r.get("numpy_version") for r in peers if r.get("numpy_version")})
    libs = [f"{LIBRARY_NAME.get(k, k)} {', '.join(sorted(v))}"
            for k, v in sorted(versions.items(), key=lambda kv: LIBRARY_ORDER.index(kv[0])
                               if kv[0] in LIBRARY_ORDER else 99)]
    if numpys:
        libs.append(f"NumPy {', '.join(numpys)}")
    w(f"- Libraries: {'; '.join(libs)}")
    loads = [x for r in records for x in (r.get("loadavg_1min") or [])]
    if loads:
        w(f"- 1-minute load average around the runs: median {statistics.median(loads):.1f}, "
          f"max {max(loads):.1f} (on {m.get('cores')} cores; well above the thread count means "
          "other work shared the machine and the times are inflated)")
    w("")
    w("BLAS and OpenMP as threadpoolctl reported them inside the peers' runs:")
    w("")
    out.extend(blas_summary(peers) or ["- (no threadpoolctl information recorded)"])
    w("")

    # ---- method
    threads = sorted({r.get("threads") for r in records if r.get("threads")})
    w("## Method")
    w("")
    w("- Every (library, algorithm, workload) runs in its own process, so *peak RSS* "
      "(`getrusage(RUSAGE_SELF).ru_maxrss`) belongs to that run; it includes the interpreter or "
      "binary, the loaded training and test data and the 100k-row predict batch.")
    w("- The data is loaded before timing. One warm-up fit, then the median of at least 3 timed "
      "fits (`time.perf_counter`, a fresh estimator each time).")
    w("- *Predict s* is the median of 3 `predict` calls (class labels, values or cluster "
      "indices) on a batch of 100,000 rows made by tiling the test rows (the training rows when "
      "the workload has no test set).")
    w("- Quality is measured on the held-out test set (on the training set for clustering, which "
      "has none): accuracy, ROC AUC (binary) and log-loss from predicted probabilities for "
      "classifiers; R² and RMSE for regression; inertia and the adjusted Rand index (ARI) "
      "against the generating cluster for k-means; the AUC value for ROC AUC timing.")
    w(f"- Threads: {', '.join(map(str, threads)) or 2} on every side. The peers run with "
      "`OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS` and `MKL_NUM_THREADS` set to that and "
      "`n_jobs`/`nthread` = 2 in the estimators; `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` "
      "are unset in the benchmark processes only, so NumPy's OpenBLAS picks its own kernel "
      "(listed above).")
    tunables = {}
    for r in records:
        t = r.get("glibc_tunables") or "(unset)"
        tunables.setdefault(t, set()).add(LIBRARY_NAME.get(r["library"], r["library"]))
    w("- Memory: `benches/run.sh` runs every process, kiln's and the peers', with "
      "`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`, so glibc asks for transparent huge pages on "
      "its large allocations, as NumPy already does for its arrays on Linux (this machine's "
      "THP mode is `madvise`). Without it a Rust program's large outputs are faulted in 4 kB "
      "pages while the NumPy-based peers' are not: kiln's StandardScaler on clf_1m took 0.093 s "
      "without and 0.041–0.076 s with it, scikit-learn's 0.24–0.28 s either way. Seen in these "
      "results: "
      + "; ".join(f"`{t}` ({', '.join(sorted(libs))})" for t, libs in sorted(tunables.items()))
      + ".")
    thp = [r.get("malloc_thp") for r in records if r["library"] == "kiln"]
    w("- glibc 2.36 on this machine applies that tunable in only some processes: in the others "
      "no large mapping carries the `hg` (huge page) flag and the kernel reports no huge-page "
      "faults, so data-bound rows run up to twice as slowly (StandardScaler on clf_1m, 2026-11-27: "
      "0.041–0.067 s in the processes where it applied, 0.108–0.134 s in those where it did not; "
      "it applied in about a third). Since then `kiln-bench run` starts such a child again "
      "(up to 12 times, the last one kept whatever it gets) until glibc applied the setting, "
      "as the NumPy-based peers always have it, and each kiln record says whether it did "
      "(`malloc_thp`, from the process's own mappings)"
      + (f": applied in {thp.count(True)} of the {thp.count(True) + thp.count(False)} kiln "
         "records here that say. " if thp.count(True) + thp.count(False) else "; no record here "
         "says yet. ")
      + "NumPy advises its arrays itself, so the Python peers do not depend on it.")
    w("- Random forests are skipped on workloads with more than 200,000 training rows unless "
      "`run_peers.py --slow` is given.")
    w("- *load* is the highest 1-minute load average seen just before and just after the run "
      "(the machine has the number of cores given above; a load above the 2 benchmark threads "
      "means other processes competed for the cores and the run's times are inflated).")
    w("- *kiln / fastest peer* is kiln's fit time divided by the fastest peer's fit time in the "
      "same algorithm family on the same workload (below 1 means kiln is faster).")
    w("")
    w("### Parameters")
    w("")
    w("| family | library | algorithm | parameters | notes |")
    w("| --- | --- | --- | --- | --- |")
    seen = set()
    for r in sorted(records, key=lambda r: (FAMILY_ORDER.index(family_of(r))
                                            if family_of(r) in FAMILY_ORDER else 99,
                                            LIBRARY_ORDER.index(r["library"])
                                            if r["library"] in LIBRARY_ORDER else 99,
                                            r.get("algorithm", ""))):
        params = dict(r.get("params") or {})
        params.pop("n_clusters", None)
        key = (r["library"], r.get("algorithm"), json.dumps(params, sort_keys=True))
        if key in seen:
            continue
        seen.add(key)
        w(f"| {family_of(r)} | {LIBRARY_NAME.get(r['library'], r['library'])} | "
          f"`{r.get('algorithm')}` | {fmt_params(params)} | {r.get('notes', '')} |")
    w("")
    w("k-means uses `n_clusters` = the number of distinct labels in the workload. The fixed-init "
      "variant starts every library from the same centres (the first k training rows), so its "
      "iterations are comparable one for one; those rows need not come from distinct clusters, "
      "so its ARI can be well below the k-means++ variant's.")
    w("")
    w("Mini-batch k-means stops when the smoothed batch inertia has not improved for 10 steps, "
      "which depends on the random batches: on blobs_1m (2026-11-28) kiln stopped after 12 "
      "steps and scikit-learn after 569, with inertias 0.05 % apart and the same ARI, so that "
      "row's ratio compares different amounts of work. With the same work (one epoch of 976 "
      "steps, early stopping off; a scratch run, medians of 3-5) kiln took 0.18 s against "
      "scikit-learn's 10.3 s on blobs_1m and 0.056 s against 0.30 s on blobs_100k_50 (97 "
      "steps), inertias within 1e-5 of each other.")
    w("")

    # ---- per workload
    w("## Results")
    w("")
    if not have_kiln:
        w("No kiln results yet (`benches/results/kiln.jsonl` was not among the inputs): the "
          "kiln rows below say *not measured yet*.")
        w("")
    by_workload = {}
    for r in records:
        by_workload.setdefault(r["workload"], []).append(r)

    def wl_key(name):
        t = by_workload[name][0].get("task")
        return (TASK_ORDER.index(t) if t in TASK_ORDER else 99, by_workload[name][0].get(
            "n_train", 0), name)

    for name in sorted(by_workload, key=wl_key):
        rs = by_workload[name]
        first = rs[0]
        task = first.get("task")
        metrics = METRICS.get(task, [])
        test = f", {first.get('n_test'):,} test rows" if first.get("n_test") else ""
        w(f"### {name}")
        w("")
        if task == "scores":
            w(f"scores: {first.get('n_train', 0):,} rows of (label, score).")
        elif task == "fairness":
            w(f"fairness: {first.get('n_train', 0):,} rows of (3 sensitive columns, prediction, "
              "label), 80 intersectional groups.")
        else:
            w(f"{task}: {first.get('n_train', 0):,} training rows × {first.get('n_features')} "
              f"features{test}.")
        w("")
        head = ["family", "library", "fit s", "predict s (100k)"] + [t for _, t, _ in metrics] \
            + ["peak RSS MiB", "load", "kiln / fastest peer"]
        w("| " + " | ".join(head) + " |")
        w("|" + "|".join(" --- " for _ in head) + "|")
        families = sorted({family_of(r) for r in rs},
                          key=lambda f: (FAMILY_ORDER.index(f) if f in FAMILY_ORDER else 99, f))
        for fam in families:
            frs = [r for r in rs if family_of(r) == fam]
            peer_fits = [r["fit_seconds"] for r in frs
                         if r["library"] != "kiln" and r.get("status") == "ok"]
            best = min(peer_fits) if peer_fits else None
            frs.sort(key=lambda r: (LIBRARY_ORDER.index(r["library"])
                                    if r["library"] in LIBRARY_ORDER else 99, r["algorithm"]))
            if not any(r["library"] == "kiln" for r in frs):
                what = "not implemented yet" if have_kiln else "not measured yet"
                w("| " + " | ".join([fam, f"kiln: {what}"] + ["–"] * (len(head) - 2)) + " |")
            for r in frs:
                lib = LIBRARY_NAME.get(r["library"], r["library"])
                if r["library"] == "sklearn" and fam == "gradient boosting":
                    lib += " (HistGradientBoosting)"
                if r["algorithm"].endswith("_elkan"):
                    lib += " (Elkan)"
                status = r.get("status")
                if status != "ok":
                    if status == "not_implemented":
                        text = "kiln: not implemented yet" if r["library"] == "kiln" \
                            else f"{lib}: not implemented"
                    elif status == "skipped":
                        text = f"{lib}: skipped ({r.get('error', '')})"
                    else:
                        err = str(r.get("error", "")).replace("|", "/").splitlines()
                        text = f"{lib}: failed ({err[0][:120] if err else 'unknown error'})"
                    w("| " + " | ".join([fam, text] + ["–"] * (len(head) - 2)) + " |")
                    continue
                q = r.get("quality") or {}
                cells = [fam, lib, secs(r.get("fit_seconds")), secs(r.get("predict_seconds"))]
                for key, _, f in metrics:
                    cells.append(f.format(q[key]) if q.get(key) is not None else "–")
                rss = r.get("peak_rss_mib")
                cells.append(f"{rss:.0f}" if rss is not None else "–")
                load_avg = r.get("loadavg_1min")
                cells.append(f"{max(load_avg):.1f}" if load_avg else "–")
                if r["library"] == "kiln" and best:
                    ratio = r["fit_seconds"] / best
                    cells.append(f"{ratio:.2f}×" if ratio >= 0.01
                                 else f"{ratio:.4f}× (1/{1 / ratio:.0f})")
                else:
                    cells.append("")
                w("| " + " | ".join(cells) + " |")
        w("")

    # ---- hand-written analysis (where the time goes), kept beside this script
    analysis = os.path.join(HERE, "analysis.md")
    if os.path.exists(analysis):
        with open(analysis) as f:
            w(f.read().rstrip("\n"))
        w("")

    # ---- reproducing
    w("## Reproducing")
    w("")
    w("```sh")
    w("benches/run.sh                          # everything, back to back, then this report")
    w("benches/run.sh --workloads clf_100k     # a subset; --skip python,rust; --repeats N; --slow")
    w("```")
    w("")
    w("`benches/run.sh` builds `kiln-bench`, writes the workloads into `benches/data/` if they are "
      "missing (`kiln-bench gen`: raw little-endian f64 + CSV + `manifest.json` with SHA-256), "
      "times kiln (`kiln-bench run`), the Python peers (`benches/peers/run_peers.py` and "
      "`run_prep_peers.py`, in the pinned venv made by `benches/peers/setup-venv.sh`) and the "
      "Rust peers (`benches/peers-rust`, its own Cargo project), then runs this report. "
      "For data-preparation rows (CSV read, scaling, deduplication) the *fit s* column is the "
      "time of the operation itself.")
    w("")

    # ---- the serving load test: measured by benches/serve/load.sh, written up by hand
    serve = os.path.join(REPO, "benches", "serve", "results.md")
    if os.path.exists(serve):
        with open(serve) as f:
            w(f.read().rstrip("\n"))
        w("")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(out))
    os.replace(tmp, args.out)
    print(f"wrote {args.out} ({len(records)} runs from {len(inputs)} file(s))")


if __name__ == "__main__":
    main()
