-- Rulebooks HQ publishes (issue 20, point 5): a new cohort's numbers, or a later revision of a
-- cohort's, as data the desks pull or read from HQ's signed file. A version names one body for good.
CREATE TABLE rulebooks (
    seq           bigserial PRIMARY KEY,
    version       text NOT NULL UNIQUE,
    cohort        integer NOT NULL,
    schema        integer NOT NULL,
    body          text NOT NULL,
    published_at  timestamptz NOT NULL DEFAULT now()
);
