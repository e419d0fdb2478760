#!/usr/bin/env bash
# API benchmark (issue 6): wrk on loopback against `journeylab serve`, compared with pgbench and psql \copy
# on the same throwaway cluster in the same run. Bounded: DURATION seconds per phase (default 15).
#   scripts/bench/api.sh            # builds release once, starts a throwaway cluster, prints figures and ratios
#   DURABLE=0 scripts/bench/api.sh    # on a cluster with fsync off (default: PostgreSQL's durable settings)
#   BREAKDOWN=1 scripts/bench/api.sh  # then also where an assignment's CPU goes: /healthz, a request refused
#                                     # after auth and JSON (400), one reaching the scheduler's lookup only
# Needs: wrk (installed from apt when missing), pgbench and psql (postgresql), python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
DEALERS=${DEALERS:-1}  # new deals spread over this many dealers (1: one dealer's CRM, the worst case for its stratum)
if ! command -v wrk >/dev/null; then
    echo "bench: installing wrk" >&2
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wrk >/dev/null
fi

# DURABLE=1 (default): the cluster keeps PostgreSQL's durable defaults (fsync, synchronous_commit), as the
# embedded database and any production server run: an acknowledged write survives a crash, for pgbench and for
# the API alike. DURABLE=0: fsync off, as in the tests — what is left is CPU alone.
export JOURNEYLAB_PG_DURABLE=${DURABLE:-1}
echo "== cluster: $([ "$JOURNEYLAB_PG_DURABLE" = 1 ] && echo "durable (fsync on, synchronous_commit on)" || echo "fsync off, synchronous_commit off")" >&2
eval "$(bash scripts/pg-throwaway.sh start)"
work=$(mktemp -d /tmp/jl-bench.XXXXXX)
server_pid=""
cleanup() {
    [ -z "$server_pid" ] || kill -TERM "$server_pid" 2>/dev/null || true
    [ -z "$server_pid" ] || wait "$server_pid" 2>/dev/null || true
    bash scripts/pg-throwaway.sh stop "$JOURNEYLAB_TEST_PG_DIR" || true
    rm -rf "$work"
}
trap cleanup EXIT

swift build -c release --product journeylab --scratch-path .build-bench >&2
bin=$(swift build -c release --scratch-path .build-bench --show-bin-path)/journeylab
url="$JOURNEYLAB_TEST_DATABASE_URL"
psql "$url" -qc "CREATE DATABASE bench" >/dev/null
db="${url/dbname=postgres/dbname=bench}"
"$bin" db migrate --database-url "$db" >&2

