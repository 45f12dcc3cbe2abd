-- Printing: a certificate keeps the signature of the device that issued it (the QR carries it),
-- and its number comes from a block: one HQ reserved for this device, or the device's own series
-- before it has one. `next` only grows: a number is never drawn twice.
ALTER TABLE certificates ADD COLUMN signature TEXT NOT NULL DEFAULT '';

CREATE TABLE certificate_blocks (
    rid          INTEGER PRIMARY KEY,
    cohort       INTEGER NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('hq', 'local')),
    first        INTEGER NOT NULL CHECK (first >= 1),
    last         INTEGER NOT NULL CHECK (last >= first),
    next         INTEGER NOT NULL CHECK (next BETWEEN first AND last + 1),
    received_at  TEXT NOT NULL,
    UNIQUE (cohort, source, first)
) STRICT;
