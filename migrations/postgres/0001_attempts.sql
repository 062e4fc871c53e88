-- Attempts and per-question responses. Times are epoch milliseconds (i64) so the SQL is shared with PostgreSQL.
-- No IP address or other personal data beyond what the competition asks for (name, organization, group).
CREATE TABLE attempts (
    id              TEXT PRIMARY KEY,          -- random, unguessable (UUID v4, 122 random bits)
    competition     TEXT NOT NULL,
    organization    TEXT NOT NULL,
    name            TEXT NOT NULL,
    grp             TEXT NOT NULL,
    participant_key TEXT NOT NULL,             -- organization + trimmed name + group
    number          BIGINT NOT NULL,          -- 1-based attempt number of this participant
    seed            BIGINT NOT NULL,
    drawn           TEXT NOT NULL,             -- JSON: the drawn questions and option orders
    started_at      BIGINT NOT NULL,
    deadline        BIGINT NOT NULL,
    submitted_at    BIGINT,
    answers         TEXT,                      -- JSON: the answers that were graded
    score           BIGINT,
    max_score       BIGINT NOT NULL,
    passed          BOOLEAN,
    duration_ms     BIGINT,
    grade           TEXT,                      -- JSON: the stored graded result, returned again on re-submit
    UNIQUE (competition, participant_key, number)
);
CREATE INDEX attempts_competition_submitted ON attempts (competition, submitted_at);

CREATE TABLE responses (
    attempt     TEXT NOT NULL REFERENCES attempts (id),
    question    TEXT NOT NULL,
    correct     BOOLEAN NOT NULL,
    PRIMARY KEY (attempt, question)
);
CREATE INDEX responses_question ON responses (question);
