#!/usr/bin/env bash
# Long crash and database-restart check (standalone, not in CI): 30 server kills and 5 database restarts
# under load, then the 10-minute soak. Same checks and output as quick.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
RELIABILITY_KILLS=${RELIABILITY_KILLS:-30} RELIABILITY_DB_RESTARTS=${RELIABILITY_DB_RESTARTS:-5} \
RELIABILITY_MAX_SECONDS=${RELIABILITY_MAX_SECONDS:-900} SOAK_SECONDS=${SOAK_SECONDS:-600} exec bash scripts/reliability/quick.sh "$@"
