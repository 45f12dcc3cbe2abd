-- Closing the programme (issue 6): grant contracts with the host organisation's overhead, the
-- monthly scholarship rolls, the sub-projects' programme and financial reports, outreach, and
-- certificates. Contracts, scholarships, reports and certificates are never removed; a
-- scholarship and a certificate are made once.
CREATE TABLE grant_contracts (
    rid               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    version           INTEGER NOT NULL CHECK (version >= 1),
    hlc               TEXT NOT NULL,
    cohort            INTEGER NOT NULL,
    region            TEXT NOT NULL,
    application_id    TEXT NOT NULL UNIQUE REFERENCES applications (id),
    host_org_id       TEXT,
    number            TEXT NOT NULL,
    signed_on         TEXT NOT NULL,
    sum_tenge         INTEGER NOT NULL CHECK (sum_tenge > 0),
    overhead_percent  INTEGER NOT NULL CHECK (overhead_percent BETWEEN 0 AND 100),
    overhead_tenge    INTEGER NOT NULL CHECK (overhead_tenge >= 0)
) STRICT;
CREATE INDEX grant_contracts_region ON grant_contracts (cohort, region);

CREATE TABLE scholarships (
    rid             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL CHECK (version >= 1),
    hlc             TEXT NOT NULL,
    cohort          INTEGER NOT NULL,
    region          TEXT NOT NULL,
    person_id       TEXT NOT NULL REFERENCES persons (id),
    application_id  TEXT NOT NULL REFERENCES applications (id),
    month           TEXT NOT NULL,
    education       TEXT NOT NULL,
    amount_tenge    INTEGER NOT NULL CHECK (amount_tenge > 0),
    UNIQUE (person_id, month)
) STRICT;
CREATE INDEX scholarships_region ON scholarships (cohort, region, month);

CREATE TABLE subproject_reports (
    rid             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL CHECK (version >= 1),
    hlc             TEXT NOT NULL,
    cohort          INTEGER NOT NULL,
    region          TEXT NOT NULL,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    kind            TEXT NOT NULL CHECK (kind IN ('programme', 'financial')),
    submitted_by    TEXT NOT NULL CHECK (submitted_by IN ('group', 'host_org')),
    submitted_on    TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'returned')),
    reviewed_on     TEXT,
    review_note     TEXT,
    UNIQUE (application_id, kind)
) STRICT;

CREATE TABLE outreach (
    rid         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    version     INTEGER NOT NULL CHECK (version >= 1),
    hlc         TEXT NOT NULL,
    cohort      INTEGER NOT NULL,
    region      TEXT NOT NULL,
    kind        TEXT NOT NULL,
    held_on     TEXT NOT NULL,
    place       TEXT NOT NULL,
    partner     TEXT,
    reached     INTEGER NOT NULL CHECK (reached >= 1),
    women       INTEGER NOT NULL CHECK (women BETWEEN 0 AND reached),
    vulnerable  INTEGER NOT NULL CHECK (vulnerable BETWEEN 0 AND reached),
    notes       TEXT
) STRICT;
CREATE INDEX outreach_region ON outreach (cohort, region, held_on);

CREATE TABLE certificates (
    rid               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    version           INTEGER NOT NULL CHECK (version >= 1),
    hlc               TEXT NOT NULL,
    cohort            INTEGER NOT NULL,
    region            TEXT NOT NULL,
    holder            TEXT NOT NULL CHECK (holder IN ('person', 'mentor')),
    holder_id         TEXT NOT NULL,
    full_name         TEXT NOT NULL,
    arm               TEXT,
    completed_on      TEXT NOT NULL,
    number            TEXT NOT NULL UNIQUE,
    issued_on         TEXT NOT NULL,
    device_id         TEXT NOT NULL,
    rulebook_version  TEXT NOT NULL,
    outcomes          TEXT NOT NULL CHECK (json_valid(outcomes)),
    UNIQUE (cohort, holder_id)
) STRICT;
CREATE INDEX certificates_device ON certificates (device_id);
