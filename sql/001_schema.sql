-- JourneyLab schema: the whole domain of DESIGN.md.
-- Integrity lives here, not only in Swift: keys, foreign keys, CHECKs, and the unique constraints that
-- make assignments and events idempotent. Deal-keyed tables carry deal_id in their primary key and
-- hypothesis tables hypothesis_key, so they can be distributed by those columns (Citus) later.

CREATE DOMAIN slug AS text CHECK (VALUE ~ '^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$');
CREATE DOMAIN metric_name AS text CHECK (VALUE ~ '^[a-z0-9_.-]{1,64}$');
CREATE DOMAIN external_id AS text CHECK (length(VALUE) BETWEEN 1 AND 128 AND VALUE !~ '[[:cntrl:]]');

-- Registry -----------------------------------------------------------------------------------------

CREATE TABLE segments (
    key         slug PRIMARY KEY,
    name        text NOT NULL CHECK (name <> ''),
    description text NOT NULL DEFAULT '',
    portrait    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(portrait) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE journeys (
    key         slug PRIMARY KEY,
    segment_key slug NOT NULL REFERENCES segments (key),
    name        text NOT NULL CHECK (name <> ''),
    description text NOT NULL DEFAULT '',
    source_file text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE stages (
    journey_key       slug NOT NULL REFERENCES journeys (key) ON DELETE CASCADE,
    key               slug NOT NULL,
    position          integer NOT NULL CHECK (position >= 0),
    name              text NOT NULL CHECK (name <> ''),
    customer_goals    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(customer_goals) = 'array'),
    customer_thoughts jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(customer_thoughts) = 'array'),
    customer_actions  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(customer_actions) = 'array'),
    brand_goals       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(brand_goals) = 'array'),
    touchpoints       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(touchpoints) = 'array'),
    experience        text CHECK (experience IN ('positive', 'neutral', 'negative')),
    experience_note   text NOT NULL DEFAULT '',
    PRIMARY KEY (journey_key, key),
    UNIQUE (journey_key, position) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE barriers (
    journey_key slug NOT NULL,
    stage_key   slug NOT NULL,
    key         slug NOT NULL,
    text        text NOT NULL CHECK (text <> ''),
    source      text NOT NULL CHECK (source IN ('interview', 'survey', 'forum', 'analytics')),
    severity    text NOT NULL DEFAULT 'medium' CHECK (severity IN ('low', 'medium', 'high')),
    position    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (journey_key, key),
    UNIQUE (journey_key, stage_key, key),
    FOREIGN KEY (journey_key, stage_key) REFERENCES stages (journey_key, key) ON DELETE CASCADE
);

CREATE TABLE recommendations (
    journey_key slug NOT NULL,
    stage_key   slug NOT NULL,
    barrier_key slug,                       -- NULL: advice for the stage as a whole
    key         slug NOT NULL,
    text        text NOT NULL CHECK (text <> ''),
    position    integer NOT NULL DEFAULT 0,
    PRIMARY KEY (journey_key, key),
    FOREIGN KEY (journey_key, stage_key) REFERENCES stages (journey_key, key) ON DELETE CASCADE,
    FOREIGN KEY (journey_key, stage_key, barrier_key) REFERENCES barriers (journey_key, stage_key, key) ON DELETE CASCADE
);

-- Hypotheses ---------------------------------------------------------------------------------------

