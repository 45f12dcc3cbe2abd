-- At most seven applications per host organisation and cohort, counted over the whole programme
-- (PROGRAMME.md P:20; src/limits.rs): an eighth arriving from any desk opens a case for the desks
-- concerned, as a duplicate does; the count reads a host organisation's applications by this index.
ALTER TABLE cases DROP CONSTRAINT cases_kind_check;
ALTER TABLE cases ADD CONSTRAINT cases_kind_check
    CHECK (kind IN ('conflict', 'duplicate_iin', 'person_in_two_subprojects', 'host_org_over_limit'));
CREATE INDEX rows_applications_by_host_org ON rows ((fields ->> 'host_org_id'))
    WHERE entity = 'application' AND NOT deleted;
