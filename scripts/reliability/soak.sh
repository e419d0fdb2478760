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

source scripts/reliability/prepare.sh
reliability_prepare soak

# The load time plus set-up, settling and the checks (which grow with the events stored).
limit=$(python3 -c "import sys; s=float(sys.argv[1]); print(int(s + 120 + s / 2))" "$seconds")
timeout -k 10 "$limit" "$python" scripts/reliability/soak.py \
    --binary .build/debug/journeylab --database-url "$JOURNEYLAB_TEST_DATABASE_URL" "$@"
