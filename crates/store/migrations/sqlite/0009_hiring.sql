-- Hiring: jobs (markdown pages), candidates, applications and their stage history, résumés,
-- interviews with blind scorecards, offers; and a small key/value table for server secrets.

CREATE TABLE IF NOT EXISTS settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE jobs (
    id                  BLOB PRIMARY KEY,
    slug                TEXT NOT NULL UNIQUE,
    title               TEXT NOT NULL,
    layout              TEXT,
    location            TEXT,
    team                TEXT,
    status              TEXT NOT NULL,
    source              TEXT NOT NULL,
    body                TEXT NOT NULL,
    stages              TEXT NOT NULL,
    questionnaire       TEXT NOT NULL,
    hiring_manager_id   BLOB REFERENCES users (id),
    ceo_id              BLOB REFERENCES users (id),
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    closed_at           TEXT
);

CREATE TABLE candidates (
    id              BLOB PRIMARY KEY,
    email           TEXT UNIQUE,
    name            TEXT NOT NULL,
    phone           TEXT,
    links           TEXT NOT NULL,
    tags            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    anonymised_at   TEXT
);

CREATE TABLE applications (
    id                  BLOB PRIMARY KEY,
    job_id              BLOB NOT NULL REFERENCES jobs (id),
    candidate_id        BLOB NOT NULL REFERENCES candidates (id),
    stage               TEXT NOT NULL,
    status              TEXT NOT NULL,
    source              TEXT NOT NULL,
    answers             TEXT NOT NULL,
    consent_at          TEXT NOT NULL,
    decline_reason      TEXT,
    decline_note        TEXT,
    decline_email_key   TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    closed_at           TEXT,
    anonymised_at       TEXT,
    UNIQUE (job_id, candidate_id)
);
CREATE INDEX applications_candidate ON applications (candidate_id);

CREATE TABLE application_stages (
    id              BLOB PRIMARY KEY,
    application_id  BLOB NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    stage           TEXT NOT NULL,
    entered_at      TEXT NOT NULL,
    left_at         TEXT
);
CREATE INDEX application_stages_application ON application_stages (application_id, entered_at);

CREATE TABLE resumes (
    id              BLOB PRIMARY KEY,
    application_id  BLOB NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    size_bytes      INTEGER NOT NULL,
    content         BLOB NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX resumes_application ON resumes (application_id);

CREATE TABLE interviews (
    id               BLOB PRIMARY KEY,
    application_id   BLOB NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    stage            TEXT NOT NULL,
    starts_at        TEXT NOT NULL,
    ends_at          TEXT NOT NULL,
    location         TEXT,
    scorecard_due_at TEXT NOT NULL,
    created_by       BLOB REFERENCES users (id),
    created_at       TEXT NOT NULL
);
CREATE INDEX interviews_application ON interviews (application_id);

CREATE TABLE interview_interviewers (
    interview_id    BLOB NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    user_id         BLOB NOT NULL REFERENCES users (id),
    PRIMARY KEY (interview_id, user_id)
);
CREATE INDEX interview_interviewers_user ON interview_interviewers (user_id);

CREATE TABLE scorecards (
    id              BLOB PRIMARY KEY,
    interview_id    BLOB NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    application_id  BLOB NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    interviewer_id  BLOB NOT NULL REFERENCES users (id),
    overall         TEXT NOT NULL,
    ratings         TEXT NOT NULL,
    pros            TEXT NOT NULL,
    cons            TEXT NOT NULL,
    notes           TEXT NOT NULL,
    submitted_at    TEXT NOT NULL,
    UNIQUE (interview_id, interviewer_id)
);
CREATE INDEX scorecards_application ON scorecards (application_id);

CREATE TABLE offers (
    id              BLOB PRIMARY KEY,
    application_id  BLOB NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    status          TEXT NOT NULL,
    pay             TEXT NOT NULL,
    start_date      TEXT NOT NULL,
    letter          TEXT NOT NULL,
    chain           TEXT NOT NULL,
    last_rejection  TEXT,
    sent_at         TEXT,
    expires_at      TEXT,
    closed_at       TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX offers_application ON offers (application_id);
