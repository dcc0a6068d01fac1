#!/usr/bin/env bash
# Load test of `kiln serve` (not run in CI): throughput and latency for single-row and
# 1,000-row requests with the gradient-boosted model on german_credit, and the server's
# memory before and after 1,000,000 single-row requests.
#
#   bash benches/serve/load.sh            # from the repository root
#   DURATION=10s CONNECTIONS=16 WORKERS=1 REQUESTS=1000000 bash benches/serve/load.sh
#
# Needs `wrk` (Debian: apt-get install -y wrk) and python3 (to write the request bodies).
# Every run is bounded: each throughput phase by DURATION, the memory phase by REQUESTS
# and MAX_SECONDS. Results go to stdout; docs/benchmarks.md has the figures of one run.
set -euo pipefail

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-16}
WORKERS=${WORKERS:-1}
REQUESTS=${REQUESTS:-1000000}
MAX_SECONDS=${MAX_SECONDS:-120}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
SERVER=""

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }
cd "$ROOT"
if [ -z "${KILN:-}" ]; then  # KILN=path/to/kiln skips the build
  cargo build --release -p kiln-cli
  KILN="$ROOT/target/release/kiln"
fi
DATA="$ROOT/crates/kiln-datasets/data/german_credit.csv"

"$KILN" train "$DATA" --target credit --positive good --model gbdt --out "$WORK/credit.kiln" -q >/dev/null

# Request bodies: the first row alone, and the first 1,000 rows, without the target.
python3 - "$DATA" "$WORK" <<'PY'
import csv, json, sys
data, work = sys.argv[1], sys.argv[2]
def value(v):
    try:
        f = float(v)
        return int(f) if f.is_integer() else f
    except ValueError:
        return v if v != "" else None
with open(data, newline="") as fh:
    rows = [{k: value(v) for k, v in r.items() if k != "credit"} for r in csv.DictReader(fh)]
json.dump(rows[0], open(f"{work}/one.json", "w"))
json.dump(rows[:1000], open(f"{work}/batch.json", "w"))
PY

lua() { # $1 body file, $2 request limit (0: none) -> a wrk script
  cat <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$1", "rb"); wrk.body = f:read("*a"); f:close()
local limit, n = $2, 0
if limit > 0 then
  response = function(status, headers, body)
    n = n + 1
    if n >= limit then wrk.thread:stop() end
  end
end
LUA
}
lua "$WORK/one.json" 0 > "$WORK/one.lua"
lua "$WORK/batch.json" 0 > "$WORK/batch.lua"
lua "$WORK/one.json" "$REQUESTS" > "$WORK/memory.lua"

"$KILN" serve "$WORK/credit.kiln" --addr 127.0.0.1:0 --workers "$WORKERS" > "$WORK/serve.out" &
SERVER=$!
for _ in $(seq 50); do grep -q http:// "$WORK/serve.out" 2>/dev/null && break; sleep 0.1; done
ADDR=$(sed -n 's|.*http://||p' "$WORK/serve.out")
URL="http://$ADDR/predict"
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$SERVER/status"; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "== server: $WORKERS worker thread(s); wrk: 1 thread, $CONNECTIONS connections"
curl -s -o /dev/null -w "warm-up: %{http_code}\n" -H 'Content-Type: application/json' --data @"$WORK/one.json" "$URL"
wrk -t1 -c"$CONNECTIONS" -d2s -s "$WORK/one.lua" "$URL" >/dev/null
echo "== single-row requests ($DURATION)"
wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$WORK/one.lua" "$URL"
echo "== 1,000-row requests ($DURATION)"
wrk -t1 -c2 -d"$DURATION" --latency -s "$WORK/batch.lua" "$URL"
echo "== memory over $REQUESTS single-row requests (at most ${MAX_SECONDS}s)"
echo "RSS before: $(rss)"
wrk -t1 -c"$CONNECTIONS" -d"${MAX_SECONDS}s" -s "$WORK/memory.lua" "$URL" | grep -E "requests in|Non-2xx" || true
echo "RSS after:  $(rss)"
curl -s "http://$ADDR/metrics" | grep -E '^kiln_(rows_predicted_total|drift_window_rows|requests_total\{endpoint="predict")'
kill -TERM "$SERVER"; wait "$SERVER" || true; SERVER=""
