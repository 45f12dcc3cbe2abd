-- Blocks of certificate numbers, reserved for one device each. `certificate_series` holds the next
-- number of each cohort; a reservation takes its row's lock, so two devices asking at once get
-- ranges that do not meet, and a number is handed out once in the whole programme.
CREATE TABLE certificate_series (
    cohort  integer PRIMARY KEY,
    next    integer NOT NULL CHECK (next >= 1)
);

CREATE TABLE certificate_blocks (
    cohort       integer NOT NULL,
    first        integer NOT NULL CHECK (first >= 1),
    last         integer NOT NULL CHECK (last >= first),
    device       uuid NOT NULL REFERENCES devices (id),
    reserved_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (cohort, first)
);
CREATE INDEX certificate_blocks_device ON certificate_blocks (device, cohort);

-- A certificate is verified by its number.
CREATE INDEX rows_certificate_number ON rows ((fields ->> 'number')) WHERE entity = 'certificate';
