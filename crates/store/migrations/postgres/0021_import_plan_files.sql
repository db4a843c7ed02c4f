-- An import of a Salesforce DX data plan is one job over several files: each problem says which
-- file its line and column are in (NULL for a job of one file).

ALTER TABLE import_errors ADD COLUMN file_name TEXT;
