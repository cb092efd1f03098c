-- +goose Up
-- De-identified facts: pseudonymous case keys and coarse codes only.
CREATE TABLE received (
    event_id    TEXT PRIMARY KEY,
    received_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE cases (
    case_key         TEXT PRIMARY KEY,
    record_key       BIGINT NOT NULL,   -- fixed at first receipt, in [0, 2^32)
    registered       BOOLEAN NOT NULL DEFAULT FALSE,
    reg_event        TEXT NOT NULL DEFAULT '',
    identified_month TEXT NOT NULL DEFAULT '',
    region           TEXT NOT NULL DEFAULT '',
    gender           TEXT NOT NULL DEFAULT '',
    age_group        TEXT NOT NULL DEFAULT '',
    location         TEXT NOT NULL DEFAULT '',
    org_kind         TEXT NOT NULL DEFAULT '',
    route            TEXT NOT NULL DEFAULT '',
    exploitation     TEXT NOT NULL DEFAULT '',   -- comma-separated codes
    nationalities    TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX cases_month ON cases (identified_month);
CREATE TABLE links (
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    PRIMARY KEY (a, b)
);
CREATE INDEX links_b ON links (b);
CREATE TABLE events (
    event_id         TEXT PRIMARY KEY,
    case_key         TEXT NOT NULL,
    type             TEXT NOT NULL,
    month            TEXT NOT NULL,
    record_key       BIGINT NOT NULL,
    outcome          TEXT NOT NULL DEFAULT '',
    days             INTEGER,
    within_target    BOOLEAN,
    referral_key     TEXT NOT NULL DEFAULT '',
    service          TEXT NOT NULL DEFAULT '',
    response_seconds BIGINT
);
CREATE INDEX events_case ON events (case_key);
-- Aggregates, maintained in the transaction that changes a fact: per cell
-- the record count and the sum of record keys mod 2^32 (the cell key).
CREATE TABLE cells (
    tbl    TEXT NOT NULL,
    period TEXT NOT NULL,   -- YYYY-MM, YYYY-Qn or YYYY
    cell   TEXT NOT NULL,
    n      BIGINT NOT NULL,
    keysum BIGINT NOT NULL,
    PRIMARY KEY (tbl, period, cell)
);
-- Per-cell histograms of durations, for medians.
CREATE TABLE cell_values (
    tbl    TEXT NOT NULL,
    period TEXT NOT NULL,
    cell   TEXT NOT NULL,
    value  INTEGER NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (tbl, period, cell, value)
);
-- Differential-privacy releases and their cached answers.
CREATE TABLE releases (
    name          TEXT PRIMARY KEY,
    epsilon       DOUBLE PRECISION NOT NULL,
    spent         DOUBLE PRECISION NOT NULL DEFAULT 0,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE TABLE release_tables (
    release   TEXT NOT NULL REFERENCES releases (name),
    tbl       TEXT NOT NULL,
    period    TEXT NOT NULL,
    epsilon   DOUBLE PRECISION NOT NULL,
    answer    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (release, tbl, period)
);
CREATE TABLE outbox (
    seq             BIGINT PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    topic           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    delivered_at    TIMESTAMPTZ
);
CREATE INDEX outbox_pending ON outbox (topic, seq) WHERE delivered_at IS NULL;
CREATE TABLE outbox_seq (id INTEGER PRIMARY KEY CHECK (id = 1), last BIGINT NOT NULL);
INSERT INTO outbox_seq (id, last) VALUES (1, 0);

-- +goose Down
DROP TABLE outbox_seq;
DROP TABLE outbox;
DROP TABLE release_tables;
DROP TABLE releases;
DROP TABLE cell_values;
DROP TABLE cells;
DROP TABLE events;
DROP TABLE links;
DROP TABLE cases;
DROP TABLE received;
