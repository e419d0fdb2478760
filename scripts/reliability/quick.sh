#!/usr/bin/env bash
# Quick reliability check (part of scripts/test.sh, ~4 minutes): the debug binary (built if missing), then
#  1. crash.py on a throwaway PostgreSQL: 3 server kills and 1 database restart under load,
#     ending with `reliability: N passed, M failed`;
#  2. soak.sh on its own throwaway PostgreSQL: 30 s of mixed load from 32 connections (SOAK_SECONDS; 0: skip),
#     ending with `soak: N passed, M failed`;
#  3. fuzz.sh on its own throwaway PostgreSQL: schemathesis and hostile input (plus a one-time pip install of
#     scripts/reliability/requirements.txt), ending with `fuzz: N passed, M failed`.
# Exits non-zero when any fails. Extra arguments go to crash.py; FUZZ_LONG=1 runs the long fuzz form.
set -euo pipefail
cd "$(dirname "$0")/../.."
KILLS=${RELIABILITY_KILLS:-3}
DB_RESTARTS=${RELIABILITY_DB_RESTARTS:-1}
MAX_SECONDS=${RELIABILITY_MAX_SECONDS:-60}
SOAK_SECONDS=${SOAK_SECONDS:-30}

# requests for crash.py and soak.py; schemathesis and psycopg for fuzz.sh (exported for both scripts).
source scripts/reliability/prepare.sh
reliability_prepare reliability

status=0
timeout -k 10 "$((MAX_SECONDS + 240))" "$python" scripts/reliability/crash.py \
    --binary .build/debug/journeylab --database-url "$JOURNEYLAB_TEST_DATABASE_URL" \
    --kills "$KILLS" --db-restarts "$DB_RESTARTS" --max-seconds "$MAX_SECONDS" "$@" || status=1
cleanup
trap - EXIT

if [ "$SOAK_SECONDS" != 0 ]; then
    bash scripts/reliability/soak.sh --seconds "$SOAK_SECONDS" || status=1
fi
bash scripts/reliability/fuzz.sh || status=1
exit "$status"
