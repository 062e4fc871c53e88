-- Survey responses (民意测评). Nothing that identifies a respondent beyond what the survey asks for: no IP address,
-- no user agent, no device id; the device cookie that limits a device to one response holds only the receipt.
CREATE TABLE survey_responses (
    id           TEXT PRIMARY KEY,          -- the receipt: random, unguessable (UUID v4)
    survey       TEXT NOT NULL,
    organization TEXT,                      -- organization id, when the survey asks for it
    town         TEXT,                      -- town, when the survey asks for it
    name         TEXT,                      -- only in surveys that are not anonymous
    answers      TEXT NOT NULL,             -- JSON: question id -> letters, point or text, as checked
    submitted_at BIGINT NOT NULL            -- epoch milliseconds
);
CREATE INDEX survey_responses_survey ON survey_responses (survey, submitted_at);
