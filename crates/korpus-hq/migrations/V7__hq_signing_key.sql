-- HQ's own Ed25519 key: it signs answer files, pull pages and push receipts, and its public key
-- reaches each desk at enrolment. Made by the first `korpus-hq migrate` or `serve` that finds none
-- (src/db.rs). Kept in the database, whose access already allows writing anything a desk would
-- believe; a key file beside it would be one more secret to carry between HQ's machines.
CREATE TABLE hq_signing_key (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    secret      bytea NOT NULL CHECK (octet_length(secret) = 32),
    created_at  timestamptz NOT NULL DEFAULT now()
);
