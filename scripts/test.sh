#!/usr/bin/env bash
# The test command: installs what is missing, starts a throwaway PostgreSQL (removed on exit, also on
# failure or Ctrl-C), builds, and runs every test. Exits non-zero on any failure.
#   scripts/test.sh                 all tests
#   scripts/test.sh --filter Stats  only matching tests (passed through to `swift test`)
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --no-build --with-test-tools

eval "$(bash scripts/pg-throwaway.sh start)"
cleanup() { bash scripts/pg-throwaway.sh stop "$JOURNEYLAB_TEST_PG_DIR"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "test: throwaway PostgreSQL at $JOURNEYLAB_TEST_PG_DIR (port $JOURNEYLAB_TEST_PG_PORT)" >&2
echo "test: building (a cold build takes several minutes)" >&2
if ! swift build --build-tests >.build-test.log 2>&1; then
    grep -E "error:" .build-test.log | head -40 >&2 || tail -40 .build-test.log >&2
    echo "test: the build failed (full log: .build-test.log)" >&2
    exit 1
fi
# Everything but the test that stops the shared cluster runs in parallel; that one runs alone after.
swift test --skip-build --skip clusterStopped "$@"
if [ $# -eq 0 ]; then
    echo "test: PostgreSQL stop/restart under a live server (alone, it stops the shared cluster)" >&2
    JOURNEYLAB_TEST_PG_OUTAGE=1 swift test --skip-build --filter clusterStopped
fi
if [ $# -eq 0 ]; then
    echo "test: reliability (server kills and a database restart under load, own throwaway cluster)" >&2
    bash scripts/reliability/quick.sh
fi
