#!/usr/bin/env bash
# Report benchmark: 1,000 running hypotheses with 150–300 resolved deals each, 10 dealers, ~1M events;
# the JSON report of all of them as one whole `journeylab report` process (target < 3 s), with the SQL,
# statistics and rendering shares printed separately.
#   scripts/bench/report.sh [HYPOTHESES]
set -euo pipefail
cd "$(dirname "$0")/../.."
hypotheses=${1:-1000}

source scripts/bench/common.sh
journeylab=$(bench_build journeylab)
bench_cluster
url=$JOURNEYLAB_TEST_DATABASE_URL
JOURNEYLAB_SQL_DIR=$PWD/sql "$journeylab" db migrate --database-url "$url" >/dev/null

echo "report bench: generating $hypotheses hypotheses with their deals and events…" >&2
"${psql[@]}" <<SQL
INSERT INTO segments (key, name) VALUES ('family-men-30', 'Family men 30+');
INSERT INTO journeys (key, segment_key, name) VALUES ('car-brand-x', 'family-men-30', 'Car brand X');
INSERT INTO stages (journey_key, key, position, name) VALUES ('car-brand-x', 'first-visit', 0, 'First visit');
INSERT INTO hypotheses (key, journey_key, stage_key, title, metric, target_deals, alpha, power, mde, min_days, max_days, seed)
SELECT 'h-' || g, 'car-brand-x', 'first-visit', 'Hypothesis ' || g, 'addon_purchased', 150, 0.05, 0.8, 0.15, 0, 180, g
  FROM generate_series(1, $hypotheses) g;
INSERT INTO arms (hypothesis_key, name, position, weight, is_control)
SELECT 'h-' || g, a.name, a.position, 1, a.position = 0
  FROM generate_series(1, $hypotheses) g, (VALUES ('control', 0), ('treatment', 1)) a(name, position);
UPDATE hypotheses SET status = 'running', plan_hash = repeat('a', 64), started_at = now() - interval '150 days';
-- 150–300 deals per hypothesis, 10 dealers, every deal resolved.
INSERT INTO deals (deal_id, dealer_id)
SELECT 'h-' || g || '-d-' || d, 'dealer-' || (d % 10)
  FROM generate_series(1, $hypotheses) g, generate_series(1, 150 + (g * 7919) % 151) d;
INSERT INTO assignments (deal_id, hypothesis_key, arm, stratum, slot)
SELECT deal_id, split_part(deal_id, '-d-', 1), CASE WHEN split_part(deal_id, '-d-', 2)::int % 2 = 0 THEN 'control' ELSE 'treatment' END,
       dealer_id, split_part(deal_id, '-d-', 2)::int
  FROM deals;
-- ~4–5 events per deal: three stages reached, the close, and for some the metric (twice for a few).
INSERT INTO events (deal_id, idempotency_key, type, stage, value, occurred_at, payload_hash, enrolled)
SELECT deal_id, 'auto:stage_reached:' || s, 'stage_reached', s, NULL, now() - interval '1 day' * (hashtext(deal_id) % 140 + 140), 'x', true
  FROM deals, (VALUES ('first-visit'), ('book-test-drive'), ('sign-deal')) st(s);
INSERT INTO events (deal_id, idempotency_key, type, occurred_at, payload_hash, enrolled)
SELECT deal_id, 'close', CASE WHEN hashtext(deal_id || 'w') % 10 < 7 THEN 'closed_won' ELSE 'closed_lost' END,
       now() - interval '1 day' * (abs(hashtext(deal_id)) % 140), 'x', true
  FROM deals;
INSERT INTO events (deal_id, idempotency_key, type, value, occurred_at, payload_hash, enrolled)
SELECT deal_id, 'addon-' || n, 'addon_purchased', 25000, now() - interval '1 day' * (abs(hashtext(deal_id)) % 140), 'x', true
  FROM deals, generate_series(1, 2) n
 WHERE abs(hashtext(deal_id || n)) % 100 < CASE WHEN split_part(deal_id, '-d-', 2)::int % 2 = 0 THEN 20 ELSE 28 END;
ANALYZE;
SQL
counts=$("${psql[@]}" -At -c "SELECT (SELECT count(*) FROM hypotheses) || ' hypotheses, ' || (SELECT count(*) FROM deals) || ' deals, ' || (SELECT count(*) FROM events) || ' events'")
echo "report bench: $counts" >&2

start=$(date +%s.%N)
JOURNEYLAB_SQL_DIR=$PWD/sql "$journeylab" report --database-url "$url" --format json --timings >/dev/null 2>"${TMPDIR:-/tmp}/jl-report-timings.txt"
end=$(date +%s.%N)
echo "report of $counts as one process: $(python3 -c "print(f'{$end - $start:.2f}')") s (target < 3 s)"
cat "${TMPDIR:-/tmp}/jl-report-timings.txt"