# A running hypothesis for assignments, keys, and 10,000 deals for events.
psql "$db" -q <<'SQL'
INSERT INTO segments (key, name) VALUES ('family-men-30', 'Family men 30+');
INSERT INTO journeys (key, segment_key, name) VALUES ('car-x', 'family-men-30', 'Car X');
INSERT INTO stages (journey_key, key, position, name) VALUES ('car-x', 'first-visit', 0, 'First visit');
INSERT INTO hypotheses (key, journey_key, stage_key, title, metric, target_deals, alpha, power, min_days, max_days, seed)
VALUES ('h-bench', 'car-x', 'first-visit', 'Bench', 'addon_purchased', 150, 0.05, 0.8, 0, 180, 7);
INSERT INTO arms VALUES ('h-bench', 'control', 0, 1, true), ('h-bench', 'treatment', 1, 1, false);
UPDATE hypotheses SET status = 'running', plan_hash = repeat('b', 64), started_at = now() WHERE key = 'h-bench';
INSERT INTO deals (deal_id, dealer_id) SELECT 'ev-deal-' || g, 'dealer-1' FROM generate_series(0, 9999) g;
CREATE TABLE pgbench_target (deal_id text PRIMARY KEY, dealer_id text NOT NULL, created_at timestamptz DEFAULT now());
SQL
secret=$("$bin" key create --role admin --name bench --format json --database-url "$db" | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
JOURNEYLAB_LOG_LEVEL=warning "$bin" serve --database-url "$db" --port "$port" --pool-size 32 --key-cache-seconds 5 &
server_pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done

cat > "$work/assign.lua" <<LUA
local counter = 0
local thread_id = 0
setup = function(thread) thread:set("tid", thread_id); thread_id = thread_id + 1 end
request = function()
  counter = counter + 1
  -- PREFIX and STAGE (environment) let the breakdown send fresh deals, or stages that stop earlier.
  local body = string.format('{"deal_id":"%s-%d-%d","dealer_id":"dealer-%d","stage":"%s"}',
    os.getenv("PREFIX") or "bench", tid, counter, 1 + counter % $DEALERS, os.getenv("STAGE") or "first-visit")
  return wrk.format("POST", "/v1/assignments", {["Content-Type"]="application/json", ["Authorization"]="Bearer $secret"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA
cat > "$work/events.lua" <<LUA
local counter = 0
local thread_id = 0
setup = function(thread) thread:set("tid", thread_id); thread_id = thread_id + 1 end
request = function()
  counter = counter + 1
  local parts = {}
  for i = 1, 100 do
    parts[i] = string.format('{"event_id":"e-%d-%d-%d","deal_id":"ev-deal-%d","type":"addon_purchased","value":%d.5}',
      tid, counter, i, (counter * 100 + i) % 10000, i)
  end
  local body = '{"events":[' .. table.concat(parts, ",") .. ']}'
  return wrk.format("POST", "/v1/events", {["Content-Type"]="application/json", ["Authorization"]="Bearer $secret"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

rss_peak=0
watch_rss() { while kill -0 "$server_pid" 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$server_pid/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -le "$rss_peak" ] || { rss_peak=$rss; echo "$rss_peak" > "$work/rss"; }
    sleep 0.5; done; }
watch_rss & watcher=$!

# CPU ticks of the server, of the cluster's processes (postmaster and its children) and of the whole machine
# (busy, idle), before and after a wrk phase: where a request's CPU goes, per process (wrk's share is what the
# machine spent beyond both) and how much stayed idle, in µs per request.
cpu_ticks() { awk '{s += $14 + $15} END {print s + 0}' "$@" 2>/dev/null || echo 0; }
snapshot() {
    local postmaster; postmaster=$(head -1 "$JOURNEYLAB_TEST_PGDATA/postmaster.pid")
    echo "$(cpu_ticks "/proc/$server_pid/stat")" \
        "$(cpu_ticks "/proc/$postmaster/stat" $(pgrep -P "$postmaster" | sed 's|.*|/proc/&/stat|'))" \
        "$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6}' /proc/stat)"
}
# measure SCRIPT [wrk options…] → wrk's RESULT line plus server=… postgres=… rest=… idle=… (µs per request)
measure() {
    local script=$1 before result; shift
    before=$(snapshot)
    result=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" "$@" -s "$script" "http://127.0.0.1:$port" | grep RESULT)
    python3 - "$result" "$before" "$(snapshot)" "$DURATION" "$(getconf CLK_TCK)" <<'PY'
import sys
result, before, after, duration, hz = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), float(sys.argv[4]), float(sys.argv[5])
requests = float(result.split("rps=")[1].split()[0]) * duration
server, postgres, busy, idle = ((float(a) - float(b)) / hz * 1e6 / requests for a, b in zip(after, before))
print(f"{result} server={server:.0f} postgres={postgres:.0f} rest={busy - server - postgres:.0f} idle={idle:.0f}")
PY
}

echo "== POST /v1/assignments, $CONNECTIONS connections, ${DURATION}s" >&2
assign=$(measure "$work/assign.lua" --latency)
echo "== pgbench single-row INSERT, $CONNECTIONS clients, ${DURATION}s" >&2
cat > "$work/insert.sql" <<'SQL'
INSERT INTO pgbench_target (deal_id, dealer_id) VALUES (md5(random()::text || clock_timestamp()::text), 'dealer-1');
SQL
pgb=$(pgbench -n -c "$CONNECTIONS" -j "$THREADS" -T "$DURATION" -f "$work/insert.sql" "$db" 2>/dev/null | awk '/^tps/ {print $3; exit}')
echo "== POST /v1/events, 100 events per request, ${DURATION}s" >&2
events=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$work/events.lua" "http://127.0.0.1:$port" | grep RESULT)
echo "== psql \\copy of the same kind of events" >&2
python3 - "$work/events.tsv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(500000):
        f.write(f"ev-deal-{i % 10000}\tid:copy-{i}\tcopy-{i}\taddon_purchased\t\\N\t{i % 100}.5\t2025-01-01 00:00:00+00\tx\tf\tcsv\n")
PY
start=$(date +%s.%N)
psql "$db" -qc "\\copy events (deal_id, idempotency_key, event_id, type, stage, value, occurred_at, payload_hash, enrolled, source) FROM '$work/events.tsv'"
copy_eps=$(python3 -c "import time; print(500000 / ($(date +%s.%N) - $start))")
kill "$watcher" 2>/dev/null || true

python3 - "$assign" "$pgb" "$events" "$copy_eps" "$(cat "$work/rss" 2>/dev/null || echo 0)" <<'PY'
import sys
def parse(line): return {k: float(v) for k, v in (p.split("=") for p in line.split()[1:])}
a, pgb, e, copy_eps, rss_kb = parse(sys.argv[1]), float(sys.argv[2]), parse(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
eps = e["rps"] * 100
print(f"assignments: {a['rps']:.0f} req/s  p50 {a['p50_ms']:.2f} ms  p99 {a['p99_ms']:.2f} ms  non-2xx {int(a['non2xx'])}  errors {int(a['errors'])}")
print(f"pgbench single-row INSERT: {pgb:.0f} tps  → ratio {a['rps'] / pgb:.2f}x (target ≥ 1.0x, p99 < 20 ms, zero non-2xx)")
print(f"  CPU per assignment: server {a['server']:.0f} µs, PostgreSQL {a['postgres']:.0f} µs, wrk and the rest {a['rest']:.0f} µs; idle {a['idle']:.0f} µs")
print(f"events: {eps:.0f} events/s ({e['rps']:.0f} req/s)  p99 {e['p99_ms']:.2f} ms  non-2xx {int(e['non2xx'])}")
print(f"psql \\copy: {copy_eps:.0f} events/s  → ratio {eps / copy_eps:.2f}x (target ≥ 0.5x)")
print(f"server peak RSS: {rss_kb / 1024:.1f} MB (target < 100 MB)")
PY

if [ -n "${BREAKDOWN:-}" ]; then
    # The same server, one phase each; the difference between neighbours is what that step adds per request.
    sed 's|return wrk.format("POST".*|return wrk.format("GET", "/healthz")|' "$work/assign.lua" > "$work/healthz.lua"
    echo "== breakdown: /healthz, a refused assignment, a stage without hypotheses, new deals; ${DURATION}s each" >&2
    healthz=$(measure "$work/healthz.lua")
    refused=$(STAGE='Bad!' measure "$work/assign.lua")
    lookup=$(STAGE=nowhere measure "$work/assign.lua")
    fresh=$(PREFIX="breakdown-$$" measure "$work/assign.lua")
    python3 - "$pgb" "$healthz" "$refused" "$lookup" "$fresh" <<'PY'
import sys
pgb = float(sys.argv.pop(1))
def parse(line): return {k: float(v) for k, v in (p.split("=") for p in line.split()[1:])}
names = ["GET /healthz", "assignment refused after auth + JSON (400)", "stage without hypotheses (scheduler lookup)",
         "new deal (enrollment)"]
print(f"{'':46s} {'req/s':>8s} {'÷ pgbench':>9s}   µs per request: {'server':>6s} {'PostgreSQL':>10s} {'wrk':>5s} {'idle':>5s}")
for name, line in zip(names, sys.argv[1:]):
    r = parse(line)
    print(f"{name:46s} {r['rps']:8.0f} {r['rps'] / pgb:8.2f}x   {'':15s} {r['server']:6.0f} {r['postgres']:10.0f} {r['rest']:5.0f} {r['idle']:5.0f}"
          f"  non-2xx {int(r['non2xx'])}")
PY
fi
