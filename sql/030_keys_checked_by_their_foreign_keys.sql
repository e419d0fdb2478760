-- Columns that reference another table's key need no check of their own: the foreign key already admits
-- only values stored there, where the domain (external_id, slug) checked them. Checking again cost ~5 µs per
-- row on the hottest writes (an enrollment's assignment, every event). The constraints that matter — the
-- foreign keys, primary keys and unique slots — stay. Domain and base type are binary compatible: no table
-- rewrite, indexes kept.
ALTER TABLE assignments
    ALTER COLUMN deal_id TYPE text,
    ALTER COLUMN hypothesis_key TYPE text,
    ALTER COLUMN arm TYPE text;

ALTER TABLE exclusion_claims
    ALTER COLUMN deal_id TYPE text,
    ALTER COLUMN hypothesis_key TYPE text;

ALTER TABLE events ALTER COLUMN deal_id TYPE text;
