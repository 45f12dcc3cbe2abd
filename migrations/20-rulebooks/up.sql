-- Rulebooks HQ publishes (issue 20, point 5): the last publication the desk took, so that a sync
-- asks only for later ones.
ALTER TABLE sync_state ADD COLUMN rulebooks_after INTEGER NOT NULL DEFAULT 0;
