-- Inbound, part two: capture forms an admin edits (the fields they ask for and which are required,
-- hidden fields stamped on every submission, the honeypot field's name, archiving), and business
-- calendars per user or per team so an SLA clock runs on its owner's working hours.

ALTER TABLE inbound_forms ADD COLUMN fields JSONB NOT NULL DEFAULT '[]';
ALTER TABLE inbound_forms ADD COLUMN hidden_fields JSONB NOT NULL DEFAULT '{}';
ALTER TABLE inbound_forms ADD COLUMN honeypot_field TEXT NOT NULL DEFAULT '_honeypot';
ALTER TABLE inbound_forms ADD COLUMN archived_at TIMESTAMPTZ;

UPDATE inbound_forms SET fields =
    '[{"name":"email","label":"Work email","required":false},{"name":"phone","label":"Phone","required":false},{"name":"first_name","label":"First name","required":false},{"name":"last_name","label":"Last name","required":false},{"name":"company","label":"Company","required":false}]';

-- owner_kind is 'user' or 'team'; a user's own calendar wins over their team's, which wins over
-- the team-wide settings row. workdays are ISO weekday numbers (1 = Monday).
CREATE TABLE inbound_calendars (
    owner_kind       TEXT NOT NULL,
    owner_id         UUID NOT NULL,
    time_zone        TEXT NOT NULL,
    work_start_hour  BIGINT NOT NULL,
    work_end_hour    BIGINT NOT NULL,
    workdays         JSONB NOT NULL DEFAULT '[1,2,3,4,5]',
    holidays         JSONB NOT NULL DEFAULT '[]',
    updated_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (owner_kind, owner_id)
);
