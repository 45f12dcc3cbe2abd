-- The history of records written on other desks, as HQ delivered it: who (the envelope's author,
-- and device), when (its clock) and which fields of which record changed here. This desk's own
-- changes are in the outbox; together they are a record's history (`Store::history`).
CREATE TABLE pulled_changes (
    rid          INTEGER PRIMARY KEY,
    server_seq   INTEGER NOT NULL,
    envelope_id  TEXT NOT NULL,
    device       TEXT NOT NULL,
    author       TEXT NOT NULL,
    hlc          TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    op           TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    fields       TEXT NOT NULL CHECK (json_valid(fields)),
    UNIQUE (server_seq, entity, entity_id)
) STRICT;
CREATE INDEX pulled_changes_record ON pulled_changes (entity_id);
