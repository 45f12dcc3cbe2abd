-- How often the desk syncs by itself when enrolled and HQ is reachable, in minutes (0: only when
-- asked). It also syncs as soon as HQ becomes reachable after being away.
ALTER TABLE device ADD COLUMN auto_sync_minutes INTEGER NOT NULL DEFAULT 30
    CHECK (auto_sync_minutes BETWEEN 0 AND 1440);
