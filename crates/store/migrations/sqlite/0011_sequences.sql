-- Outbound: email templates, sequences and their steps, enrollments (one person in one sequence)
-- and step executions (what the sweep did for each step), plus the suppression list of addresses
-- that are never emailed again.

CREATE TABLE email_templates (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE sequences (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    -- core::sequence::SequenceSettings as JSON (window, business days, holidays, on_reply, re-contact).
    settings    TEXT NOT NULL,
    is_default  INTEGER NOT NULL DEFAULT 0,
    created_by  BLOB,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);
-- At most one shipped default cadence, so seeding twice is harmless.
CREATE UNIQUE INDEX sequences_one_default ON sequences (is_default) WHERE is_default = 1;

CREATE TABLE sequence_steps (
    sequence_id     BLOB NOT NULL REFERENCES sequences (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    day_offset      INTEGER NOT NULL,
    template_id     TEXT,
    script          TEXT,
    handbook_page   TEXT,
    handbook_anchor TEXT,
    PRIMARY KEY (sequence_id, position)
);

CREATE TABLE enrollments (
    id                BLOB PRIMARY KEY,
    sequence_id       BLOB NOT NULL REFERENCES sequences (id),
    person_id         BLOB NOT NULL REFERENCES people (id),
    -- The rep whose mailbox sends and whose Today shows the manual steps.
    owner_id          BLOB NOT NULL REFERENCES users (id),
    -- core::sequence::Enrollment as JSON; the columns below are copies for queries.
    machine           TEXT NOT NULL,
    status            TEXT NOT NULL,
    reason            TEXT,
    next_step         INTEGER NOT NULL,
    -- When the sweep next looks at it (active only; NULL while a manual step waits for the rep).
    next_due_at       TEXT,
    -- Out-of-office pause: when to resume.
    resume_at         TEXT,
    -- Finished without reply: when to move the lead to Recycle (no response).
    recycle_at        TEXT,
    unsubscribe_token TEXT NOT NULL UNIQUE,
    enrolled_at       TEXT NOT NULL,
    finished_at       TEXT,
    updated_at        TEXT NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);
-- Exclusivity is the database's job too: one live enrollment per person.
CREATE UNIQUE INDEX enrollments_one_live ON enrollments (person_id) WHERE status <> 'finished';
CREATE INDEX enrollments_person ON enrollments (person_id, enrolled_at);
CREATE INDEX enrollments_sequence ON enrollments (sequence_id, status);
CREATE INDEX enrollments_due ON enrollments (next_due_at) WHERE status = 'active' AND next_due_at IS NOT NULL;
CREATE INDEX enrollments_resume ON enrollments (resume_at) WHERE resume_at IS NOT NULL;
CREATE INDEX enrollments_recycle ON enrollments (recycle_at) WHERE recycle_at IS NOT NULL;

-- One row per step carried out; UNIQUE (enrollment_id, step_index) is what makes two sweeps on two
-- servers unable to send a step twice.
CREATE TABLE step_executions (
    id              BLOB PRIMARY KEY,
    enrollment_id   BLOB NOT NULL REFERENCES enrollments (id) ON DELETE CASCADE,
    sequence_id     BLOB NOT NULL,
    step_index      INTEGER NOT NULL,
    kind            TEXT NOT NULL,
    owner_id        BLOB NOT NULL,
    person_id       BLOB NOT NULL,
    due_at          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    -- sent (automatic email handed to the outbox), open (waiting for the rep), done, skipped, cancelled
    status          TEXT NOT NULL,
    message_id      TEXT,
    -- For calls: the disposition code; for emails: replied / bounced when the answer came.
    outcome         TEXT,
    is_connect      INTEGER NOT NULL DEFAULT 0,
    note            TEXT,
    done_at         TEXT,
    UNIQUE (enrollment_id, step_index)
);
CREATE INDEX step_executions_open ON step_executions (owner_id, status, due_at);
CREATE INDEX step_executions_message ON step_executions (message_id);
CREATE INDEX step_executions_sent ON step_executions (owner_id, kind, created_at);
CREATE INDEX step_executions_sequence ON step_executions (sequence_id, step_index);

-- Addresses nobody emails again (bounced or unsubscribed), by the duplicate-lookup email key.
CREATE TABLE email_suppressions (
    email_key   TEXT PRIMARY KEY,
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Least time between two automatic emails from one mailbox.
ALTER TABLE mailboxes ADD COLUMN min_spacing_seconds INTEGER NOT NULL DEFAULT 60;
