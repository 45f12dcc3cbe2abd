-- A hole in a device's numbering (an envelope lost, or refused unrecorded) and numbers a device
-- used twice with other content (a desk restored from an older copy of its database) are cases
-- for the device's regions (src/push.rs, watch_sequence).
ALTER TABLE cases DROP CONSTRAINT cases_kind_check;
ALTER TABLE cases ADD CONSTRAINT cases_kind_check
    CHECK (kind IN ('conflict', 'duplicate_iin', 'person_in_two_subprojects', 'host_org_over_limit',
                    'device_seq_gap', 'device_seq_reused'));
