-- EduPulse Live, schema version 2: learning pulses and student submissions.

CREATE TABLE learning_pulse (
    id         uuid        PRIMARY KEY,
    author_id  uuid        NOT NULL,
    title      text        NOT NULL,
    closed_at  timestamptz,
    created_at timestamptz NOT NULL,
    version    bigint      NOT NULL
);

CREATE TABLE learning_submission (
    id         uuid        PRIMARY KEY,
    pulse_id   uuid        NOT NULL REFERENCES learning_pulse (id),
    student_id uuid        NOT NULL,
    answer     text        NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE INDEX learning_submission_pulse_idx ON learning_submission (pulse_id);
