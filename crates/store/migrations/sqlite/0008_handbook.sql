-- Handbook pages with every revision, proposals (draft → in review → approved → merged) with comments,
-- and customer stories. Stories name their source as text (source_type, source_id) and an optional
-- account id, without foreign keys, until records (accounts, activities) land.

CREATE TABLE handbook_pages (
    id                   BLOB PRIMARY KEY,
    slug                 TEXT NOT NULL UNIQUE,
    title                TEXT NOT NULL,
    current_revision_id  BLOB,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

CREATE TABLE handbook_page_owners (
    page_id  BLOB NOT NULL REFERENCES handbook_pages (id) ON DELETE CASCADE,
    user_id  BLOB NOT NULL REFERENCES users (id),
    PRIMARY KEY (page_id, user_id)
);

CREATE TABLE handbook_revisions (
    id             BLOB PRIMARY KEY,
    page_id        BLOB NOT NULL REFERENCES handbook_pages (id) ON DELETE CASCADE,
    number         INTEGER NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    message        TEXT NOT NULL,
    proposal_id    BLOB,
    author_id      BLOB,
    author_name    TEXT NOT NULL,
    author_email   TEXT NOT NULL,
    merged_by_id   BLOB,
    merger_name    TEXT NOT NULL,
    merger_email   TEXT NOT NULL,
    merged_at      TEXT NOT NULL,
    UNIQUE (page_id, number)
);
CREATE INDEX handbook_revisions_merged ON handbook_revisions (merged_at, id);

CREATE TABLE handbook_proposals (
    id                    BLOB PRIMARY KEY,
    page_id               BLOB REFERENCES handbook_pages (id) ON DELETE CASCADE,
    slug                  TEXT NOT NULL,
    title                 TEXT NOT NULL,
    body                  TEXT NOT NULL,
    message               TEXT NOT NULL,
    base_revision_id      BLOB,
    restores_revision_id  BLOB,
    status                TEXT NOT NULL,
    author_id             BLOB REFERENCES users (id),
    author_label          TEXT NOT NULL,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    approved_by           BLOB,
    approved_at           TEXT,
    merged_by             BLOB,
    merged_at             TEXT,
    merged_revision_id    BLOB
);
CREATE INDEX handbook_proposals_status ON handbook_proposals (status, id);
CREATE INDEX handbook_proposals_page ON handbook_proposals (page_id, id);

CREATE TABLE handbook_comments (
    id            BLOB PRIMARY KEY,
    proposal_id   BLOB NOT NULL REFERENCES handbook_proposals (id) ON DELETE CASCADE,
    author_id     BLOB REFERENCES users (id),
    author_label  TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX handbook_comments_proposal ON handbook_comments (proposal_id, id);

CREATE TABLE customer_stories (
    id                   BLOB PRIMARY KEY,
    story_type           TEXT NOT NULL,
    switched_from        TEXT,
    source_type          TEXT NOT NULL,
    source_id            TEXT NOT NULL,
    account_id           TEXT,
    account_name         TEXT,
    quote                TEXT NOT NULL,
    summary              TEXT NOT NULL,
    stage                TEXT NOT NULL,
    nominated_by         BLOB NOT NULL REFERENCES users (id),
    nominated_at         TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    consent_given_by     TEXT,
    consent_given_at     TEXT,
    consent_recorded_by  BLOB,
    consent_file_name    TEXT,
    consent_file_type    TEXT,
    consent_file         BLOB,
    published_url        TEXT,
    dropped_reason       TEXT,
    version              INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX customer_stories_stage ON customer_stories (stage, id);
CREATE INDEX customer_stories_nominator ON customer_stories (nominated_by, id);
CREATE INDEX customer_stories_account ON customer_stories (account_id, id);
