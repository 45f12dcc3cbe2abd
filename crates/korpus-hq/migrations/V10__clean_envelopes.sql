-- An envelope HQ applied as its device wrote it: every op on the row at the version the device
-- changed it from (so every row ends at base_version + 1 with the device's own values), and no row
-- moved to another region. The device already holds those rows exactly: its pull leaves them out
-- when it asks (`own=brief`, src/pull.rs) and names their server_seq instead. Envelopes applied
-- before this migration are taken as not clean: they come back whole, as they always did.
ALTER TABLE envelopes ADD COLUMN clean boolean NOT NULL DEFAULT false;
CREATE INDEX envelopes_clean ON envelopes (device, server_seq) WHERE clean;

-- An envelope's body is kept as it came, for staff and audits, and never searched inside: `json`
-- (checked, stored as text) costs PostgreSQL a fraction of `jsonb`'s parsing on the push's path,
-- under the sequence lock (bench/hq). The one field a pull reads from it, the writer's clock, gets a
-- column of its own.
ALTER TABLE envelopes ADD COLUMN hlc text NOT NULL DEFAULT '';
UPDATE envelopes SET hlc = coalesce(body ->> 'hlc', '');
ALTER TABLE envelopes ALTER COLUMN body TYPE json USING body::json;
