-- A pull may name this desk's own envelopes by their server_seq only, those HQ applied exactly as
-- written (korpus-sync's PullPage::own): the desk checks that its outbox holds each, and keeps
-- their fields while HQ's earlier changes of the same rows are applied (korpus-store src/sync.rs).
CREATE INDEX outbox_server_seq ON outbox (server_seq) WHERE server_seq IS NOT NULL;

-- Where the pull stood before a settled conflict sent it back to the start (a row this desk removed
-- must come back whole): until the cursor passes it again, pages are taken whole, own changes
-- included, since the desk's rows are then older than what it wrote itself.
ALTER TABLE sync_state ADD COLUMN replay_until INTEGER NOT NULL DEFAULT 0;
