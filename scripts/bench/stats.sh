#!/usr/bin/env bash
# Benchmark of the Stats module against scipy/statsmodels (not a test): the same tables on both sides,
# in-process loops on both sides (no interpreter or process start-up counted), then the whole
# `journeylab analyze` process (hyperfine) against scipy's boschloo_exact call alone.
#
#   scripts/bench/stats.sh
#
# Needs: swift, python3 with scipy and statsmodels, hyperfine (apt-get install -y hyperfine; falls back to
# a python timer). Environment:
#   STATS_PACKAGE_DIR   package to build StatsBenchmark from (default: the repository root)
#   STATS_BENCH_SCRATCH scratch path for the release build (default: $STATS_PACKAGE_DIR/.build-bench)
#   JOURNEYLAB_BIN      a built journeylab to time (default: build the journeylab product in release there)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PACKAGE_DIR="${STATS_PACKAGE_DIR:-$ROOT}"
SCRATCH="${STATS_BENCH_SCRATCH:-$PACKAGE_DIR/.build-bench}"
HELPER="$ROOT/scripts/bench/stats_reference.py"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "building StatsBenchmark (release) in $SCRATCH ..." >&2
swift build -c release -j 2 --package-path "$PACKAGE_DIR" --scratch-path "$SCRATCH" --product StatsBenchmark >&2
BENCH="$(swift build -c release --package-path "$PACKAGE_DIR" --scratch-path "$SCRATCH" --show-bin-path)/StatsBenchmark"

python3 "$HELPER" tables > "$WORK/tables.txt"
echo "timing Stats ..." >&2
"$BENCH" < "$WORK/tables.txt" > "$WORK/swift.tsv"
echo "timing scipy/statsmodels ..." >&2
python3 "$HELPER" time < "$WORK/tables.txt" > "$WORK/python.tsv"

JOURNEYLAB="${JOURNEYLAB_BIN:-}"
if [[ -z "$JOURNEYLAB" ]]; then
    echo "building journeylab (release) ..." >&2
    swift build -c release -j 2 --package-path "$PACKAGE_DIR" --scratch-path "$SCRATCH" --product journeylab >&2
    JOURNEYLAB="$(swift build -c release --package-path "$PACKAGE_DIR" --scratch-path "$SCRATCH" --show-bin-path)/journeylab"
fi
ANALYZE=("$JOURNEYLAB" analyze --arm control=20/110 --arm treatment=30/110 --format json)
"${ANALYZE[@]}" > /dev/null
if command -v hyperfine > /dev/null; then
    hyperfine --warmup 3 --runs 30 --style none --export-json "$WORK/hyperfine.json" "${ANALYZE[*]}" >&2
else
    python3 - "$WORK/hyperfine.json" "${ANALYZE[@]}" <<'PY'
import json, statistics, subprocess, sys, time
runs = []
for _ in range(30):
    start = time.perf_counter()
    subprocess.run(sys.argv[2:], check=True, stdout=subprocess.DEVNULL)
    runs.append(time.perf_counter() - start)
json.dump({"results": [{"mean": statistics.mean(runs), "stddev": statistics.stdev(runs)}]}, open(sys.argv[1], "w"))
PY
fi

echo
python3 "$HELPER" report "$WORK/swift.tsv" "$WORK/python.tsv" "$WORK/hyperfine.json"
