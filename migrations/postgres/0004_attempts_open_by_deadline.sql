-- The sweep that grades attempts never submitted (server::sweep) reads the open attempts past their deadline,
-- oldest first, in batches. This index holds only open attempts (one leaves it when it is submitted), so it stays
-- as small as the number of people answering at once; it costs a start one index insert and a submission one delete.
CREATE INDEX attempts_open_by_deadline ON attempts (deadline, id) WHERE submitted_at IS NULL;
