#!/usr/bin/env bash
# Runs the side-by-side benchmarks back to back on the same files and rewrites docs/benchmarks.md.
#
#   benches/run.sh                         everything (tens of minutes on 2 cores)
#   benches/run.sh --workloads clf_100k    a subset (comma-separated workload names)
#   benches/run.sh --skip python,rust      leave out the Python peers and/or the Rust peers
#   benches/run.sh --repeats 5 --slow      more timed fits; include the slow runs (forests on 1M rows)
#   benches/run.sh --timeout 120           seconds allowed per Rust-peer run (default 300)
#
# Steps: build kiln-bench; generate the workloads into benches/data if missing (kiln-bench gen);
# time kiln (benches/results/kiln.jsonl), the Python peers (peers.jsonl: scikit-learn, LightGBM,
# XGBoost, pandas, polars, in their own venv) and the Rust peers (rust-peers.jsonl: linfa, smartcore,
# ferrolearn, from their own Cargo project); then benches/peers/report.py writes the report.
# Each run starts from empty results files, so the report shows one run of every library.
# Run it on a quiet machine: anything else running skews the timings (the report prints the
# load average seen by each run).
set -euo pipefail
cd "$(dirname "$0")/.."

workloads=""
skip=""
repeats=3
slow=""
timeout=300
while [ $# -gt 0 ]; do
  case "$1" in
    --workloads) workloads=$2; shift 2 ;;
    --skip) skip=$2; shift 2 ;;
    --repeats) repeats=$2; shift 2 ;;
    --slow) slow="--slow"; shift ;;
    --timeout) timeout=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
wl_args=()
[ -n "$workloads" ] && wl_args=(--workloads "$workloads")

# Every process (kiln and the peers) asks glibc for transparent huge pages on its large
# allocations, as NumPy already does for its arrays on Linux (this machine's THP mode is
# `madvise`): without it a Rust program's large outputs are faulted in 4 kB pages and only
# the NumPy-based peers get huge ones. Set GLIBC_TUNABLES yourself to override (empty: off).
export GLIBC_TUNABLES="${GLIBC_TUNABLES-glibc.malloc.hugetlb=1}"

mkdir -p benches/results
rm -f benches/results/kiln.jsonl benches/results/peers.jsonl benches/results/rust-peers.jsonl

echo "== building kiln-bench"
cargo build --release -p kiln-benches --bin kiln-bench
bench=target/release/kiln-bench

echo "== workloads"
"$bench" gen --if-missing "${wl_args[@]}"

echo "== kiln"
"$bench" run --repeats "$repeats" "${wl_args[@]}"

if [[ ",$skip," != *",python,"* ]]; then
  echo "== Python peers"
  benches/peers/setup-venv.sh
  benches/peers/.venv/bin/python benches/peers/run_peers.py --repeats "$repeats" $slow "${wl_args[@]}"
  benches/peers/.venv/bin/python benches/peers/run_prep_peers.py --repeats "$repeats" "${wl_args[@]}"
fi

if [[ ",$skip," != *",rust,"* ]]; then
  echo "== Rust peers"
  # ferrolearn links the system OpenBLAS.
  if ! ldconfig -p | grep -q libopenblas; then
    echo "ferrolearn needs OpenBLAS: apt-get install -y libopenblas-dev" >&2
    exit 1
  fi
  (cd benches/peers-rust && cargo build --release)
  benches/peers-rust/target/release/peers-rust run --repeats "$repeats" --timeout "$timeout" \
    $slow "${wl_args[@]}"
fi

echo "== report"
python3 benches/peers/report.py
echo "docs/benchmarks.md rewritten"
