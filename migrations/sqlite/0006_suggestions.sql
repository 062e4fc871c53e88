-- The suggestion box (意见箱) and its follow-up (跟踪问效). Times are epoch milliseconds. No IP address, user agent or
-- device id is stored: a suggestion holds only what its sender typed, and the contact only when one was given.
CREATE TABLE suggestion_days (
    day     TEXT PRIMARY KEY,                 -- 20261201, in the office's time zone
    last    INTEGER NOT NULL                  -- the last sequence number given out that day
);

CREATE TABLE suggestions (
    ticket      TEXT PRIMARY KEY,             -- YJ-20261201-0042
    day         TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    code_hash   TEXT NOT NULL,                -- SHA-256 of ticket and secret code; the code itself is not kept
    category    TEXT NOT NULL,
    body        TEXT NOT NULL,
    town        TEXT,
    contact     TEXT,
    public_ok   BOOLEAN NOT NULL,
    status      TEXT NOT NULL,                -- submitted | accepted | assigned | closed
    unit        TEXT,                         -- the responsible unit once handed over
    due_at      BIGINT,                       -- end of the due day
    reply       TEXT,
    created_at  BIGINT NOT NULL,
    closed_at   BIGINT,
    UNIQUE (day, seq)
);
CREATE INDEX suggestions_status ON suggestions (status, created_at);

CREATE TABLE suggestion_events (
    ticket  TEXT NOT NULL REFERENCES suggestions (ticket),
    n       INTEGER NOT NULL,                 -- 1, 2, … in the order the changes happened
    at      BIGINT NOT NULL,
    action  TEXT NOT NULL,                    -- submit | accept | assign | reply
    unit    TEXT,
    due_at  BIGINT,
    PRIMARY KEY (ticket, n)
);
