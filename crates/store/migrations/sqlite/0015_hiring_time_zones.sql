-- Hiring: the candidate's time zone (an IANA name, from their questionnaire answer or set by a
-- recruiter), so interview times are written in it on pages and in email.
ALTER TABLE candidates ADD COLUMN time_zone TEXT;
