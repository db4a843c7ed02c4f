-- Today reads a rep's open steps without joining people: each open step keeps its person's time
-- zone, score and do-not-call flag (what Today groups and orders by). They are copied when a step
-- opens (insert, reopen) and the trigger below follows every later change of the person, in the
-- same transaction as that change, whichever code path made it. Closed steps keep what they had;
-- nothing reads it.

ALTER TABLE step_executions ADD COLUMN person_time_zone TEXT;
ALTER TABLE step_executions ADD COLUMN person_score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE step_executions ADD COLUMN person_do_not_call INTEGER NOT NULL DEFAULT 0;

UPDATE step_executions SET
    person_time_zone = (SELECT p.time_zone FROM people p WHERE p.id = step_executions.person_id),
    person_score = COALESCE((SELECT p.score FROM people p WHERE p.id = step_executions.person_id), 0),
    person_do_not_call = COALESCE((SELECT p.do_not_call FROM people p WHERE p.id = step_executions.person_id), 0)
WHERE status = 'open';

-- Covers both Today queries (the grouped count and the page), so each reads this index alone.
CREATE INDEX step_executions_work ON step_executions
    (owner_id, status, due_at, sequence_id, person_time_zone, kind, person_score, person_do_not_call, id)
    WHERE status = 'open';
-- The day's counts on Today (steps done or emails sent since the rep's midnight) read one range
-- of this index; it replaces the (owner, status, due) index the Today queries no longer use. A
-- sent email's done_at is when the sweep sent it (its created_at), older rows included.
UPDATE step_executions SET done_at = created_at WHERE status = 'sent' AND done_at IS NULL;
DROP INDEX step_executions_open;
CREATE INDEX step_executions_day ON step_executions (owner_id, status, done_at);
-- The trigger's lookup of a person's open steps.
CREATE INDEX step_executions_open_person ON step_executions (person_id) WHERE status = 'open';

CREATE TRIGGER people_follow_open_steps AFTER UPDATE OF time_zone, score, do_not_call ON people
WHEN OLD.time_zone IS NOT NEW.time_zone OR OLD.score IS NOT NEW.score OR OLD.do_not_call IS NOT NEW.do_not_call
BEGIN
    UPDATE step_executions SET person_time_zone = NEW.time_zone, person_score = NEW.score,
        person_do_not_call = NEW.do_not_call
    WHERE person_id = NEW.id AND status = 'open';
END;
