-- A row that moved to another region (a person who moves oblast): the region it left, so that
-- the desks of that region get a gone-marker in their pull and let it go (src/pull.rs), and an
-- edit a desk of the old region sends later becomes a case rather than a silent refusal.
CREATE TABLE row_moves (
    server_seq   bigint NOT NULL REFERENCES envelopes (server_seq),
    entity       text NOT NULL,
    id           uuid NOT NULL,
    from_region  text NOT NULL,
    to_region    text NOT NULL,
    PRIMARY KEY (server_seq, entity, id)
);
CREATE INDEX row_moves_from ON row_moves (from_region, server_seq);
CREATE INDEX row_moves_row ON row_moves (entity, id);

ALTER TABLE cases DROP CONSTRAINT cases_kind_check;
ALTER TABLE cases ADD CONSTRAINT cases_kind_check
    CHECK (kind IN ('conflict', 'duplicate_iin', 'person_in_two_subprojects', 'host_org_over_limit',
                    'device_seq_gap', 'device_seq_reused', 'moved_row_edit'));
