-- Foundation: teams, users, sessions, API tokens, login throttling, the audit log and the outbox.
-- Instants are TEXT in a fixed-width UTC format (see value.rs); ids are 16-byte UUIDv7 BLOBs.

CREATE TABLE teams (
    id          BLOB PRIMARY KEY,
    name        TEXT NOT NULL,
    lead_id     BLOB,
    time_zone   TEXT NOT NULL DEFAULT 'UTC',
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX teams_name ON teams (lower(name));

CREATE TABLE users (
    id              BLOB PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL,
    team_id         BLOB REFERENCES teams (id),
    password_hash   TEXT,
    active          INTEGER NOT NULL DEFAULT 1,
    time_zone       TEXT NOT NULL DEFAULT 'UTC',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX users_team ON users (team_id);

CREATE TABLE sessions (
    id            BLOB PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    user_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    ip            TEXT,
    user_agent    TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id            BLOB PRIMARY KEY,
    user_id       BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    prefix        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    created_by    BLOB REFERENCES users (id),
    last_used_at  TEXT,
    revoked_at    TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_throttle (
    key               TEXT PRIMARY KEY,
    failures          INTEGER NOT NULL,
    window_started_at TEXT NOT NULL,
    locked_until      TEXT
);

CREATE TABLE audit_log (
    id            BLOB PRIMARY KEY,
    at            TEXT NOT NULL,
    actor_id      BLOB,
    actor_label   TEXT NOT NULL,
    via           TEXT NOT NULL,
    action        TEXT NOT NULL,
    entity_type   TEXT NOT NULL,
    entity_id     TEXT,
    before_json   TEXT,
    after_json    TEXT,
    request_id    TEXT,
    ip            TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity_type, entity_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, id);

-- Mail and background work are written here in the same transaction as the change that causes
-- them, and claimed by workers; a crash never loses or doubles one.
CREATE TABLE outbox (
    id             BLOB PRIMARY KEY,
    kind           TEXT NOT NULL,
    payload        TEXT NOT NULL,
    dedupe_key     TEXT UNIQUE,
    created_at     TEXT NOT NULL,
    available_at   TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    max_attempts   INTEGER NOT NULL DEFAULT 10,
    claimed_by     TEXT,
    claimed_until  TEXT,
    last_error     TEXT,
    done_at        TEXT,
    failed_at      TEXT
);
CREATE INDEX outbox_due ON outbox (available_at) WHERE done_at IS NULL AND failed_at IS NULL;
