"""Times fairlearn 0.15's MetricFrame on the speed data of kiln-fairness' group metrics.

Run from the repository root with the peers' environment:

    benches/peers/.venv/bin/python crates/kiln-fairness/tests/reference/frame_speed_peer.py \
        [--rows 1000000] [--repeats 3] [--warmup 1] [--n-boot 0] [--out results.jsonl]

Data (identical to `speed_data` in `tests/frame.rs`): row i draws x = SplitMix64(i); sensitive
columns a = x % 2, b = (x >> 8) % 5, c = (x >> 16) % 8 (80 intersectional groups);
y_true = 1 when (x >> 24) % 100 < 20 + 5a + 4b + 3c; y_pred = y_true flipped when
(x >> 40) % 100 < 15. Default 1,000,000 rows.

Timed: building the MetricFrame with 5 metrics (accuracy, selection rate, TPR, FPR, precision)
over the three columns, plus difference() and ratio() with both methods; `--warmup` untimed
runs, then the median of `--repeats` timed runs (the harness protocol of benches/peers). With
`--n-boot N`, also fairlearn's own bootstrap (N resamples) once. Prints one JSON record in the
harness' results format (benches/peers/README.md) and appends it to `--out` when given.
kiln's side: `cargo test --release -p kiln-fairness --test frame -- --ignored --nocapture`.
"""

import argparse
import json
import os
import platform
import statistics
import time
import warnings

import numpy as np
import fairlearn
import pandas as pd
from fairlearn.metrics import (
    MetricFrame,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import accuracy_score, precision_score

warnings.simplefilter("ignore")



def splitmix64(x):
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def speed_data(n):
    x = splitmix64(np.arange(n, dtype=np.uint64))
    a = (x % np.uint64(2)).astype(np.int64)
    b = ((x >> np.uint64(8)) % np.uint64(5)).astype(np.int64)
    c = ((x >> np.uint64(16)) % np.uint64(8)).astype(np.int64)
    p_pos = 20 + 5 * a + 4 * b + 3 * c
    y_true = (((x >> np.uint64(24)) % np.uint64(100)).astype(np.int64) < p_pos).astype(np.int64)
    flip = ((x >> np.uint64(40)) % np.uint64(100)).astype(np.int64) < 15
    y_pred = np.where(flip, 1 - y_true, y_true)
    return pd.DataFrame({"a": a, "b": b, "c": c}), y_true, y_pred


METRICS = {
    "accuracy": accuracy_score,
    "selection_rate": selection_rate,
    "true_positive_rate": true_positive_rate,
    "false_positive_rate": false_positive_rate,
    "precision": precision_score,
}


def run(sf, y_true, y_pred, **kw):
    mf = MetricFrame(metrics=METRICS, y_true=y_true, y_pred=y_pred, sensitive_features=sf, **kw)
    out = [mf.difference(method=m) for m in ("between_groups", "to_overall")]
    out += [mf.ratio(method=m) for m in ("between_groups", "to_overall")]
    return mf, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--n-boot", type=int, default=0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    sf, y_true, y_pred = speed_data(args.rows)
    load_before = os.getloadavg()[0]
    for _ in range(args.warmup):
        run(sf, y_true, y_pred)
    runs = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        mf, out = run(sf, y_true, y_pred)
        runs.append(time.perf_counter() - t)
    record = {
        "library": "fairlearn",
        "library_version": fairlearn.__version__,
        "algorithm": "metric_frame",
        "family": "group metrics",
        "params": {
            "metrics": list(METRICS),
            "sensitive_levels": [2, 5, 8],
            "aggregates": "difference and ratio, between_groups and to_overall",
        },
        "workload": f"fairness_{args.rows}_rows_80_groups",
        "task": "binary",
        "n_train": args.rows,
        "n_groups": int(mf.by_group.shape[0]),
        "status": "ok",
        "fit_seconds": statistics.median(runs),
        "fit_runs": runs,
        "difference_between_groups": out[0].to_dict(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "loadavg_1min": [load_before, os.getloadavg()[0]],
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    if args.n_boot > 0:
        t = time.perf_counter()
        run(sf, y_true, y_pred, n_boot=args.n_boot, ci_quantiles=[0.025, 0.975], random_state=0)
        record["bootstrap_seconds"] = time.perf_counter() - t
        record["n_boot"] = args.n_boot
    line = json.dumps(record)
    print(line)
    if args.out:
        with open(args.out, "a") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
