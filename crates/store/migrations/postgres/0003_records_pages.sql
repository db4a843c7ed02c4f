-- Records pages (PostgreSQL): who reports to whom (an account's org chart, drawn by reporting
-- line) and the list views each user saves under a name (the list's query string).

ALTER TABLE people ADD COLUMN reports_to_id UUID REFERENCES people (id);
CREATE INDEX people_reports_to ON people (reports_to_id);

CREATE TABLE saved_views (
    id          UUID PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Which list: leads, contacts, accounts, opportunities.
    page        TEXT NOT NULL,
    name        TEXT NOT NULL,
    -- The list's filters as a query string, without the page cursor.
    query       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, page, name)
);
