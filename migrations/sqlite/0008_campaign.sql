-- Campaign rules (issue 12). `leaves`: departures from the question page (切屏) its script reported for the attempt,
-- the highest count reported (a deterrent, not proof). `extra_time`: extra minutes an organizer gives a whole
-- organization (participant_key '') or one participant in a competition, read by every process at each start.
ALTER TABLE attempts ADD COLUMN leaves INTEGER NOT NULL DEFAULT 0;

CREATE TABLE extra_time (
    competition     TEXT NOT NULL,
    organization    TEXT NOT NULL,
    participant_key TEXT NOT NULL,             -- '' for the whole organization
    name            TEXT NOT NULL,             -- as shown; '' for the whole organization
    grp             TEXT NOT NULL,
    minutes         INTEGER NOT NULL,
    set_at          BIGINT NOT NULL,           -- epoch milliseconds
    PRIMARY KEY (competition, organization, participant_key)
);
