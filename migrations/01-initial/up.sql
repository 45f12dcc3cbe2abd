-- The desk's case database. Names sort in Kazakh alphabetical order through the collation
-- "kazakh", which the store registers on every connection (korpus_domain::alphabet).
-- Every table of programme data has:
--   rid      local row number, stable across VACUUM, used only by this database's search indexes;
--   id       UUIDv7 made on the device that created the row, the row's identity everywhere;
--   version  1 on insert, +1 on every change; envelopes carry the version a change was based on;
--   hlc      hybrid logical clock of the last change.

-- This device: its id, the author writes are signed with, the last envelope number and clock.
CREATE TABLE device (
    singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id   TEXT NOT NULL,
    author      TEXT NOT NULL,
    last_seq    INTEGER NOT NULL DEFAULT 0 CHECK (last_seq >= 0),
    hlc         TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

-- Reference data: programme-wide, identical on every device and at HQ.
CREATE TABLE rulebooks (
    version     TEXT PRIMARY KEY,
    cohort      INTEGER NOT NULL,
    body        TEXT NOT NULL CHECK (json_valid(body))
) STRICT;

CREATE TABLE cohorts (
    year              INTEGER PRIMARY KEY,
    rulebook_version  TEXT NOT NULL REFERENCES rulebooks (version),
    is_current        INTEGER NOT NULL DEFAULT 0 CHECK (is_current IN (0, 1))
) STRICT;

CREATE TABLE regions (
    kato     TEXT PRIMARY KEY CHECK (length(kato) = 9),
    name_kk  TEXT NOT NULL,
    name_ru  TEXT NOT NULL,
    name_en  TEXT NOT NULL
) STRICT;

CREATE TABLE directions (
    code     TEXT PRIMARY KEY,
    name_kk  TEXT NOT NULL,
    name_ru  TEXT NOT NULL,
    name_en  TEXT NOT NULL
) STRICT;

CREATE TABLE persons (
    rid                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    version            INTEGER NOT NULL CHECK (version >= 1),
    hlc                TEXT NOT NULL,
    iin                TEXT NOT NULL UNIQUE CHECK (length(iin) = 12),
    surname            TEXT NOT NULL,
    given_name         TEXT NOT NULL,
    patronymic         TEXT,
    sex                TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date         TEXT NOT NULL,
    phone              TEXT,
    region             TEXT NOT NULL,
    locality           TEXT NOT NULL,
    cohort             INTEGER NOT NULL,
    education          TEXT NOT NULL,
    vulnerability      TEXT NOT NULL CHECK (json_valid(vulnerability)),
    disability         INTEGER NOT NULL CHECK (disability IN (0, 1)),
    income_per_member  INTEGER
) STRICT;
CREATE INDEX persons_by_name ON persons (surname COLLATE kazakh, given_name COLLATE kazakh);
CREATE INDEX persons_region ON persons (region, surname COLLATE kazakh, given_name COLLATE kazakh);

CREATE TABLE host_orgs (
    rid                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    version            INTEGER NOT NULL CHECK (version >= 1),
    hlc                TEXT NOT NULL,
    bin                TEXT NOT NULL UNIQUE CHECK (length(bin) = 12),
    name               TEXT NOT NULL,
    org_type           TEXT NOT NULL,
    region             TEXT NOT NULL,
    locality           TEXT NOT NULL,
    registration_date  TEXT NOT NULL,
    head_name          TEXT,
    accountant_name    TEXT,
    phone              TEXT,
    criteria           TEXT NOT NULL CHECK (json_valid(criteria))
) STRICT;
CREATE INDEX host_orgs_by_name ON host_orgs (name COLLATE kazakh);
CREATE INDEX host_orgs_region ON host_orgs (region, name COLLATE kazakh);

CREATE TABLE applications (
    rid           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    version       INTEGER NOT NULL CHECK (version >= 1),
    hlc           TEXT NOT NULL,
    cohort        INTEGER NOT NULL,
    path          TEXT NOT NULL CHECK (path IN ('host_org', 'initiative_group')),
    host_org_id   TEXT REFERENCES host_orgs (id),
    leader_id     TEXT REFERENCES persons (id),
    name          TEXT NOT NULL,
    territory     TEXT NOT NULL,
    goal          TEXT NOT NULL,
    target_group  TEXT NOT NULL,
    description   TEXT NOT NULL,
    direction     TEXT NOT NULL,
    budget        INTEGER NOT NULL CHECK (budget > 0),
    region        TEXT NOT NULL
) STRICT;
CREATE INDEX applications_by_name ON applications (name COLLATE kazakh);
CREATE INDEX applications_region ON applications (region, name COLLATE kazakh);
CREATE INDEX applications_host_org ON applications (host_org_id);

-- Not UNIQUE on person_id: one person in two sub-projects is refused by the store, but when sync
-- brings such a pair from two devices it must land, so that HQ's dedup case can name it.
CREATE TABLE application_members (
    rid             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL CHECK (version >= 1),
    hlc             TEXT NOT NULL,
    application_id  TEXT NOT NULL REFERENCES applications (id),
    person_id       TEXT NOT NULL REFERENCES persons (id),
    region          TEXT NOT NULL
) STRICT;
CREATE INDEX application_members_application ON application_members (application_id);
CREATE INDEX application_members_person ON application_members (person_id);

CREATE TABLE mentors (
    rid                 INTEGER PRIMARY KEY,
    id                  TEXT NOT NULL UNIQUE,
    version             INTEGER NOT NULL CHECK (version >= 1),
    hlc                 TEXT NOT NULL,
    iin                 TEXT NOT NULL UNIQUE CHECK (length(iin) = 12),
    surname             TEXT NOT NULL,
    given_name          TEXT NOT NULL,
    patronymic          TEXT,
    sex                 TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    birth_date          TEXT NOT NULL,
    phone               TEXT,
    region              TEXT NOT NULL,
    locality            TEXT NOT NULL,
    cohort              INTEGER NOT NULL,
    occupation          TEXT NOT NULL,
    workplace           TEXT,
    experience_years    INTEGER NOT NULL CHECK (experience_years >= 0),
    education           TEXT NOT NULL,
    project_experience  INTEGER NOT NULL CHECK (project_experience IN (0, 1)),
    stage               TEXT NOT NULL,
    certified_on        TEXT
) STRICT;
CREATE INDEX mentors_by_name ON mentors (surname COLLATE kazakh, given_name COLLATE kazakh);
CREATE INDEX mentors_region ON mentors (region, surname COLLATE kazakh, given_name COLLATE kazakh);

-- Scanned files, kept inside the encrypted database and addressed by content: the same file
-- attached twice is stored once, and sync moves each file once.
CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL CHECK (size >= 0),
    data        BLOB NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE TABLE documents (
    rid          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    hlc          TEXT NOT NULL,
    owner        TEXT NOT NULL CHECK (owner IN ('person', 'mentor', 'host_org')),
    owner_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    issue_date   TEXT NOT NULL,
    note         TEXT,
    file_sha256  TEXT REFERENCES blobs (sha256),
    file_name    TEXT,
    file_size    INTEGER,
    region       TEXT NOT NULL
) STRICT;
CREATE INDEX documents_owner ON documents (owner, owner_id);

-- Every user action, in order: what sync pushes to HQ. Rows are never changed but for the
-- delivery columns sync fills in later.
CREATE TABLE outbox (
    device_seq        INTEGER PRIMARY KEY CHECK (device_seq >= 1),
    id                TEXT NOT NULL UNIQUE,
    device            TEXT NOT NULL,
    hlc               TEXT NOT NULL,
    author            TEXT NOT NULL,
    app_version       TEXT NOT NULL,
    schema_version    INTEGER NOT NULL,
    rulebook_version  TEXT NOT NULL,
    ops               TEXT NOT NULL CHECK (json_valid(ops)),
    hash              TEXT NOT NULL CHECK (length(hash) = 64),
    created_at        TEXT NOT NULL,
    sent_at           TEXT
) STRICT;
-- What sync still has to send, found without reading every envelope.
CREATE INDEX outbox_unsent ON outbox (device_seq) WHERE sent_at IS NULL;
