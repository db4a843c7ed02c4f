-- Where the work happens: a context in the product (a call disposition, a lead status, a reason, a
-- qualification criterion, a hiring stage kind, a routing rule, a sequence step) linked to a handbook
-- section. The shipped defaults live in the app; rows here are what admins changed. A key of `*`
-- covers every key of its context (`disposition:*` is the section for the whole disposition list).

CREATE TABLE handbook_links (
    context     TEXT NOT NULL,
    key         TEXT NOT NULL,
    page_slug   TEXT NOT NULL,
    anchor      TEXT NOT NULL,
    updated_by  UUID,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (context, key)
);
