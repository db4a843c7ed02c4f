-- Imports: resumable jobs, their per-row error reports, and the external ids (a Salesforce `Id`,
-- a HubSpot `Record ID`) that make importing the same file twice change nothing.

-- One run of an import. `rows_done` counts the file's records (refused ones included) whose
-- outcome is committed; each batch advances it in the batch's own transaction, so a resumed run
-- skips exactly what is already in.
CREATE TABLE import_jobs (
    id              BLOB PRIMARY KEY,
    object          TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    file_sha256     TEXT NOT NULL,
    options         TEXT NOT NULL DEFAULT '{}',
    status          TEXT NOT NULL,
    rows_done       INTEGER NOT NULL DEFAULT 0,
    rows_total      INTEGER,
    created         INTEGER NOT NULL DEFAULT 0,
    updated         INTEGER NOT NULL DEFAULT 0,
    unchanged       INTEGER NOT NULL DEFAULT 0,
    duplicates      INTEGER NOT NULL DEFAULT 0,
    refused         INTEGER NOT NULL DEFAULT 0,
    issues          INTEGER NOT NULL DEFAULT 0,
    summary         TEXT NOT NULL DEFAULT '{}',
    actor_id        BLOB,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    finished_at     TEXT
);
CREATE INDEX import_jobs_file ON import_jobs (file_sha256, object, status);
CREATE INDEX import_jobs_created ON import_jobs (created_at, id);

-- What went wrong where: refused rows, refused values, unresolved references, duplicates.
CREATE TABLE import_errors (
    job_id      BLOB NOT NULL REFERENCES import_jobs (id),
    seq         INTEGER NOT NULL,
    line        INTEGER NOT NULL,
    column_no   INTEGER,
    header      TEXT,
    field       TEXT NOT NULL,
    code        TEXT NOT NULL,
    message     TEXT NOT NULL,
    refused     INTEGER NOT NULL,
    PRIMARY KEY (job_id, seq)
);

-- The id another system gives a record, per object and system; `row_hash` is the hash of the
-- row last imported for it, so an unchanged row is skipped without a write.
CREATE TABLE external_ids (
    object       TEXT NOT NULL,
    system       TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    record_id    BLOB NOT NULL,
    row_hash     TEXT,
    PRIMARY KEY (object, system, external_id)
);
CREATE INDEX external_ids_record ON external_ids (record_id);
