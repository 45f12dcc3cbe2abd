-- A pull may name this desk's own envelopes by their server_seq only, those HQ applied exactly as
-- written (korpus-sync's PullPage::own): the desk checks that its outbox holds each, and keeps
-- their fields while HQ's earlier changes of the same rows are applied (korpus-store src/sync.rs).
CREATE INDEX outbox_server_seq ON outbox (server_seq) WHERE server_seq IS NOT NULL;

-- Set when a settled conflict sends the pull back to the start (a row this desk removed, or fields a
-- change kept here, must come back as HQ holds them): while the cursor is below it, pages are taken
-- whole, own changes included, and applied in order. Cleared when the pull reaches HQ's head.
ALTER TABLE sync_state ADD COLUMN replay_until INTEGER NOT NULL DEFAULT 0;
