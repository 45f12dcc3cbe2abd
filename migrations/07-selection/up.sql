-- Selection after screening (issue 5): the evaluation commission's members, score sheets and
-- decisions, the lottery, the mentor's interview and decision, the host organisation's decision
-- and memorandum. Decisions are recorded once and never changed (a memorandum is added once);
-- JSON columns hold what the records carry whole (points, ranking, the lottery's input and draw).
CREATE TABLE commission_members (
    rid        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    version    INTEGER NOT NULL CHECK (version >= 1),
    hlc        TEXT NOT NULL,
    cohort     INTEGER NOT NULL,
    region     TEXT NOT NULL,
    full_name  TEXT NOT NULL,
    position   TEXT,
    role       TEXT NOT NULL CHECK (role IN ('chair', 'member', 'secretary'))
) STRICT;
CREATE INDEX commission_members_region ON commission_members (cohort, region);

CREATE TABLE scores (
    rid                  INTEGER PRIMARY KEY,
    id                   TEXT NOT NULL UNIQUE,
    version              INTEGER NOT NULL CHECK (version >= 1),
    hlc                  TEXT NOT NULL,
    cohort               INTEGER NOT NULL,
    rulebook_version     TEXT NOT NULL,
    application_id       TEXT NOT NULL REFERENCES applications (id),
    member_id            TEXT NOT NULL REFERENCES commission_members (id),
    region               TEXT NOT NULL,
    points               TEXT NOT NULL CHECK (json_valid(points)),
    conflict_of_interest INTEGER NOT NULL CHECK (conflict_of_interest IN (0, 1)),
    UNIQUE (application_id, member_id)
) STRICT;
CREATE INDEX scores_region ON scores (cohort, region);

CREATE TABLE commission_decisions (
    rid               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    version           INTEGER NOT NULL CHECK (version >= 1),
    hlc               TEXT NOT NULL,
    cohort            INTEGER NOT NULL,
    region            TEXT NOT NULL,
    rulebook_version  TEXT NOT NULL,
    ranking           TEXT NOT NULL CHECK (json_valid(ranking)),
    cut_off           TEXT NOT NULL CHECK (json_valid(cut_off)),
    selected          TEXT NOT NULL CHECK (json_valid(selected)),
    scores            TEXT NOT NULL CHECK (json_valid(scores)),
    members_present   TEXT NOT NULL CHECK (json_valid(members_present)),
    decided_on        TEXT NOT NULL,
    decided_by        TEXT NOT NULL,
    supersedes        TEXT,
    reason            TEXT
) STRICT;
CREATE INDEX commission_decisions_region ON commission_decisions (cohort, region);

CREATE TABLE lotteries (
    rid               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    version           INTEGER NOT NULL CHECK (version >= 1),
    hlc               TEXT NOT NULL,
    cohort            INTEGER NOT NULL,
    region            TEXT NOT NULL,
    rulebook_version  TEXT NOT NULL,
    decision_id       TEXT NOT NULL REFERENCES commission_decisions (id),
    drawn_on          TEXT NOT NULL,
    drawn_by          TEXT NOT NULL,
    supersedes        TEXT,
    reason            TEXT,
    input             TEXT NOT NULL CHECK (json_valid(input)),
    draw              TEXT NOT NULL CHECK (json_valid(draw))
) STRICT;
CREATE INDEX lotteries_region ON lotteries (cohort, region);

CREATE TABLE mentor_interviews (
    rid          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    hlc          TEXT NOT NULL,
    cohort       INTEGER NOT NULL,
    region       TEXT NOT NULL,
    mentor_id    TEXT NOT NULL REFERENCES mentors (id),
    held_on      TEXT NOT NULL,
    interviewer  TEXT NOT NULL,
    notes        TEXT,
    outcome      TEXT NOT NULL CHECK (outcome IN ('passed', 'failed'))
) STRICT;
CREATE INDEX mentor_interviews_mentor ON mentor_interviews (mentor_id);

CREATE TABLE mentor_decisions (
    rid          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    hlc          TEXT NOT NULL,
    cohort       INTEGER NOT NULL,
    region       TEXT NOT NULL,
    mentor_id    TEXT NOT NULL REFERENCES mentors (id),
    decided_on   TEXT NOT NULL,
    decided_by   TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('selected', 'rejected')),
    notes        TEXT
) STRICT;
CREATE INDEX mentor_decisions_mentor ON mentor_decisions (mentor_id);

CREATE TABLE host_org_decisions (
    rid                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    version            INTEGER NOT NULL CHECK (version >= 1),
    hlc                TEXT NOT NULL,
    cohort             INTEGER NOT NULL,
    region             TEXT NOT NULL,
    host_org_id        TEXT NOT NULL REFERENCES host_orgs (id),
    decided_on         TEXT NOT NULL,
    decided_by         TEXT NOT NULL,
    outcome            TEXT NOT NULL CHECK (outcome IN ('selected', 'rejected')),
    notes              TEXT,
    memorandum_number  TEXT,
    memorandum_date    TEXT
) STRICT;
CREATE INDEX host_org_decisions_org ON host_org_decisions (host_org_id);
