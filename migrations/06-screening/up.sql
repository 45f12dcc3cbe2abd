-- Technical screening (issue 5): every evaluation recorded, never changed; the newest of a
-- subject counts. `inputs` and `outcomes` are JSON: the facts the rules read and what they found.
CREATE TABLE screenings (
    rid               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    version           INTEGER NOT NULL CHECK (version >= 1),
    hlc               TEXT NOT NULL,
    cohort            INTEGER NOT NULL,
    region            TEXT NOT NULL,
    screened_at       TEXT NOT NULL,
    subject           TEXT NOT NULL CHECK (subject IN ('person', 'application', 'host_org', 'mentor')),
    subject_id        TEXT NOT NULL,
    rulebook_version  TEXT NOT NULL,
    inputs            TEXT NOT NULL CHECK (json_valid(inputs)),
    outcomes          TEXT NOT NULL CHECK (json_valid(outcomes)),
    result            TEXT NOT NULL CHECK (result IN ('pass', 'warn', 'fail'))
) STRICT;
CREATE INDEX screenings_subject ON screenings (subject, subject_id, screened_at);
