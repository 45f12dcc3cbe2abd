-- The HQ database: accounts and devices, every envelope ever applied, the programme's rows as
-- they stand, and each row as each envelope left it (what devices pull).

CREATE TABLE accounts (
    id          uuid PRIMARY KEY,
    login       text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9._-]{2,64}$'),
    name        text NOT NULL,
    role        text NOT NULL CHECK (role IN ('coordinator', 'staff')),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The regions (KATO codes) a coordinator may read and write. Staff see every region.
CREATE TABLE account_regions (
    account_id  uuid NOT NULL REFERENCES accounts (id),
    region      text NOT NULL CHECK (region ~ '^[0-9]{9}$'),
    PRIMARY KEY (account_id, region)
);

-- One-time enrolment codes: only their SHA-256 is kept.
CREATE TABLE enrol_codes (
    code_hash   text PRIMARY KEY,
    account_id  uuid NOT NULL REFERENCES accounts (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    device_id   uuid
);

CREATE TABLE devices (
    id            uuid PRIMARY KEY,
    account_id    uuid NOT NULL REFERENCES accounts (id),
    name          text NOT NULL,
    token_hash    text NOT NULL UNIQUE,
    public_key    text NOT NULL,
    enrolled_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz,
    last_seen_at  timestamptz
);

-- The newest server_seq. Pushes take this row's lock for their transaction, so sequence numbers
-- become visible in order and a pull by cursor never skips one committed later.
CREATE TABLE sync_head (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    server_seq  bigint NOT NULL
);
INSERT INTO sync_head (singleton, server_seq) VALUES (true, 0);

-- Every envelope applied, whole, with its place in HQ's sequence.
CREATE TABLE envelopes (
    server_seq   bigint PRIMARY KEY,
    id           uuid NOT NULL UNIQUE,
    device       uuid NOT NULL REFERENCES devices (id),
    device_seq   bigint NOT NULL,
    hash         text NOT NULL,
    author       text NOT NULL,
    body         jsonb NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    via          text NOT NULL CHECK (via IN ('online', 'file')),
    UNIQUE (device, device_seq)
);

-- Every envelope's receipt, applied or not: a retried envelope gets its first answer again.
CREATE TABLE receipts (
    envelope_id  uuid PRIMARY KEY,
    device       uuid NOT NULL REFERENCES devices (id),
    device_seq   bigint NOT NULL,
    hash         text NOT NULL,
    status       text NOT NULL CHECK (status IN ('applied', 'conflict', 'rejected')),
    server_seq   bigint REFERENCES envelopes (server_seq),
    code         text,
    message      text,
    conflicts    jsonb NOT NULL DEFAULT '[]',
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX receipts_device_seq ON receipts (device, device_seq);

-- Envelopes refused, kept whole for HQ staff to look at. They never block the rest.
CREATE TABLE quarantine (
    envelope_id  uuid PRIMARY KEY REFERENCES receipts (envelope_id),
    body         jsonb NOT NULL,
    code         text NOT NULL,
    message      text NOT NULL,
    at           timestamptz NOT NULL DEFAULT now()
);

-- The programme's records as they stand. field_versions: for each field, the row version that
-- last changed it (conflicts are found per field against an envelope's base version).
CREATE TABLE rows (
    entity          text NOT NULL,
    id              uuid NOT NULL,
    region          text NOT NULL,
    version         bigint NOT NULL CHECK (version >= 1),
    deleted         boolean NOT NULL DEFAULT false,
    fields          jsonb NOT NULL,
    field_versions  jsonb NOT NULL,
    server_seq      bigint NOT NULL REFERENCES envelopes (server_seq),
    PRIMARY KEY (entity, id)
);
CREATE INDEX rows_region ON rows (region, entity);
CREATE INDEX rows_person_iin ON rows ((fields ->> 'iin')) WHERE entity IN ('person', 'mentor');
CREATE INDEX rows_member_person ON rows ((fields ->> 'person_id')) WHERE entity = 'application_member';

-- Each row as each envelope left it: what a pull delivers, by region.
CREATE TABLE row_changes (
    server_seq  bigint NOT NULL REFERENCES envelopes (server_seq),
    entity      text NOT NULL,
    id          uuid NOT NULL,
    region      text NOT NULL,
    version     bigint NOT NULL,
    deleted     boolean NOT NULL,
    fields      jsonb NOT NULL,
    PRIMARY KEY (server_seq, entity, id)
);
CREATE INDEX row_changes_region ON row_changes (region, server_seq);

-- Cases a person must settle at a desk: conflicts, the same IIN twice, one person in two
-- sub-projects. `regions`: the desks concerned.
CREATE TABLE cases (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('conflict', 'duplicate_iin', 'person_in_two_subprojects')),
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    regions      text[] NOT NULL,
    subject      text NOT NULL,
    details      jsonb NOT NULL,
    opened_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz,
    resolved_by  uuid
);
-- One open case per subject (a pair of rows, or a row's field): found again, it is not doubled.
CREATE UNIQUE INDEX cases_open_subject ON cases (kind, subject) WHERE status = 'open';
CREATE INDEX cases_regions ON cases USING gin (regions);
