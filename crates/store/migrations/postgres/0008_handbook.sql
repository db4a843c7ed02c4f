-- Handbook pages with every revision, proposals (draft → in review → approved → merged) with comments,
-- and customer stories. Stories name their source as text (source_type, source_id) and an optional
-- account id, without foreign keys, until records (accounts, activities) land.

CREATE TABLE handbook_pages (
    id                   UUID PRIMARY KEY,
    slug                 TEXT NOT NULL UNIQUE,
    title                TEXT NOT NULL,
    current_revision_id  UUID,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);

CREATE TABLE handbook_page_owners (
    page_id  UUID NOT NULL REFERENCES handbook_pages (id) ON DELETE CASCADE,
    user_id  UUID NOT NULL REFERENCES users (id),
    PRIMARY KEY (page_id, user_id)
);

CREATE TABLE handbook_revisions (
    id             UUID PRIMARY KEY,
    page_id        UUID NOT NULL REFERENCES handbook_pages (id) ON DELETE CASCADE,
    number         BIGINT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    message        TEXT NOT NULL,
    proposal_id    UUID,
    author_id      UUID,
    author_name    TEXT NOT NULL,
    author_email   TEXT NOT NULL,
    merged_by_id   UUID,
    merger_name    TEXT NOT NULL,
    merger_email   TEXT NOT NULL,
    merged_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (page_id, number)
);
CREATE INDEX handbook_revisions_merged ON handbook_revisions (merged_at, id);

CREATE TABLE handbook_proposals (
    id                    UUID PRIMARY KEY,
    page_id               UUID REFERENCES handbook_pages (id) ON DELETE CASCADE,
    slug                  TEXT NOT NULL,
    title                 TEXT NOT NULL,
    body                  TEXT NOT NULL,
    message               TEXT NOT NULL,
    base_revision_id      UUID,
    restores_revision_id  UUID,
    status                TEXT NOT NULL,
    author_id             UUID REFERENCES users (id),
    author_label          TEXT NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    approved_by           UUID,
    approved_at           TIMESTAMPTZ,
    merged_by             UUID,
    merged_at             TIMESTAMPTZ,
    merged_revision_id    UUID
);
CREATE INDEX handbook_proposals_status ON handbook_proposals (status, id);
CREATE INDEX handbook_proposals_page ON handbook_proposals (page_id, id);

CREATE TABLE handbook_comments (
    id            UUID PRIMARY KEY,
    proposal_id   UUID NOT NULL REFERENCES handbook_proposals (id) ON DELETE CASCADE,
    author_id     UUID REFERENCES users (id),
    author_label  TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX handbook_comments_proposal ON handbook_comments (proposal_id, id);

CREATE TABLE customer_stories (
    id                   UUID PRIMARY KEY,
    story_type           TEXT NOT NULL,
    switched_from        TEXT,
    source_type          TEXT NOT NULL,
    source_id            TEXT NOT NULL,
    account_id           TEXT,
    account_name         TEXT,
    quote                TEXT NOT NULL,
    summary              TEXT NOT NULL,
    stage                TEXT NOT NULL,
    nominated_by         UUID NOT NULL REFERENCES users (id),
    nominated_at         TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL,
    consent_given_by     TEXT,
    consent_given_at     TIMESTAMPTZ,
    consent_recorded_by  UUID,
    consent_file_name    TEXT,
    consent_file_type    TEXT,
    consent_file         BYTEA,
    published_url        TEXT,
    dropped_reason       TEXT,
    version              BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX customer_stories_stage ON customer_stories (stage, id);
CREATE INDEX customer_stories_nominator ON customer_stories (nominated_by, id);
CREATE INDEX customer_stories_account ON customer_stories (account_id, id);
