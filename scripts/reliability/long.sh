#!/usr/bin/env bash
# Long reliability check (standalone, not in CI): 30 server kills and 5 database restarts under load, the
# 10-minute soak, and the long fuzz form (1,000 generated examples per operation and key). Same checks and
# output as quick.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
RELIABILITY_KILLS=${RELIABILITY_KILLS:-30} RELIABILITY_DB_RESTARTS=${RELIABILITY_DB_RESTARTS:-5} \
RELIABILITY_MAX_SECONDS=${RELIABILITY_MAX_SECONDS:-900} SOAK_SECONDS=${SOAK_SECONDS:-600} FUZZ_LONG=${FUZZ_LONG:-1} \
    exec bash scripts/reliability/quick.sh "$@"
