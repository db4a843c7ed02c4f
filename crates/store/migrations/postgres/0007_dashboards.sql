-- Dashboards: rollups kept up to date in the transaction of each write (activities, status
-- changes, opportunities, hand-offs), so a dashboard sums a few thousand day rows instead of
-- scanning millions of activities; and each rep's ramp targets.
-- Dimensions that are unknown are stored as the nil UUID (rep, team) or '' (source, segment),
-- because a primary key cannot hold NULLs on both backends alike.

-- Additive counters per rep, team, source, segment and UTC day (see core::metrics::Counts).
CREATE TABLE activity_rollups (
    day             DATE NOT NULL,
    rep_id          UUID NOT NULL,
    team_id         UUID NOT NULL,
    source          TEXT NOT NULL,
    segment         TEXT NOT NULL,
    calls           BIGINT NOT NULL DEFAULT 0,
    connects        BIGINT NOT NULL DEFAULT 0,
    emails_sent     BIGINT NOT NULL DEFAULT 0,
    replies         BIGINT NOT NULL DEFAULT 0,
    linkedin        BIGINT NOT NULL DEFAULT 0,
    meetings        BIGINT NOT NULL DEFAULT 0,
    opportunities   BIGINT NOT NULL DEFAULT 0,
    pipeline_cents  BIGINT NOT NULL DEFAULT 0,
    saos            BIGINT NOT NULL DEFAULT 0,
    rejected        BIGINT NOT NULL DEFAULT 0,
    sqos            BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, rep_id, team_id, source, segment)
);
CREATE INDEX activity_rollups_team ON activity_rollups (team_id, day);
CREATE INDEX activity_rollups_rep ON activity_rollups (rep_id, day);

-- Lifecycle counters: entries into each status, exits by reason and time spent in a status
-- (metric 'entered:mql', 'exit:disqualified:student', 'time_in:qualifying' with seconds in value
-- and how many left it in events).
CREATE TABLE status_rollups (
    day       DATE NOT NULL,
    rep_id    UUID NOT NULL,
    team_id   UUID NOT NULL,
    source    TEXT NOT NULL,
    segment   TEXT NOT NULL,
    metric    TEXT NOT NULL,
    value     BIGINT NOT NULL DEFAULT 0,
    events    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (day, rep_id, team_id, source, segment, metric)
);
CREATE INDEX status_rollups_team ON status_rollups (team_id, day);

-- A rep's ramp: the day they started (ramp month 1 starts then) and, optionally, targets that
-- replace the handbook defaults (JSON of core::metrics::RampTargets per month; '{}' = defaults).
CREATE TABLE ramp_targets (
    rep_id      UUID PRIMARY KEY REFERENCES users (id),
    started_on  DATE NOT NULL,
    targets     JSONB NOT NULL DEFAULT '{}',
    updated_at  TIMESTAMPTZ NOT NULL
);

-- Which weekly digests went out, so a restart or a retried job never mails a lead twice.
CREATE TABLE digest_runs (
    week_start  DATE NOT NULL,
    team_id     UUID NOT NULL,
    sent_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (week_start, team_id)
);

CREATE INDEX activities_corrects ON activities (corrects_id);
