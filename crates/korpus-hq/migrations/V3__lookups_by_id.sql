-- A batch looks its rows up by id and finds duplicates by IIN and person (src/push.rs), with
-- arrays of keys and generic plans. With the entity leading the primary key, `entity = 'person'`
-- matched that index too, and on a table without statistics yet the planner read every person
-- through it to find 500 IINs (200 ms a batch). With the id leading, only the partial indexes
-- serve those lookups.
ALTER TABLE rows DROP CONSTRAINT rows_pkey, ADD PRIMARY KEY (id, entity);
