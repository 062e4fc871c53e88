-- The per-question figures join responses to attempts by attempt id (the primary key's prefix); the index on
-- question served no query and cost an index insert per response.
DROP INDEX IF EXISTS responses_question;