CREATE TABLE hypotheses (
    key                slug PRIMARY KEY,
    journey_key        slug NOT NULL,
    stage_key          slug NOT NULL,
    barrier_key        slug,
    recommendation_key slug,
    title              text NOT NULL CHECK (title <> ''),
    status             text NOT NULL DEFAULT 'draft'
                       CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'ready', 'stopped', 'expired', 'concluded')),
    outcome            text CHECK (outcome IN ('adopted', 'rejected', 'inconclusive')),
    -- The analysis plan. Frozen (with its SHA-256) when the hypothesis starts; see the trigger below.
    metric             metric_name NOT NULL,
    target_deals       integer NOT NULL CHECK (target_deals >= 4),
    alpha              double precision NOT NULL CHECK (alpha > 0 AND alpha <= 0.5),
    power              double precision NOT NULL CHECK (power > 0.5 AND power < 1),
    baseline_rate      double precision CHECK (baseline_rate > 0 AND baseline_rate < 1),
    mde                double precision CHECK (mde > 0 AND mde < 1),
    min_days           integer NOT NULL CHECK (min_days >= 0),
    max_days           integer NOT NULL,
    randomization      text NOT NULL DEFAULT 'block' CHECK (randomization IN ('block', 'hash')),
    stratify           text NOT NULL DEFAULT 'dealer' CHECK (stratify IN ('dealer', 'segment', 'none')),
    looks              integer NOT NULL DEFAULT 1 CHECK (looks BETWEEN 1 AND 5),
    seed               bigint NOT NULL,
    segment_filter     text,
    exclusion_group    slug,
    plan_hash          text CHECK (plan_hash ~ '^[0-9a-f]{64}$'),
    start_at           timestamptz,
    started_at         timestamptz,
    ended_at           timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (min_days <= max_days),
    CHECK ((status = 'concluded') = (outcome IS NOT NULL)),
    CHECK (status IN ('draft', 'scheduled') OR (plan_hash IS NOT NULL AND started_at IS NOT NULL)),
    FOREIGN KEY (journey_key, stage_key) REFERENCES stages (journey_key, key),
    FOREIGN KEY (journey_key, stage_key, barrier_key) REFERENCES barriers (journey_key, stage_key, key),
    FOREIGN KEY (journey_key, recommendation_key) REFERENCES recommendations (journey_key, key)
);
CREATE INDEX hypotheses_by_stage ON hypotheses (journey_key, stage_key) WHERE status = 'running';

CREATE TABLE arms (
    hypothesis_key slug NOT NULL REFERENCES hypotheses (key) ON DELETE CASCADE,
    name           slug NOT NULL,
    position       integer NOT NULL CHECK (position >= 0),
    weight         integer NOT NULL CHECK (weight BETWEEN 1 AND 100),
    is_control     boolean NOT NULL,
    PRIMARY KEY (hypothesis_key, name),
    UNIQUE (hypothesis_key, position)
);
CREATE UNIQUE INDEX arms_one_control ON arms (hypothesis_key) WHERE is_control;

-- A started hypothesis's plan cannot change: the database refuses, whatever the client.
CREATE FUNCTION refuse_frozen_plan_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.plan_hash IS NOT NULL AND (
        NEW.metric, NEW.target_deals, NEW.alpha, NEW.power, NEW.baseline_rate, NEW.mde, NEW.min_days,
        NEW.max_days, NEW.randomization, NEW.stratify, NEW.looks, NEW.seed, NEW.segment_filter,
        NEW.exclusion_group, NEW.plan_hash
    ) IS DISTINCT FROM (
        OLD.metric, OLD.target_deals, OLD.alpha, OLD.power, OLD.baseline_rate, OLD.mde, OLD.min_days,
        OLD.max_days, OLD.randomization, OLD.stratify, OLD.looks, OLD.seed, OLD.segment_filter,
        OLD.exclusion_group, OLD.plan_hash
    ) THEN
        RAISE EXCEPTION 'the plan of hypothesis % is frozen since it started', OLD.key
            USING ERRCODE = 'check_violation', CONSTRAINT = 'frozen_plan';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER hypotheses_frozen_plan BEFORE UPDATE ON hypotheses
    FOR EACH ROW EXECUTE FUNCTION refuse_frozen_plan_change();

CREATE FUNCTION refuse_frozen_arm_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    frozen boolean;
BEGIN
    SELECT plan_hash IS NOT NULL INTO frozen FROM hypotheses
     WHERE key = COALESCE(NEW.hypothesis_key, OLD.hypothesis_key);
    IF frozen THEN
        RAISE EXCEPTION 'the arms of hypothesis % are frozen since it started', COALESCE(NEW.hypothesis_key, OLD.hypothesis_key)
            USING ERRCODE = 'check_violation', CONSTRAINT = 'frozen_plan';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER arms_frozen_plan BEFORE INSERT OR UPDATE OR DELETE ON arms
    FOR EACH ROW EXECUTE FUNCTION refuse_frozen_arm_change();

