-- Issue 7 (dashboards). An activity logged by mistake is retracted by a new 'retraction' activity naming the
-- first version of its chain in corrects_id. At most one retraction per chain, even when two
-- people press "Delete" at the same moment.
CREATE UNIQUE INDEX activities_one_retraction ON activities (corrects_id) WHERE kind = 'retraction';

-- Dashboards read sequence results and failed steps by when the step was carried out.
CREATE INDEX step_executions_created ON step_executions (created_at);
CREATE INDEX step_executions_failed ON step_executions (created_at) WHERE status = 'skipped' OR outcome = 'bounced';

-- The same counters per rep and day alone (every source and segment summed): what views without a
-- source or segment filter read — about 20 times fewer rows, which keeps the all-teams view fast.
-- Kept in the same transaction as activity_rollups; filled here from it for existing databases.
CREATE TABLE rep_day_rollups (
    day             DATE NOT NULL,
    rep_id          UUID NOT NULL,
    team_id         UUID NOT NULL,
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
    PRIMARY KEY (day, rep_id, team_id)
);
CREATE INDEX rep_day_rollups_team ON rep_day_rollups (team_id, day);
CREATE INDEX rep_day_rollups_rep ON rep_day_rollups (rep_id, day);
INSERT INTO rep_day_rollups (day, rep_id, team_id, calls, connects, emails_sent, replies, linkedin, meetings, opportunities, pipeline_cents, saos, rejected, sqos)
SELECT day, rep_id, team_id, SUM(calls), SUM(connects), SUM(emails_sent), SUM(replies), SUM(linkedin), SUM(meetings), SUM(opportunities), SUM(pipeline_cents), SUM(saos), SUM(rejected), SUM(sqos)
FROM activity_rollups GROUP BY day, rep_id, team_id;
