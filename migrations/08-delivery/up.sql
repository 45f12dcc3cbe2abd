-- Programme delivery (issue 6): the training calendar and attendance, mentors' assignments and
-- sessions with their protocols, and the grievance log with its history. Grievances, sessions,
-- attendance and assignments are never removed (an assignment ends with a date); a grievance's
-- steps are recorded once.
CREATE TABLE training_events (
    rid            INTEGER PRIMARY KEY,
    id             TEXT NOT NULL UNIQUE,
    version        INTEGER NOT NULL CHECK (version >= 1),
    hlc            TEXT NOT NULL,
    cohort         INTEGER NOT NULL,
    region         TEXT NOT NULL,
    stage          TEXT NOT NULL,
    dates          TEXT NOT NULL CHECK (json_valid(dates)),
    hours_per_day  INTEGER NOT NULL,
    venue          TEXT,
    trainers       TEXT,
    notes          TEXT
) STRICT;
CREATE INDEX training_events_region ON training_events (cohort, region);

CREATE TABLE attendance (
    rid          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    version      INTEGER NOT NULL CHECK (version >= 1),
    hlc          TEXT NOT NULL,
    cohort       INTEGER NOT NULL,
    region       TEXT NOT NULL,
    event_id     TEXT NOT NULL REFERENCES training_events (id),
    attendee     TEXT NOT NULL CHECK (attendee IN ('person', 'mentor')),
    attendee_id  TEXT NOT NULL,
    day          INTEGER NOT NULL CHECK (day >= 1),
    present      INTEGER NOT NULL CHECK (present IN (0, 1)),
    UNIQUE (event_id, attendee_id, day)
) STRICT;
CREATE INDEX attendance_attendee ON attendance (attendee_id);

CREATE TABLE mentor_assignments (
    rid             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL CHECK (version >= 1),
    hlc             TEXT NOT NULL,
    cohort          INTEGER NOT NULL,
    region          TEXT NOT NULL,
    mentor_id       TEXT NOT NULL REFERENCES mentors (id),
    application_id  TEXT NOT NULL REFERENCES applications (id),
    assigned_on     TEXT NOT NULL,
    ended_on        TEXT,
    end_reason      TEXT
) STRICT;
CREATE INDEX mentor_assignments_mentor ON mentor_assignments (mentor_id);
CREATE INDEX mentor_assignments_application ON mentor_assignments (application_id);

CREATE TABLE mentor_sessions (
    rid             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    version         INTEGER NOT NULL CHECK (version >= 1),
    hlc             TEXT NOT NULL,
    cohort          INTEGER NOT NULL,
    region          TEXT NOT NULL,
    mentor_id       TEXT NOT NULL REFERENCES mentors (id),
    application_id  TEXT NOT NULL REFERENCES applications (id),
    held_on         TEXT NOT NULL,
    starts_at       TEXT NOT NULL,
    minutes         INTEGER NOT NULL CHECK (minutes >= 1),
    kind            TEXT NOT NULL CHECK (kind IN ('group', 'individual')),
    attendees       TEXT NOT NULL CHECK (json_valid(attendees)),
    topics          TEXT,
    problems        TEXT,
    next_steps      TEXT,
    notes           TEXT,
    protocol_on     TEXT
) STRICT;
CREATE INDEX mentor_sessions_mentor ON mentor_sessions (mentor_id, held_on);

CREATE TABLE grievances (
    rid              INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    version          INTEGER NOT NULL CHECK (version >= 1),
    hlc              TEXT NOT NULL,
    cohort           INTEGER NOT NULL,
    region           TEXT NOT NULL,
    received_on      TEXT NOT NULL,
    channel          TEXT NOT NULL,
    kind             TEXT NOT NULL,
    category         TEXT NOT NULL,
    anonymous        INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    from_name        TEXT,
    from_contact     TEXT,
    application_id   TEXT,
    mentor_id        TEXT,
    text             TEXT NOT NULL,
    status           TEXT NOT NULL,
    acknowledged_on  TEXT,
    assigned_to      TEXT,
    resolved_on      TEXT,
    resolution       TEXT,
    closed_on        TEXT,
    reopened_on      TEXT
) STRICT;
CREATE INDEX grievances_region ON grievances (cohort, region, status);

CREATE TABLE grievance_actions (
    rid           INTEGER PRIMARY KEY,
    id            TEXT NOT NULL UNIQUE,
    version       INTEGER NOT NULL CHECK (version >= 1),
    hlc           TEXT NOT NULL,
    cohort        INTEGER NOT NULL,
    region        TEXT NOT NULL,
    grievance_id  TEXT NOT NULL REFERENCES grievances (id),
    step          TEXT NOT NULL,
    taken_on      TEXT NOT NULL,
    taken_by      TEXT NOT NULL,
    note          TEXT
) STRICT;
CREATE INDEX grievance_actions_grievance ON grievance_actions (grievance_id);
