-- Replacing a lost laptop (issue 20, point 8). The desk that replaces it replays the unsent
-- envelopes of the lost desk's last backup as that device's own: they arrive 'replay'.
ALTER TABLE envelopes DROP CONSTRAINT envelopes_via_check;
ALTER TABLE envelopes ADD CONSTRAINT envelopes_via_check CHECK (via IN ('online', 'file', 'replay'));

-- When a device is revoked its blocks are retired: the numbers it used stay genuine (up to
-- `used_up_to`, NULL for none), the rest are valid for nobody from then on.
ALTER TABLE certificate_blocks ADD COLUMN retired_at timestamptz;
ALTER TABLE certificate_blocks ADD COLUMN used_up_to integer;
ALTER TABLE certificate_blocks ADD CONSTRAINT certificate_blocks_used_within
    CHECK (used_up_to IS NULL OR (used_up_to BETWEEN first AND last));
