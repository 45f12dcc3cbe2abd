-- HQ's certificate (PEM) as given at enrolment, when HQ's is its own rather than one the system
-- trusts: the desk then trusts that certificate alone for HQ (pinned). NULL: the system's roots.
ALTER TABLE sync_state ADD COLUMN hq_certificate TEXT;
