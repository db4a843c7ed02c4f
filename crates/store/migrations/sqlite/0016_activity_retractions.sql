-- Issue 7: an activity logged by mistake is retracted by a new 'retraction' activity naming the
-- first version of its chain in corrects_id. At most one retraction per chain, even when two
-- people press "Delete" at the same moment.
CREATE UNIQUE INDEX activities_one_retraction ON activities (corrects_id) WHERE kind = 'retraction';
