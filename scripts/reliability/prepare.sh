# Shared set-up of the reliability scripts (source it): `reliability_prepare NAME` builds the debug binary if
# missing, sets `python` to the interpreter with the pinned packages of requirements.txt (installed once),
# starts a throwaway PostgreSQL (stopped on exit; JOURNEYLAB_TEST_DATABASE_URL …), and on any failure prints
# `NAME: 0 passed, 1 failed` and exits 1, so every script ends with the same summary line.
reliability_prepare() {
    local name=$1
    local failed="$name: 0 passed, 1 failed"
    if [ ! -x .build/debug/journeylab ]; then
        echo "$name: building journeylab (debug)" >&2
        swift build --product journeylab >.build-reliability.log 2>&1 \
            || { tail -40 .build-reliability.log >&2; echo "$failed"; exit 1; }
    fi
    python=${RELIABILITY_PYTHON:-$(bash scripts/reliability/python-deps.sh)} || { echo "$failed"; exit 1; }
    export RELIABILITY_PYTHON=$python
    local pg_env
    pg_env=$(bash scripts/pg-throwaway.sh start) || { echo "$failed"; exit 1; }
    eval "$pg_env"
    cleanup() { bash scripts/pg-throwaway.sh stop "$JOURNEYLAB_TEST_PG_DIR"; }
    trap cleanup EXIT
    trap 'exit 130' INT TERM
}
