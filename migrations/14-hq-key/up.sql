-- HQ's Ed25519 public key (hex), from the enrolment (or, for a desk enrolled before HQ had one,
-- from HQ's capabilities at the next online sync): answer files, pull pages and push receipts
-- are believed only when they verify with it.
ALTER TABLE sync_state ADD COLUMN hq_public_key TEXT;
