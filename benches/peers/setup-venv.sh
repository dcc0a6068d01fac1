#!/usr/bin/env bash
# Makes the Python virtual environment holding the peer libraries kiln is benchmarked against
# (scikit-learn, LightGBM, XGBoost; pandas and polars for data preparation; fairlearn and
# AIF360 for the fairness measures), with pinned
# versions from PyPI.
# Usage: benches/peers/setup-venv.sh [DIR]     (default: benches/peers/.venv, git-ignored)
# Idempotent: an environment that already imports the pinned versions is left alone.
# Python: $PYTHON or python3 (3.11 here).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dir=${1:-$here/.venv}
py=${PYTHON:-python3}
pins=(scikit-learn==1.9.1 lightgbm==4.7.0 xgboost==3.2.0 numpy==2.4.6 scipy==1.17.1
      pandas==3.1.1 polars==1.44.2 threadpoolctl==3.8.0 fairlearn==0.15.0 aif360==0.6.1)
probe='
import sklearn, lightgbm, xgboost, numpy, scipy, pandas, polars, threadpoolctl, fairlearn, aif360
want = {"sklearn": "1.9.1", "lightgbm": "4.7.0", "xgboost": "3.2.0", "numpy": "2.4.6",
        "scipy": "1.17.1", "pandas": "3.1.1", "polars": "1.44.2", "threadpoolctl": "3.8.0",
        "fairlearn": "0.15.0", "aif360": "0.6.1"}
got = {m: __import__(m).__version__ for m in want}
assert got == want, got
'
if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c "$probe" 2>/dev/null; then
  echo "$dir: ready"
  exit 0
fi
"$py" -m venv "$dir"
"$dir/bin/pip" install -q --upgrade pip
"$dir/bin/pip" install -q "${pins[@]}"
"$dir/bin/python" -c "$probe"
echo "$dir: installed"
cat <<TEXT
Use: $dir/bin/python benches/peers/run_peers.py --help
run_peers.py unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE in its child processes only and
records which BLAS kernel threadpoolctl reports; leave both set in tests and CI.
TEXT
