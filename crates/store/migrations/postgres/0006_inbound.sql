-- Inbound: capture forms and every submission (refused ones kept so nothing is lost), the per-IP
-- form throttle, scoring rules and events, routing rules, rep settings and the round-robin state,
-- routing decisions, SLA clocks, in-app notifications and hand-offs.
-- Instants are TIMESTAMPTZ; ids are UUIDs; JSON is JSONB.

CREATE TABLE inbound_forms (
    slug        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    behaviour   TEXT NOT NULL,
    source      TEXT NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE
);
INSERT INTO inbound_forms (slug, name, behaviour, source, active) VALUES
    ('contact-us', 'Contact us', 'contact_us', 'web_contact_us', TRUE),
    ('trial', 'Free trial', 'trial', 'web_trial', TRUE),
    ('webcast', 'Webcast registration', 'webcast', 'webcast', TRUE),
    ('gated-content', 'Gated content download', 'gated_content', 'content', TRUE),
    ('newsletter', 'Newsletter sign-up', 'form', 'web_form', TRUE);

CREATE TABLE inbound_submissions (
    id              UUID PRIMARY KEY,
    form_slug       TEXT NOT NULL,
    ip              TEXT,
    payload         JSONB NOT NULL,
    utm             JSONB NOT NULL DEFAULT '{}',
    person_id       UUID,
    outcome         TEXT NOT NULL,
    reject_code     TEXT,
    reject_message  TEXT,
    received_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX inbound_submissions_outcome ON inbound_submissions (outcome, id);
CREATE INDEX inbound_submissions_person ON inbound_submissions (person_id);

CREATE TABLE inbound_throttle (
    key                TEXT PRIMARY KEY,
    hits               BIGINT NOT NULL,
    window_started_at  TIMESTAMPTZ NOT NULL
);

-- One row: the team calendar, the form rate limit and the hand-off SLA.
CREATE TABLE inbound_settings (
    id                     BIGINT PRIMARY KEY,
    time_zone              TEXT NOT NULL DEFAULT 'UTC',
    work_start_hour        BIGINT NOT NULL DEFAULT 9,
    work_end_hour          BIGINT NOT NULL DEFAULT 17,
    holidays               JSONB NOT NULL DEFAULT '[]',
    forms_per_minute_per_ip BIGINT NOT NULL DEFAULT 20,
    handoff_sla_days       BIGINT NOT NULL DEFAULT 1
);
INSERT INTO inbound_settings (id) VALUES (1);

-- Rule sets stored as core's JSON shapes (ScoringRules, Vec<RoutingRule>, RoundRobinState).
CREATE TABLE inbound_rule_sets (
    name        TEXT PRIMARY KEY,
    body        JSONB NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE score_events (
    id             UUID PRIMARY KEY,
    person_id      UUID NOT NULL REFERENCES people (id),
    behaviour      TEXT NOT NULL,
    at             TIMESTAMPTZ NOT NULL,
    form_slug      TEXT,
    submission_id  UUID
);
CREATE INDEX score_events_person ON score_events (person_id, at);

CREATE TABLE inbound_reps (
    user_id        UUID PRIMARY KEY REFERENCES users (id),
    share_percent  BIGINT NOT NULL DEFAULT 100,
    capacity       BIGINT,
    out_of_office  BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE routing_decisions (
    id          UUID PRIMARY KEY,
    person_id   UUID NOT NULL REFERENCES people (id),
    owner_id    UUID,
    rule_code   TEXT NOT NULL,
    why         TEXT NOT NULL,
    skipped     JSONB NOT NULL DEFAULT '[]',
    decided_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX routing_decisions_person ON routing_decisions (person_id, id);

CREATE TABLE sla_clocks (
    id                UUID PRIMARY KEY,
    kind              TEXT NOT NULL,
    person_id         UUID REFERENCES people (id),
    opportunity_id    UUID REFERENCES opportunities (id),
    owner_id          UUID,
    source            TEXT,
    started_at        TIMESTAMPTZ NOT NULL,
    business_minutes  BIGINT NOT NULL,
    warn_at           TIMESTAMPTZ NOT NULL,
    due_at            TIMESTAMPTZ NOT NULL,
    stopped_at        TIMESTAMPTZ,
    first_touch_at    TIMESTAMPTZ,
    warned_at         TIMESTAMPTZ,
    breached_at       TIMESTAMPTZ
);
CREATE INDEX sla_clocks_running ON sla_clocks (stopped_at, due_at);
CREATE INDEX sla_clocks_person ON sla_clocks (person_id);
CREATE INDEX sla_clocks_opportunity ON sla_clocks (opportunity_id);

CREATE TABLE notifications (
    id              UUID PRIMARY KEY,
    user_id         UUID NOT NULL REFERENCES users (id),
    kind            TEXT NOT NULL,
    message         TEXT NOT NULL,
    person_id       UUID,
    opportunity_id  UUID,
    created_at      TIMESTAMPTZ NOT NULL,
    read_at         TIMESTAMPTZ
);
CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE TABLE handoffs (
    opportunity_id  UUID PRIMARY KEY REFERENCES opportunities (id),
    person_id       UUID NOT NULL REFERENCES people (id),
    ae_id           UUID NOT NULL REFERENCES users (id),
    sdr_id          UUID,
    starts_at       TIMESTAMPTZ NOT NULL,
    ends_at         TIMESTAMPTZ NOT NULL,
    booked_at       TIMESTAMPTZ NOT NULL,
    decision        TEXT,
    decided_at      TIMESTAMPTZ,
    accepted_at     TIMESTAMPTZ,
    reason          TEXT
);
CREATE INDEX handoffs_ae ON handoffs (ae_id, decision);
