-- Responses are only ever looked up by attempt: keep them in their primary key's own b-tree (WITHOUT ROWID) and
-- drop the index on question, so recording a submission's responses inserts into one b-tree instead of three.
CREATE TABLE responses_by_attempt (
    attempt     TEXT NOT NULL REFERENCES attempts (id),
    question    TEXT NOT NULL,
    correct     BOOLEAN NOT NULL,
    PRIMARY KEY (attempt, question)
) WITHOUT ROWID;
INSERT INTO responses_by_attempt (attempt, question, correct) SELECT attempt, question, correct FROM responses;
DROP TABLE responses;
ALTER TABLE responses_by_attempt RENAME TO responses;
