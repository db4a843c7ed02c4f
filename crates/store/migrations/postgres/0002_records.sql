-- Records (PostgreSQL): accounts and their domains, people (leads and contacts in one table), opportunities,
-- append-only activities, tasks, merges (for undo), the editable reason, disposition and
-- qualification-framework lists, and the full-text search index.

CREATE TABLE accounts (
    id                  UUID PRIMARY KEY,
    name                TEXT NOT NULL,
    parent_id           UUID REFERENCES accounts (id),
    employees           BIGINT,
    -- The largest segment in the parent/child hierarchy, kept up to date by the app.
    segment             TEXT,
    country             TEXT,
    region              TEXT,
    owner_id            UUID REFERENCES users (id),
    sdr_id              UUID REFERENCES users (id),
    prospecting_status  TEXT NOT NULL DEFAULT 'queued',
    developer_count     BIGINT,
    it_headcount        BIGINT,
    tech_stack          JSONB NOT NULL DEFAULT '[]',
    teams               JSONB NOT NULL DEFAULT '[]',
    triggers            JSONB NOT NULL DEFAULT '[]',
    strategy            TEXT,
    next_step_on        DATE,
    custom_fields       JSONB NOT NULL DEFAULT '{}',
    merged_into         UUID,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    version             BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX accounts_updated ON accounts (updated_at, id);
CREATE INDEX accounts_owner ON accounts (owner_id, updated_at, id);
CREATE INDEX accounts_sdr ON accounts (sdr_id);
CREATE INDEX accounts_parent ON accounts (parent_id);
CREATE INDEX accounts_name ON accounts (lower(name));

CREATE TABLE account_domains (
    id          UUID PRIMARY KEY,
    domain      TEXT NOT NULL UNIQUE,
    account_id  UUID NOT NULL REFERENCES accounts (id)
);
CREATE INDEX account_domains_account ON account_domains (account_id);

-- Leads and contacts: one lifecycle, one timeline, one search index. A merged-away person keeps
-- its row with kind 'merged' so undo can restore it and lists never see it.
CREATE TABLE people (
    id              UUID PRIMARY KEY,
    kind            TEXT NOT NULL,
    first_name      TEXT,
    last_name       TEXT,
    email           TEXT COLLATE "C",
    -- Lower-cased, Gmail dots and +tags folded: the duplicate-lookup key.
    email_key       TEXT COLLATE "C",
    phone           TEXT,
    -- The last seven digits, shared by every spelling of the number.
    phone_key       TEXT,
    -- Folded surname prefix, a blocking key for fuzzy duplicate lookup.
    name_key        TEXT,
    title           TEXT,
    company         TEXT,
    account_id      UUID REFERENCES accounts (id),
    country         TEXT,
    region          TEXT,
    time_zone       TEXT,
    owner_id        UUID REFERENCES users (id),
    status          TEXT NOT NULL,
    status_reason   TEXT,
    source          TEXT,
    score           BIGINT NOT NULL DEFAULT 0,
    mql_count       BIGINT NOT NULL DEFAULT 0,
    first_mql_at    TIMESTAMPTZ,
    last_mql_at     TIMESTAMPTZ,
    do_not_call     BOOLEAN NOT NULL DEFAULT FALSE,
    unsubscribed    BOOLEAN NOT NULL DEFAULT FALSE,
    framework       TEXT,
    qualification   JSONB NOT NULL DEFAULT '{}',
    custom_fields   JSONB NOT NULL DEFAULT '{}',
    merged_into     UUID,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX people_updated ON people (kind, updated_at, id);
CREATE INDEX people_owner ON people (kind, owner_id, updated_at, id);
CREATE INDEX people_owner_status ON people (kind, owner_id, status, updated_at, id);
CREATE INDEX people_status ON people (kind, status, updated_at, id);
CREATE INDEX people_score ON people (kind, score, id);
CREATE INDEX people_source ON people (kind, source, updated_at, id);
CREATE INDEX people_email ON people (email);
CREATE INDEX people_email_key ON people (email_key);
CREATE INDEX people_phone_key ON people (phone_key);
CREATE INDEX people_name_key ON people (name_key);
CREATE INDEX people_account ON people (account_id);

CREATE TABLE opportunities (
    id              UUID PRIMARY KEY,
    name            TEXT NOT NULL,
    account_id      UUID REFERENCES accounts (id),
    person_id       UUID REFERENCES people (id),
    stage           TEXT NOT NULL,
    stage_reason    TEXT,
    ae_id           UUID REFERENCES users (id),
    sdr_id          UUID REFERENCES users (id),
    amount_cents    BIGINT,
    currency        TEXT NOT NULL DEFAULT 'USD',
    close_date      DATE,
    next_step       TEXT,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX opportunities_updated ON opportunities (updated_at, id);
CREATE INDEX opportunities_ae ON opportunities (ae_id, updated_at, id);
CREATE INDEX opportunities_sdr ON opportunities (sdr_id);
CREATE INDEX opportunities_account ON opportunities (account_id);
CREATE INDEX opportunities_person ON opportunities (person_id);

-- Append-only: corrections are new rows pointing at what they correct.
CREATE TABLE activities (
    id              UUID PRIMARY KEY,
    kind            TEXT NOT NULL,
    person_id       UUID REFERENCES people (id),
    account_id      UUID REFERENCES accounts (id),
    opportunity_id  UUID REFERENCES opportunities (id),
    occurred_at     TIMESTAMPTZ NOT NULL,
    detail          JSONB NOT NULL,
    corrects_id     UUID REFERENCES activities (id),
    is_connect      BOOLEAN NOT NULL DEFAULT FALSE,
    actor_id        UUID,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX activities_person ON activities (person_id, occurred_at, id);
CREATE INDEX activities_account ON activities (account_id, occurred_at, id);
CREATE INDEX activities_opportunity ON activities (opportunity_id, occurred_at, id);

CREATE TABLE tasks (
    id              UUID PRIMARY KEY,
    title           TEXT NOT NULL,
    notes           TEXT,
    due_at          TIMESTAMPTZ NOT NULL,
    priority        TEXT NOT NULL,
    status          TEXT NOT NULL,
    owner_id        UUID REFERENCES users (id),
    person_id       UUID REFERENCES people (id),
    account_id      UUID REFERENCES accounts (id),
    opportunity_id  UUID REFERENCES opportunities (id),
    completed_at    TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX tasks_owner ON tasks (owner_id, status, due_at, id);
CREATE INDEX tasks_person ON tasks (person_id);
CREATE INDEX tasks_account ON tasks (account_id);
CREATE INDEX tasks_opportunity ON tasks (opportunity_id);

-- A merge keeps enough to be undone: the loser's row, the survivor's row before, and which rows moved.
CREATE TABLE merges (
    id           UUID PRIMARY KEY,
    kind         TEXT NOT NULL,
    survivor_id  UUID NOT NULL,
    loser_id     UUID NOT NULL,
    snapshot     JSONB NOT NULL,
    actor_id     UUID,
    merged_at    TIMESTAMPTZ NOT NULL,
    undone_at    TIMESTAMPTZ
);
CREATE INDEX merges_survivor ON merges (survivor_id);
CREATE INDEX merges_loser ON merges (loser_id);

-- The admin-editable exit reasons for leads and contacts; codes are never deleted, only retired.
CREATE TABLE lead_reasons (
    status    TEXT NOT NULL,
    code      TEXT NOT NULL,
    label     TEXT NOT NULL,
    active    BOOLEAN NOT NULL DEFAULT TRUE,
    system    BOOLEAN NOT NULL DEFAULT FALSE,
    position  BIGINT NOT NULL,
    PRIMARY KEY (status, code)
);

CREATE TABLE call_dispositions (
    code               TEXT PRIMARY KEY,
    label              TEXT NOT NULL,
    counts_as_connect  BOOLEAN NOT NULL,
    position           BIGINT NOT NULL
);

CREATE TABLE qualification_frameworks (
    code      TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    criteria  JSONB NOT NULL,
    required  BIGINT NOT NULL,
    position  BIGINT NOT NULL
);

-- Full-text search over people, accounts and activity notes: one document per record, kept in
-- step by the app in the use case's transaction; a generated tsvector with a GIN index searches it.
CREATE TABLE search_docs (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind    TEXT NOT NULL,
    ref_id  UUID NOT NULL UNIQUE,
    body    TEXT NOT NULL,
    tsv     TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED
);
CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv);

-- Seeds: the defaults of core (default_lead_reasons, DispositionList::default, Framework::defaults);
-- a store test checks they still agree.
INSERT INTO lead_reasons (status, code, label, active, system, position) VALUES
    ('disqualified', 'bad_buyer_profile', 'Bad buyer profile', TRUE, FALSE, 0),
    ('disqualified', 'competitor', 'Competitor', TRUE, FALSE, 1),
    ('disqualified', 'consultant', 'Consultant', TRUE, FALSE, 2),
    ('disqualified', 'no_authority', 'No authority', TRUE, FALSE, 3),
    ('disqualified', 'personal_use', 'Personal use', TRUE, FALSE, 4),
    ('disqualified', 'student', 'Student', TRUE, FALSE, 5),
    ('disqualified', 'unsubscribe', 'Unsubscribe', TRUE, TRUE, 6),
    ('disqualified', 'no_longer_at_company', 'No longer at company', TRUE, FALSE, 7),
    ('disqualified', 'export_control', 'Export control', TRUE, FALSE, 8),
    ('disqualified', 'employee', 'Employee', TRUE, FALSE, 9),
    ('recycle', 'no_budget', 'No budget', TRUE, FALSE, 0),
    ('recycle', 'no_interest', 'No interest', TRUE, FALSE, 1),
    ('recycle', 'no_response', 'No response', TRUE, TRUE, 2),
    ('recycle', 'not_ready_to_buy', 'Not ready to buy', TRUE, FALSE, 3),
    ('recycle', 'in_current_contract', 'In current contract', TRUE, FALSE, 4),
    ('recycle', 'evaluating', 'Evaluating', TRUE, FALSE, 5),
    ('recycle', 'doesnt_see_value', 'Doesn''t see value', TRUE, FALSE, 6),
    ('recycle', 'product_limitation', 'Product limitation', TRUE, FALSE, 7),
    ('recycle', 'staying_with_incumbent', 'Staying with incumbent', TRUE, FALSE, 8),
    ('bad_data', 'bad_phone', 'Bad phone', TRUE, FALSE, 0),
    ('bad_data', 'bounced_email', 'Bounced email', TRUE, TRUE, 1),
    ('bad_data', 'invalid_email', 'Invalid email', TRUE, FALSE, 2),
    ('bad_data', 'no_data', 'No data', TRUE, FALSE, 3),
    ('bad_data', 'spam', 'Spam', TRUE, FALSE, 4),
    ('ineligible', 'support_request', 'Support request', TRUE, FALSE, 0),
    ('ineligible', 'community_contributor', 'Community contributor', TRUE, FALSE, 1);
INSERT INTO call_dispositions (code, label, counts_as_connect, position) VALUES
    ('connected', 'Connected', TRUE, 0),
    ('left_voicemail', 'Left voicemail', FALSE, 1),
    ('no_answer', 'No answer', FALSE, 2),
    ('bad_number', 'Bad number', FALSE, 3),
    ('meeting_booked', 'Meeting booked', TRUE, 4),
    ('not_interested', 'Not interested', TRUE, 5),
    ('wrong_person', 'Wrong person', TRUE, 6),
    ('call_back_later', 'Call back later', TRUE, 7);
INSERT INTO qualification_frameworks (code, name, criteria, required, position) VALUES
    ('soft_bant', 'Soft BANT', '[{"code": "budget", "label": "Budget", "help": "There is, or could be, money for a paid plan."}, {"code": "authority", "label": "Authority", "help": "The person decides or can bring in who does."}, {"code": "need", "label": "Need", "help": "Several developers would use it: a team, not one person."}, {"code": "timeline", "label": "Timeline", "help": "They will talk to us in the next weeks."}]', 2, 0),
    ('aift', 'AIFT', '[{"code": "authority", "label": "Authority", "help": "The person decides or is on the buying committee."}, {"code": "initiative", "label": "Initiative", "help": "There is a named project or initiative this serves."}, {"code": "fit", "label": "Fit", "help": "Current tools, use case and seat count fit what we sell."}, {"code": "timing", "label": "Timing", "help": "A next step is agreed within 60 days."}]', 4, 1);
