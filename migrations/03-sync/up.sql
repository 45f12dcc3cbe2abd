-- Sync with HQ (DESIGN.md, Sync).

-- The HQ this desk syncs with, and how far its pull has come. The device token is in the OS
-- keyring, never here.
CREATE TABLE sync_state (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    server_url    TEXT NOT NULL,
    account       TEXT NOT NULL,
    regions       TEXT NOT NULL CHECK (json_valid(regions)),
    all_regions   INTEGER NOT NULL CHECK (all_regions IN (0, 1)),
    cursor        INTEGER NOT NULL DEFAULT 0 CHECK (cursor >= 0),
    enrolled_at   TEXT NOT NULL,
    last_sync_at  TEXT
) STRICT;

-- HQ's answer for each envelope. `sent_at` (migration 01) is when the receipt came.
ALTER TABLE outbox ADD COLUMN resolves TEXT;
ALTER TABLE outbox ADD COLUMN receipt TEXT CHECK (receipt IN ('applied', 'duplicate', 'conflict', 'rejected'));
ALTER TABLE outbox ADD COLUMN server_seq INTEGER;
ALTER TABLE outbox ADD COLUMN receipt_code TEXT;
ALTER TABLE outbox ADD COLUMN receipt_message TEXT;
-- Envelopes HQ did not apply (conflicts still to settle, rejections): their rows keep local values.
CREATE INDEX outbox_not_applied ON outbox (device_seq) WHERE receipt IN ('conflict', 'rejected');

-- Cases HQ sent: conflicts to settle, the same IIN twice, one person in two sub-projects. Replaced
-- by each pull's list.
CREATE TABLE sync_cases (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    status     TEXT NOT NULL,
    details    TEXT NOT NULL CHECK (json_valid(details)),
    opened_at  TEXT NOT NULL
) STRICT;

-- A document pulled from HQ may arrive before its scan (scans travel after the envelopes): the
-- reference to `blobs` cannot be a foreign key any more.
CREATE TABLE documents_new (
    rid          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    hlc          TEXT NOT NULL,
    owner        TEXT NOT NULL CHECK (owner IN ('person', 'mentor', 'host_org')),
    owner_id     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    issue_date   TEXT NOT NULL,
    note         TEXT,
    file_sha256  TEXT CHECK (file_sha256 IS NULL OR length(file_sha256) = 64),
    file_name    TEXT,
    file_size    INTEGER,
    region       TEXT NOT NULL
) STRICT;
INSERT INTO documents_new SELECT * FROM documents;
DROP TABLE documents;
ALTER TABLE documents_new RENAME TO documents;
CREATE INDEX documents_owner ON documents (owner, owner_id);

-- Rows HQ sent that cannot be placed here: a person whose IIN another local row holds (HQ has
-- opened a duplicate case for the pair). Kept whole until the case is settled.
CREATE TABLE sync_held (
    entity     TEXT NOT NULL,
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL,
    fields     TEXT NOT NULL CHECK (json_valid(fields)),
    reason     TEXT NOT NULL,
    held_at    TEXT NOT NULL,
    PRIMARY KEY (entity, id)
) STRICT;
