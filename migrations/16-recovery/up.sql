-- When the database was last given a key made from a recovery code (korpus-store keys.rs,
-- RecoveryCode): the code itself is shown once and kept nowhere. NULL for a database whose key
-- was made at random (before this migration) or is a passphrase: the desk then offers to make one.
ALTER TABLE device ADD COLUMN recovery_made_at TEXT;
