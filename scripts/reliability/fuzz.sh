#!/usr/bin/env bash
# Bad input against the HTTP API (part of quick.sh, so of scripts/test.sh): a throwaway PostgreSQL, the debug
# binary (built if missing), schemathesis from the served openapi.yaml with a dealer, an analyst and an admin
# key, then hand-written hostile requests (fuzz.py, fuzz_hooks.py, hostile.py). Loopback only.
#   scripts/reliability/fuzz.sh            quick form (~1–2 minutes)
#   scripts/reliability/fuzz.sh --long     many more generated examples (FUZZ_LONG=1 does the same)
# Extra arguments go to fuzz.py (--seed N, --examples N). Ends with `fuzz: N passed, M failed`; exits
# non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
args=("$@")
[ "${FUZZ_LONG:-0}" = 1 ] && args+=(--long)
long=no
for argument in "${args[@]+"${args[@]}"}"; do [ "$argument" = --long ] && long=yes; done

source scripts/reliability/prepare.sh
reliability_prepare fuzz

limit=$([ "$long" = yes ] && echo 7200 || echo 600)
timeout -k 10 "$limit" "$python" scripts/reliability/fuzz.py \
    --binary .build/debug/journeylab --database-url "$JOURNEYLAB_TEST_DATABASE_URL" "${args[@]+"${args[@]}"}"
