-- A conflict settled at the desk: the envelope HQ answered `conflict` is superseded by the one
-- that carries the coordinator's choice. Its fields are then no longer held against HQ's values.
ALTER TABLE outbox ADD COLUMN superseded_by TEXT;
