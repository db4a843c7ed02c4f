-- Outbound pages: a manual sequence step (call, manual email, LinkedIn, task) is also a follow-up
-- task, linked to its step so finishing either finishes both; automatic emails of sequences that
-- track opens carry an unguessable pixel token, and the first open is kept.

ALTER TABLE tasks ADD COLUMN step_execution_id UUID;
CREATE UNIQUE INDEX tasks_step_execution ON tasks (step_execution_id) WHERE step_execution_id IS NOT NULL;

ALTER TABLE step_executions ADD COLUMN open_token TEXT;
ALTER TABLE step_executions ADD COLUMN opened_at TIMESTAMPTZ;
CREATE UNIQUE INDEX step_executions_open_token ON step_executions (open_token) WHERE open_token IS NOT NULL;
