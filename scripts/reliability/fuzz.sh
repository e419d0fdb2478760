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

if [ ! -x .build/debug/journeylab ]; then
    echo "fuzz: building journeylab (debug)" >&2
    swift build --product journeylab >.build-reliability.log 2>&1 \
        || { tail -40 .build-reliability.log >&2; echo "fuzz: 0 passed, 1 failed"; exit 1; }
fi

# Python packages, pinned; installed only when an import fails (or a pinned version differs).
requirements=scripts/reliability/requirements.txt
python=python3
have_packages() {
    "$1" - "$requirements" <<'PY' 2>/dev/null
import importlib.metadata as md, re, sys
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name, version = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", line).groups()
    if md.version(name) != version:
        sys.exit(1)
import requests, schemathesis, psycopg, yaml  # noqa: F401
PY
}
if ! have_packages "$python"; then
    venv=.build/reliability-venv
    if [ -x "$venv/bin/python" ] && have_packages "$venv/bin/python"; then
        python=$venv/bin/python
    else
        echo "fuzz: installing $(grep -cv '^#' "$requirements") Python packages from $requirements" >&2
        if ! python3 -m pip install -q --disable-pip-version-check -r "$requirements" >.build-fuzz-pip.log 2>&1; then
            # An externally managed Python (PEP 668) refuses: use a virtual environment under .build instead.
            python3 -m venv "$venv" >>.build-fuzz-pip.log 2>&1 \
                && "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" >>.build-fuzz-pip.log 2>&1 \
                || { tail -20 .build-fuzz-pip.log >&2; echo "fuzz: 0 passed, 1 failed"; exit 1; }
            python=$venv/bin/python
        fi
    fi
fi

pg_env=$(bash scripts/pg-throwaway.sh start) || { echo "fuzz: 0 passed, 1 failed"; exit 1; }
eval "$pg_env"
cleanup() { bash scripts/pg-throwaway.sh stop "$JOURNEYLAB_TEST_PG_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

limit=$([ "$long" = yes ] && echo 7200 || echo 600)
timeout -k 10 "$limit" "$python" scripts/reliability/fuzz.py \
    --binary .build/debug/journeylab --database-url "$JOURNEYLAB_TEST_DATABASE_URL" "${args[@]+"${args[@]}"}"
