-- The tables a push writes under the sequence lock keep no foreign keys: PostgreSQL checks each
-- one row by row (a query per row), and those checks were 23% of PostgreSQL's time under the
-- lock in bench/hq (2,500 a 500-envelope batch). Only push.rs writes these tables, in one
-- transaction, envelopes first; devices and envelopes are never deleted. The soak's checker
-- asserts what the keys asserted (docs/decisions.md, "HQ under load").
ALTER TABLE receipts DROP CONSTRAINT receipts_server_seq_fkey;
ALTER TABLE receipts DROP CONSTRAINT receipts_device_fkey;
ALTER TABLE envelopes DROP CONSTRAINT envelopes_device_fkey;
ALTER TABLE rows DROP CONSTRAINT rows_server_seq_fkey;
ALTER TABLE row_changes DROP CONSTRAINT row_changes_server_seq_fkey;
ALTER TABLE row_moves DROP CONSTRAINT row_moves_server_seq_fkey;
