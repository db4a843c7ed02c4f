-- Records pages: who reports to whom (an account's org chart, drawn by reporting line) and the
-- list views each user saves under a name (the list's query string, so a view is a shareable URL).

ALTER TABLE people ADD COLUMN reports_to_id BLOB REFERENCES people (id);
CREATE INDEX people_reports_to ON people (reports_to_id);

CREATE TABLE saved_views (
    id          BLOB PRIMARY KEY,
    user_id     BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Which list: leads, contacts, accounts, opportunities.
    page        TEXT NOT NULL,
    name        TEXT NOT NULL,
    -- The list's filters as a query string, without the page cursor.
    query       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (user_id, page, name)
);
