-- The files of quizzes/ as saved from the organizer pages (and as each process found them at its first start), so
-- that several `pufa serve` processes on one database run the same competitions: each compares its own folder with
-- these rows every few seconds, takes a newer row, and reports a file of its own that is newer as not shared.
CREATE TABLE quiz_files (
    path        TEXT PRIMARY KEY,             -- relative to quizzes/, e.g. competitions/open.yaml
    content     TEXT NOT NULL,
    digest      TEXT NOT NULL,                -- SHA-256 of content, hex
    saved_at    BIGINT NOT NULL               -- epoch milliseconds
);
