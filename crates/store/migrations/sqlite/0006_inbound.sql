-- Inbound: capture forms and every submission (refused ones kept so nothing is lost), the per-IP
-- form throttle, scoring rules and events, routing rules, rep settings and the round-robin state,
-- routing decisions, SLA clocks, in-app notifications and hand-offs.
-- Instants are TEXT in a fixed-width UTC format; ids are 16-byte UUIDv7 BLOBs; JSON is TEXT.

CREATE TABLE inbound_forms (
    slug        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    behaviour   TEXT NOT NULL,
    source      TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1
);
INSERT INTO inbound_forms (slug, name, behaviour, source, active) VALUES
    ('contact-us', 'Contact us', 'contact_us', 'web_contact_us', 1),
    ('trial', 'Free trial', 'trial', 'web_trial', 1),
    ('webcast', 'Webcast registration', 'webcast', 'webcast', 1),
    ('gated-content', 'Gated content download', 'gated_content', 'content', 1),
    ('newsletter', 'Newsletter sign-up', 'form', 'web_form', 1);

CREATE TABLE inbound_submissions (
    id              BLOB PRIMARY KEY,
    form_slug       TEXT NOT NULL,
    ip              TEXT,
    payload         TEXT NOT NULL,
    utm             TEXT NOT NULL DEFAULT '{}',
    person_id       BLOB,
    outcome         TEXT NOT NULL,
    reject_code     TEXT,
    reject_message  TEXT,
    received_at     TEXT NOT NULL
);
CREATE INDEX inbound_submissions_outcome ON inbound_submissions (outcome, id);
CREATE INDEX inbound_submissions_person ON inbound_submissions (person_id);

CREATE TABLE inbound_throttle (
    key                TEXT PRIMARY KEY,
    hits               INTEGER NOT NULL,
    window_started_at  TEXT NOT NULL
);

-- One row: the team calendar, the form rate limit and the hand-off SLA.
CREATE TABLE inbound_settings (
    id                     INTEGER PRIMARY KEY,
    time_zone              TEXT NOT NULL DEFAULT 'UTC',
    work_start_hour        INTEGER NOT NULL DEFAULT 9,
    work_end_hour          INTEGER NOT NULL DEFAULT 17,
    holidays               TEXT NOT NULL DEFAULT '[]',
    forms_per_minute_per_ip INTEGER NOT NULL DEFAULT 20,
    handoff_sla_days       INTEGER NOT NULL DEFAULT 1
);
INSERT INTO inbound_settings (id) VALUES (1);

-- Rule sets stored as core's JSON shapes (ScoringRules, Vec<RoutingRule>, RoundRobinState).
CREATE TABLE inbound_rule_sets (
    name        TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE score_events (
    id             BLOB PRIMARY KEY,
    person_id      BLOB NOT NULL REFERENCES people (id),
    behaviour      TEXT NOT NULL,
    at             TEXT NOT NULL,
    form_slug      TEXT,
    submission_id  BLOB
);
CREATE INDEX score_events_person ON score_events (person_id, at);

CREATE TABLE inbound_reps (
    user_id        BLOB PRIMARY KEY REFERENCES users (id),
    share_percent  INTEGER NOT NULL DEFAULT 100,
    capacity       INTEGER,
    out_of_office  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE routing_decisions (
    id          BLOB PRIMARY KEY,
    person_id   BLOB NOT NULL REFERENCES people (id),
    owner_id    BLOB,
    rule_code   TEXT NOT NULL,
    why         TEXT NOT NULL,
    skipped     TEXT NOT NULL DEFAULT '[]',
    decided_at  TEXT NOT NULL
);
CREATE INDEX routing_decisions_person ON routing_decisions (person_id, id);

CREATE TABLE sla_clocks (
    id                BLOB PRIMARY KEY,
    kind              TEXT NOT NULL,
    person_id         BLOB REFERENCES people (id),
    opportunity_id    BLOB REFERENCES opportunities (id),
    owner_id          BLOB,
    source            TEXT,
    started_at        TEXT NOT NULL,
    business_minutes  INTEGER NOT NULL,
    warn_at           TEXT NOT NULL,
    due_at            TEXT NOT NULL,
    stopped_at        TEXT,
    first_touch_at    TEXT,
    warned_at         TEXT,
    breached_at       TEXT
);
CREATE INDEX sla_clocks_running ON sla_clocks (stopped_at, due_at);
CREATE INDEX sla_clocks_person ON sla_clocks (person_id);
CREATE INDEX sla_clocks_opportunity ON sla_clocks (opportunity_id);

CREATE TABLE notifications (
    id              BLOB PRIMARY KEY,
    user_id         BLOB NOT NULL REFERENCES users (id),
    kind            TEXT NOT NULL,
    message         TEXT NOT NULL,
    person_id       BLOB,
    opportunity_id  BLOB,
    created_at      TEXT NOT NULL,
    read_at         TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, id);

CREATE TABLE handoffs (
    opportunity_id  BLOB PRIMARY KEY REFERENCES opportunities (id),
    person_id       BLOB NOT NULL REFERENCES people (id),
    ae_id           BLOB NOT NULL REFERENCES users (id),
    sdr_id          BLOB,
    starts_at       TEXT NOT NULL,
    ends_at         TEXT NOT NULL,
    booked_at       TEXT NOT NULL,
    decision        TEXT,
    decided_at      TEXT,
    accepted_at     TEXT,
    reason          TEXT
);
CREATE INDEX handoffs_ae ON handoffs (ae_id, decision);
