-- Certificates (issue 12). Times are epoch milliseconds. A certificate names its attempt, whose row holds the
-- holder's name, organization and score; no IP address or device is stored.

-- Server secrets, each made once by the first process that starts and then shared by every process on this
-- database: `certificates` is the HMAC key of the verification codes (64 hex digits). Never logged or exported.
CREATE TABLE secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE certificate_years (
    year    INTEGER PRIMARY KEY,
    last    INTEGER NOT NULL                 -- the last serial number given out that year
);

CREATE TABLE certificates (
    serial          TEXT PRIMARY KEY,     -- 2026-000042
    attempt         TEXT NOT NULL UNIQUE, -- the attempt it certifies: one certificate per attempt, issued once
    competition     TEXT NOT NULL,
    organization    TEXT NOT NULL,
    title           TEXT NOT NULL,        -- the level as issued (合格证书, 优秀奖), kept if the YAML changes later
    issuer          TEXT NOT NULL,
    issued_at       BIGINT NOT NULL,
    revoked_at      BIGINT,
    revoked_reason  TEXT
);
CREATE INDEX certificates_by_organization ON certificates (competition, organization, serial);
