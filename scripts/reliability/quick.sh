#!/usr/bin/env bash
# Quick crash and database-restart check (part of scripts/test.sh, under ~3 minutes): a throwaway
# PostgreSQL, the debug binary (built if missing), 3 server kills and 1 database restart under load; then
# the 30-second soak (soak.sh, its own throwaway PostgreSQL, same binary).
# Ends with `reliability: N passed, M failed` and `soak: N passed, M failed`; exits non-zero on any
# violation. Extra arguments go to crash.py; SOAK_SECONDS sets the soak's length (0: no soak).
set -euo pipefail
cd "$(dirname "$0")/../.."
KILLS=${RELIABILITY_KILLS:-3}
DB_RESTARTS=${RELIABILITY_DB_RESTARTS:-1}
MAX_SECONDS=${RELIABILITY_MAX_SECONDS:-60}
SOAK_SECONDS=${SOAK_SECONDS:-30}

if [ ! -x .build/debug/journeylab ]; then
    echo "reliability: building journeylab (debug)" >&2
    swift build --product journeylab >.build-reliability.log 2>&1 \
        || { tail -40 .build-reliability.log >&2; echo "reliability: 0 passed, 1 failed"; exit 1; }
fi

pg_env=$(bash scripts/pg-throwaway.sh start) || { echo "reliability: 0 passed, 1 failed"; exit 1; }
eval "$pg_env"
cleanup() { bash scripts/pg-throwaway.sh stop "$JOURNEYLAB_TEST_PG_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

status=0
timeout -k 10 "$((MAX_SECONDS + 240))" python3 scripts/reliability/crash.py \
    --binary .build/debug/journeylab --database-url "$JOURNEYLAB_TEST_DATABASE_URL" \
    --kills "$KILLS" --db-restarts "$DB_RESTARTS" --max-seconds "$MAX_SECONDS" "$@" || status=1
cleanup
trap - EXIT

if [ "$SOAK_SECONDS" != 0 ]; then
    bash scripts/reliability/soak.sh --seconds "$SOAK_SECONDS" || status=1
fi
exit "$status"
