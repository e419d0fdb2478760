# Shared by the benchmarks (source it): set-up, one release build folder, one throwaway PostgreSQL.
#   bench_build PRODUCT      → builds PRODUCT in release into .build-bench and prints the binary's path
#   bench_cluster            → starts a throwaway cluster (stopped on exit) and sets `psql` to an array
#                              that runs psql against it as the superuser

bench_build() {
    local log="${TMPDIR:-/tmp}/jl-bench-build.log"
    swift build -c release --product "$1" --scratch-path .build-bench >"$log" 2>&1 || { tail -30 "$log" >&2; exit 1; }
    echo ".build-bench/release/$1"
}

bench_cluster() {
    eval "$(bash scripts/pg-throwaway.sh start)"
    trap 'bash scripts/pg-throwaway.sh stop "$JOURNEYLAB_TEST_PG_DIR"' EXIT
    psql=("$JOURNEYLAB_TEST_PG_BIN/psql" -h "$JOURNEYLAB_TEST_PG_DIR/run" -p "$JOURNEYLAB_TEST_PG_PORT" -U postgres -d postgres
        -q -v ON_ERROR_STOP=1)
}

bash scripts/setup.sh --no-build
