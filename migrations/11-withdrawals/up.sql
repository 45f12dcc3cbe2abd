-- Leaving the programme (crates/korpus-domain/src/delivery/withdrawals.rs): a person, or a whole
-- group (person_id NULL), leaves with a day and a reason; once each, never changed nor removed
-- (the id is fixed by the group and the person). The person keeps the arm the lottery drew.
CREATE TABLE withdrawals (
    rid             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL CHECK (version >= 1),
    hlc             TEXT NOT NULL,
    cohort          INTEGER NOT NULL,
    region          TEXT NOT NULL,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    person_id       TEXT REFERENCES persons (id),
    member_id       TEXT,
    left_on         TEXT NOT NULL,
    reason          TEXT NOT NULL,
    notes           TEXT,
    recorded_by     TEXT NOT NULL
) STRICT;
CREATE INDEX withdrawals_application ON withdrawals (application_id);
CREATE INDEX withdrawals_region ON withdrawals (cohort, region);
