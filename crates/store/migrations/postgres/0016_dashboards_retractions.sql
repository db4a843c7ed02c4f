-- Issue 7 (dashboards). An activity logged by mistake is retracted by a new 'retraction' activity naming the
-- first version of its chain in corrects_id. At most one retraction per chain, even when two
-- people press "Delete" at the same moment.
CREATE UNIQUE INDEX activities_one_retraction ON activities (corrects_id) WHERE kind = 'retraction';

-- Dashboards read sequence results and failed steps by when the step was carried out.
CREATE INDEX step_executions_created ON step_executions (created_at);
CREATE INDEX step_executions_failed ON step_executions (created_at) WHERE status = 'skipped' OR outcome = 'bounced';