-- Deals, assignments, events -------------------------------------------------------------------------

CREATE TABLE deals (
    deal_id     external_id PRIMARY KEY,
    dealer_id   external_id NOT NULL,
    segment     text CHECK (segment IS NULL OR length(segment) BETWEEN 1 AND 128),
    first_stage slug,
    attributes  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deals_by_dealer ON deals (dealer_id);

-- Block randomization: the next unused slot of each stratum's sequence. The row lock taken by
-- `UPDATE … RETURNING` hands every slot to exactly one deal, however many requests race.
CREATE TABLE randomization_cursors (
    hypothesis_key slug NOT NULL REFERENCES hypotheses (key) ON DELETE CASCADE,
    stratum        text NOT NULL,
    next_slot      integer NOT NULL DEFAULT 0 CHECK (next_slot >= 0),
    PRIMARY KEY (hypothesis_key, stratum)
);

CREATE TABLE assignments (
    deal_id        external_id NOT NULL REFERENCES deals (deal_id),
    hypothesis_key slug NOT NULL,
    arm            slug NOT NULL,
    stratum        text NOT NULL,
    slot           integer CHECK (slot >= 0),          -- position in the stratum's sequence (block method)
    assigned_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (deal_id, hypothesis_key),              -- one arm per (deal, hypothesis), forever
    UNIQUE (hypothesis_key, stratum, slot),             -- every slot used at most once
    FOREIGN KEY (hypothesis_key, arm) REFERENCES arms (hypothesis_key, name)
);
CREATE INDEX assignments_by_hypothesis ON assignments (hypothesis_key, arm);

-- Hypotheses sharing an exclusion group never share a deal.
CREATE TABLE exclusion_claims (
    exclusion_group slug NOT NULL,
    deal_id         external_id NOT NULL REFERENCES deals (deal_id),
    hypothesis_key  slug NOT NULL REFERENCES hypotheses (key),
    PRIMARY KEY (deal_id, exclusion_group)
);

CREATE TABLE events (
    deal_id         external_id NOT NULL REFERENCES deals (deal_id),
    idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    event_id        external_id,
    type            metric_name NOT NULL,
    stage           slug,
    value           numeric(16, 2) CHECK (value IS NULL OR value BETWEEN -1e13 AND 1e13),
    occurred_at     timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    payload_hash    text NOT NULL,        -- a repeat with the same key but another payload is a conflict
    enrolled        boolean NOT NULL,     -- false: the deal was in no hypothesis when the event arrived
    source          text NOT NULL DEFAULT 'api',
    PRIMARY KEY (deal_id, idempotency_key),
    CHECK (type <> 'stage_reached' OR stage IS NOT NULL)
);
CREATE INDEX events_by_type ON events (type, deal_id);

-- Access and audit -----------------------------------------------------------------------------------

CREATE TABLE api_keys (
    id          text PRIMARY KEY CHECK (id ~ '^key_[a-z0-9]{8,32}$'),
    name        text NOT NULL CHECK (name <> ''),
    role        text NOT NULL CHECK (role IN ('dealer', 'analyst', 'admin')),
    dealer_id   external_id,
    secret_hash text NOT NULL UNIQUE CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    CHECK ((role = 'dealer') = (dealer_id IS NOT NULL))
);

CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text NOT NULL CHECK (actor <> ''),
    action      text NOT NULL CHECK (action <> ''),
    entity_type text NOT NULL CHECK (entity_type IN ('journey', 'hypothesis', 'api_key', 'deal')),
    entity_key  text NOT NULL,
    before      jsonb,
    after       jsonb
);
CREATE INDEX audit_by_entity ON audit_log (entity_type, entity_key, id);

-- Append-only: history cannot be rewritten, whatever the client.
CREATE FUNCTION refuse_audit_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_rewrite();
