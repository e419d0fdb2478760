#!/usr/bin/env bash
# Soak of the HTTP API (issue 9): mixed assignments, event batches and report reads from 32 keep-alive
# connections on loopback against `journeylab serve` on a throwaway PostgreSQL, then checks for errors,
# lost or doubled events, leaked connections and growing memory. Uses the debug binary (built if missing).
#   scripts/reliability/soak.sh                  quick form, 30 s (part of scripts/reliability/quick.sh)
#   scripts/reliability/soak.sh --seconds 600    long form, 10 minutes (scripts/reliability/long.sh)
# Ends with `soak: N passed, M failed`; exits non-zero on any failure. Arguments go to soak.py.
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=30
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
    case "${args[$i]}" in
    --seconds) seconds=${args[$((i + 1))]:-30} ;;
    --seconds=*) seconds=${args[$i]#--seconds=} ;;
    esac
done

if [ ! -x .build/debug/journeylab ]; then
    echo "soak: building journeylab (debug)" >&2
    swift build --product journeylab >.build-reliability.log 2>&1 \
        || { tail -40 .build-reliability.log >&2; echo "soak: 0 passed, 1 failed"; exit 1; }
fi
# The interpreter with the pinned packages of requirements.txt (installed once if missing).
python=${RELIABILITY_PYTHON:-$(bash scripts/reliability/python-deps.sh)} || { echo "soak: 0 passed, 1 failed"; exit 1; }

pg_env=$(bash scripts/pg-throwaway.sh start) || { echo "soak: 0 passed, 1 failed"; exit 1; }
eval "$pg_env"
cleanup() { bash scripts/pg-throwaway.sh stop "$JOURNEYLAB_TEST_PG_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# The load time plus set-up, settling and the checks (which grow with the events stored).
limit=$(python3 -c "import sys; s=float(sys.argv[1]); print(int(s + 120 + s / 2))" "$seconds")
timeout -k 10 "$limit" "$python" scripts/reliability/soak.py \
    --binary .build/debug/journeylab --database-url "$JOURNEYLAB_TEST_DATABASE_URL" "$@"
