-- Backups of this database (korpus-store backup.rs): where they go (NULL: the `backups` folder
-- beside the database) and how many of this device's are kept; and the backups made, so the desk
-- knows the last one's age when the folder (a USB stick) is not plugged in.
ALTER TABLE device ADD COLUMN backup_folder TEXT;
ALTER TABLE device ADD COLUMN backup_keep INTEGER NOT NULL DEFAULT 14 CHECK (backup_keep BETWEEN 1 AND 365);

CREATE TABLE backups (
    file     TEXT PRIMARY KEY,
    made_at  TEXT NOT NULL,
    reason   TEXT NOT NULL CHECK (reason IN ('manual', 'daily', 'before_migration', 'before_update', 'before_restore')),
    bytes    INTEGER NOT NULL CHECK (bytes > 0)
) STRICT;
CREATE INDEX backups_made_at ON backups (made_at);
