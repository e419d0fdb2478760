#!/usr/bin/env bash
# Benchmark: new-deal enrollments/s and repeat lookups/s through Scheduler.assign (32 concurrent tasks, block
# method, 50 strata) against pgbench on the same throwaway PostgreSQL, in the same run:
#   - enrollments vs pgbench: a single-row `INSERT … ON CONFLICT DO NOTHING` into a copy of `deals`, 32 clients;
#   - repeat lookups vs pgbench: a primary-key SELECT, 32 clients.
# Usage: scripts/bench/assign.sh [DEALS] [SECONDS]     (env: CONCURRENCY=32 STRATA=50 BATCHES=2 LANES=2 POOL=4 PGBENCH_MODE=simple)
set -euo pipefail
cd "$(dirname "$0")/../.."

deals=${1:-60000}
seconds=${2:-10}
concurrency=${CONCURRENCY:-32}
strata=${STRATA:-50}
batches=${BATCHES:-2}
lanes=${LANES:-2}
pool=${POOL:-4}
mode=${PGBENCH_MODE:-simple}

if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release --product journeylab --scratch-path .build-bench >&2
fi
bin=$(swift build -c release --scratch-path .build-bench --show-bin-path)/journeylab

eval "$(bash scripts/pg-throwaway.sh start)"
trap 'bash scripts/pg-throwaway.sh stop "$JOURNEYLAB_TEST_PG_DIR"' EXIT
url="$JOURNEYLAB_TEST_DATABASE_URL"
psql_args=(-h "$JOURNEYLAB_TEST_PG_DIR/run" -p "$JOURNEYLAB_TEST_PG_PORT" -U postgres)

tool() {  # a PostgreSQL client program: next to the server binaries, else on PATH
    if [ -x "$JOURNEYLAB_TEST_PG_BIN/$1" ]; then echo "$JOURNEYLAB_TEST_PG_BIN/$1"; else command -v "$1"; fi
}
psql=$(tool psql)
pgbench=$(tool pgbench)

"$bin" db migrate --database-url "$url" >&2

work=$(mktemp -d)
"$psql" "${psql_args[@]}" -q -v ON_ERROR_STOP=1 postgres >&2 <<'SQL'
CREATE TABLE bench_deals (LIKE deals INCLUDING ALL);
CREATE TABLE bench_lookup (LIKE deals INCLUDING ALL);
INSERT INTO bench_lookup (deal_id, dealer_id) SELECT 'deal-' || i, 'dealer-' || (i % 50) FROM generate_series(1, 100000) i;
VACUUM ANALYZE bench_lookup;
SQL
cat >"$work/insert.sql" <<'SQL'
\set id random(1, 1000000000000)
INSERT INTO bench_deals (deal_id, dealer_id) VALUES ('p-' || :id, 'dealer-' || (:id % 50)) ON CONFLICT DO NOTHING;
SQL
cat >"$work/select.sql" <<'SQL'
\set id random(1, 100000)
SELECT deal_id, dealer_id, segment FROM bench_lookup WHERE deal_id = 'deal-' || :id;
SQL

pgbench_tps() {
    "$pgbench" "${psql_args[@]}" -n -M "$mode" -c "$concurrency" -j 2 -T "$2" -f "$1" postgres 2>/dev/null \
        | awk '/^tps = / { print $3; exit }'
}
# pgbench before and after the Swift run (half the time each), so load drifting on a shared machine
# weighs on both sides alike; the figure is the mean of the two rounds.
half=$(( (seconds + 1) / 2 ))
echo "pgbench round 1: single-row INSERT … ON CONFLICT DO NOTHING and primary-key SELECT, $concurrency clients, ${half}s each, -M $mode" >&2
insert1=$(pgbench_tps "$work/insert.sql" "$half")
select1=$(pgbench_tps "$work/select.sql" "$half")
echo "journeylab bench-assign: $deals new deals, then $((deals * 2)) repeat lookups, $concurrency tasks, $strata strata" >&2
swift_json=$("$bin" bench-assign --database-url "$url" --deals "$deals" --lookups $((deals * 2)) \
    --concurrency "$concurrency" --strata "$strata" --batches "$batches" --lanes "$lanes" --pool-size "$pool")
echo "$swift_json" >&2

echo "pgbench round 2" >&2
insert2=$(pgbench_tps "$work/insert.sql" "$half")
select2=$(pgbench_tps "$work/select.sql" "$half")
insert_tps=$(python3 -c "print(($insert1 + $insert2) / 2)")
select_tps=$(python3 -c "print(($select1 + $select2) / 2)")
echo "pgbench INSERT rounds: $insert1 $insert2; SELECT rounds: $select1 $select2" >&2
rm -rf "$work"

python3 - "$swift_json" "$insert_tps" "$select_tps" <<'PY'
import json, sys
swift = json.loads(sys.argv[1]); insert_tps = float(sys.argv[2]); select_tps = float(sys.argv[3])
enroll, lookup = swift["enrollments_per_s"], swift["lookups_per_s"]
print(f"new-deal enrollments: {enroll:10.0f}/s   pgbench INSERT: {insert_tps:10.0f}/s   ratio {enroll / insert_tps:.2f}x (target >= 1.0)")
print(f"repeat lookups:       {lookup:10.0f}/s   pgbench SELECT: {select_tps:10.0f}/s   ratio {lookup / select_tps:.2f}x (target >= 0.8)")
print(f"strata with slot gaps after the run: {swift['strata_with_gaps']}")
PY
