-- A row HQ sent is held, rather than stop the pull, also when it names a record this desk does not
-- have (a member whose person never reached it) or when HQ removed a record that a row here still
-- names: the removal is held (`deleted` = 1) and the record kept until nothing names it. `reason`
-- is a code the desk renders in the coordinator's language:
--   unique:<SQLite's message>          another local row holds its IIN or BIN
--   missing:<entity>:<id>              it names a record this desk does not have
--   named:<entity>:<id>                a row here still names the record HQ removed
-- Held rows are tried again after every pull.
ALTER TABLE sync_held ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1));
UPDATE sync_held SET reason = 'unique:' || reason WHERE reason NOT LIKE 'unique:%';
