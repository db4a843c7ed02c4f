-- Hiring: jobs (markdown pages), candidates, applications and their stage history, résumés,
-- interviews with blind scorecards, offers; and a small key/value table for server secrets.

CREATE TABLE IF NOT EXISTS settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE jobs (
    id                  UUID PRIMARY KEY,
    slug                TEXT NOT NULL UNIQUE,
    title               TEXT NOT NULL,
    layout              TEXT,
    location            TEXT,
    team                TEXT,
    status              TEXT NOT NULL,
    source              TEXT NOT NULL,
    body                TEXT NOT NULL,
    stages              JSONB NOT NULL,
    questionnaire       JSONB NOT NULL,
    hiring_manager_id   UUID REFERENCES users (id),
    ceo_id              UUID REFERENCES users (id),
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    closed_at           TIMESTAMPTZ
);

CREATE TABLE candidates (
    id              UUID PRIMARY KEY,
    email           TEXT UNIQUE,
    name            TEXT NOT NULL,
    phone           TEXT,
    links           JSONB NOT NULL,
    tags            JSONB NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    anonymised_at   TIMESTAMPTZ
);

CREATE TABLE applications (
    id                  UUID PRIMARY KEY,
    job_id              UUID NOT NULL REFERENCES jobs (id),
    candidate_id        UUID NOT NULL REFERENCES candidates (id),
    stage               TEXT NOT NULL,
    status              TEXT NOT NULL,
    source              TEXT NOT NULL,
    answers             JSONB NOT NULL,
    consent_at          TIMESTAMPTZ NOT NULL,
    decline_reason      TEXT,
    decline_note        TEXT,
    decline_email_key   TEXT,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    closed_at           TIMESTAMPTZ,
    anonymised_at       TIMESTAMPTZ,
    UNIQUE (job_id, candidate_id)
);
CREATE INDEX applications_candidate ON applications (candidate_id);

CREATE TABLE application_stages (
    id              UUID PRIMARY KEY,
    application_id  UUID NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    stage           TEXT NOT NULL,
    entered_at      TIMESTAMPTZ NOT NULL,
    left_at         TIMESTAMPTZ
);
CREATE INDEX application_stages_application ON application_stages (application_id, entered_at);

CREATE TABLE resumes (
    id              UUID PRIMARY KEY,
    application_id  UUID NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL,
    content         BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX resumes_application ON resumes (application_id);

CREATE TABLE interviews (
    id               UUID PRIMARY KEY,
    application_id   UUID NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    stage            TEXT NOT NULL,
    starts_at        TIMESTAMPTZ NOT NULL,
    ends_at          TIMESTAMPTZ NOT NULL,
    location         TEXT,
    scorecard_due_at TIMESTAMPTZ NOT NULL,
    created_by       UUID REFERENCES users (id),
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX interviews_application ON interviews (application_id);

CREATE TABLE interview_interviewers (
    interview_id    UUID NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    user_id         UUID NOT NULL REFERENCES users (id),
    PRIMARY KEY (interview_id, user_id)
);
CREATE INDEX interview_interviewers_user ON interview_interviewers (user_id);

CREATE TABLE scorecards (
    id              UUID PRIMARY KEY,
    interview_id    UUID NOT NULL REFERENCES interviews (id) ON DELETE CASCADE,
    application_id  UUID NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    interviewer_id  UUID NOT NULL REFERENCES users (id),
    overall         TEXT NOT NULL,
    ratings         JSONB NOT NULL,
    pros            TEXT NOT NULL,
    cons            TEXT NOT NULL,
    notes           TEXT NOT NULL,
    submitted_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (interview_id, interviewer_id)
);
CREATE INDEX scorecards_application ON scorecards (application_id);

CREATE TABLE offers (
    id              UUID PRIMARY KEY,
    application_id  UUID NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    status          TEXT NOT NULL,
    pay             TEXT NOT NULL,
    start_date      DATE NOT NULL,
    letter          TEXT NOT NULL,
    chain           JSONB NOT NULL,
    last_rejection  JSONB,
    sent_at         TIMESTAMPTZ,
    expires_at      TIMESTAMPTZ,
    closed_at       TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX offers_application ON offers (application_id);
