#!/usr/bin/env bash
# Benchmark of the libpq client against PostgreSQL's own tools, side by side on one throwaway server:
#   1. single-row INSERT … ON CONFLICT DO NOTHING through PGPool.execute (two event loops, like pgbench's
#      two threads), 8 and 32 concurrent tasks, vs pgbench running the same statement with 8 and 32 clients;
#   2. COPY of 1M rows through PGConnection.copyIn vs `psql \copy` of the same file.
# Prints rates and ratios (ours / reference). Targets: ≥ 0.9× pgbench and ≥ 0.9× psql.
#   scripts/bench/pg.sh [SECONDS]   (default 10 s per insert workload and side, in three rounds)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}

source scripts/bench/common.sh
bench=$(bench_build PostgresBenchmark)
bench_cluster
bin=$JOURNEYLAB_TEST_PG_BIN
sock="$JOURNEYLAB_TEST_PG_DIR/run"
port=$JOURNEYLAB_TEST_PG_PORT
# No autovacuum on the benchmark tables: a vacuum started by one side's rows would run during the other's turn.
"${psql[@]}" -c "CREATE TABLE bench_kv (id int8 PRIMARY KEY, v text) WITH (autovacuum_enabled = off);
    CREATE TABLE bench_copy (id int8, name text, value float8) WITH (autovacuum_enabled = off)"

work=$(mktemp -d)
trap 'rm -rf "$work"; bash scripts/pg-throwaway.sh stop "$JOURNEYLAB_TEST_PG_DIR"' EXIT
cat >"$work/insert.sql" <<'SQL'
\set id random(1, 1000000000)
INSERT INTO bench_kv (id, v) VALUES (:id, 'x') ON CONFLICT DO NOTHING;
SQL

ratio() { python3 -c "print(f'{$1/$2:.2f}')"; }
pgbench_tps() {  # CLIENTS SECONDS
    "$bin/pgbench" -h "$sock" -p "$port" -U postgres -n -M prepared -c "$1" -j 2 -T "$2" -f "$work/insert.sql" postgres 2>/dev/null \
        | awk '/^tps = / {print int($3)}'
}
printf "%-44s %12s %12s %7s\n" "workload" "journeylab" "reference" "ratio"
# The two take turns, three rounds each of a third of the time, so drifting load on a shared machine and the
# growing table weigh on both sides alike; each figure is the mean of its three rounds.
round=$(( (seconds + 2) / 3 ))
for clients in 8 32; do
    ref=0; ours=0
    for _ in 1 2 3; do
        ref=$(( ref + $(pgbench_tps "$clients" "$round") ))
        ours=$(( ours + $("$bench" insert "$JOURNEYLAB_TEST_DATABASE_URL" "$clients" "$round") ))
    done
    ref=$(( ref / 3 )); ours=$(( ours / 3 ))
    printf "%-44s %10s/s %10s/s %6sx\n" "INSERT ON CONFLICT, $clients tasks vs pgbench -c $clients" "$ours" "$ref" "$(ratio "$ours" "$ref")"
done

python3 -c "
import random
random.seed(7)
with open('$work/rows.tsv', 'w') as f:
    for i in range(1_000_000):
        f.write(f'{i}\tdeal-{i}-{random.randint(0, 10**9)}\t{random.random()}\n')
"
# Three rounds each, taking turns; the table is emptied before each (untimed on both sides).
ref=0; ours=0
for _ in 1 2 3; do
    "${psql[@]}" -c "TRUNCATE bench_copy"
    start=$(date +%s.%N)
    "${psql[@]}" -c "\\copy bench_copy (id, name, value) FROM '$work/rows.tsv'"
    end=$(date +%s.%N)
    ref=$(( ref + $(python3 -c "print(int(1_000_000 / ($end - $start)))") ))
    ours=$(( ours + $("$bench" copy "$JOURNEYLAB_TEST_DATABASE_URL" "$work/rows.tsv") ))
done
ref=$(( ref / 3 )); ours=$(( ours / 3 ))
printf "%-44s %10s/s %10s/s %6sx\n" "COPY 1M rows (streamed) vs psql \\copy" "$ours" "$ref" "$(ratio "$ours" "$ref")"
ours=$("$bench" copy-rows "$JOURNEYLAB_TEST_DATABASE_URL" "$work/rows.tsv")
printf "%-44s %10s/s %10s/s %6sx\n" "COPY 1M rows (parsed, re-escaped) vs psql" "$ours" "$ref" "$(ratio "$ours" "$ref")"
