-- Once the evaluation commission has ranked an application, its members, region, path and budget
-- are fixed (src/plan.rs): a batch that changes an application or a group's members reads the
-- commission's decisions, which are few (one per cohort and region, and their replacements), through
-- this index rather than through the whole table.
CREATE INDEX rows_commission_decisions ON rows (id) WHERE entity = 'commission_decision';
