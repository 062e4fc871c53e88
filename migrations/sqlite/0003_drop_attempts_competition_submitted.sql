-- Every write of an attempt (its start, its submission) also updated this index, and nothing needs it: the ranking
-- and exports read all of a competition's attempts, which the unique index on (competition, participant_key,
-- number) already finds by competition.
DROP INDEX attempts_competition_submitted;
