-- A deal closes once: its first `closed_won` or `closed_lost` stands, and a later close under another
-- idempotency key is refused (HTTP 409, a bad row in a CSV import) instead of being stored beside it, where
-- a deal could count as both won and lost. The API and the importer check this first to name the event;
-- this index is what holds when two batches close one deal at the same moment.
DO $$
DECLARE
    doubled bigint;
BEGIN
    SELECT count(*) INTO doubled FROM (
        SELECT deal_id FROM events WHERE type IN ('closed_won', 'closed_lost')
         GROUP BY deal_id HAVING count(*) > 1) d;
    IF doubled > 0 THEN
        RAISE EXCEPTION '% deals hold more than one closed_won/closed_lost event, and a deal closes once: keep the first '
                        'close of each (SELECT deal_id FROM events WHERE type IN (''closed_won'', ''closed_lost'') '
                        'GROUP BY deal_id HAVING count(*) > 1 lists them), back up and delete the others, then run '
                        'journeylab db migrate again', doubled;
    END IF;
END
$$;

CREATE UNIQUE INDEX events_one_close_per_deal ON events (deal_id) WHERE type IN ('closed_won', 'closed_lost');
