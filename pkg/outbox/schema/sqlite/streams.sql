-- +goose Up
-- Messages are numbered per topic, by the relay after they commit, instead
-- of by every writer under one service-wide lock (see pkg/outbox): each
-- receiver sees a gap-free stream of its own topic. Numbers already given
-- stay; each topic's new numbers continue after its highest still in the
-- outbox or, when none is left, after the highest given to any topic.
CREATE TABLE outbox_new (
    pos             INTEGER PRIMARY KEY,
    seq             BIGINT,
    id              TEXT NOT NULL UNIQUE,
    topic           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP,
    UNIQUE (topic, seq)
);
INSERT INTO outbox_new (pos, seq, id, topic, payload, created_at, attempts, next_attempt_at, delivered_at)
    SELECT seq, seq, id, topic, payload, created_at, attempts, next_attempt_at, delivered_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_unnumbered ON outbox (topic, pos) WHERE seq IS NULL;
CREATE INDEX outbox_pending ON outbox (topic, seq) WHERE delivered_at IS NULL;
CREATE TABLE outbox_streams (topic TEXT PRIMARY KEY, last BIGINT NOT NULL);
INSERT INTO outbox_streams (topic, last)
    SELECT t.column1, COALESCE((SELECT MAX(o.seq) FROM outbox o WHERE o.topic = t.column1), s.last)
    FROM outbox_seq s, (VALUES ('audit'), ('stats')) AS t;
DROP TABLE outbox_seq;
ALTER TABLE outbox_streams RENAME TO outbox_seq;

-- +goose Down
CREATE TABLE outbox_old (
    seq             BIGINT PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    topic           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP
);
INSERT INTO outbox_old (seq, id, topic, payload, created_at, attempts, next_attempt_at, delivered_at)
    SELECT pos, id, topic, payload, created_at, attempts, next_attempt_at, delivered_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_old RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (topic, seq) WHERE delivered_at IS NULL;
CREATE TABLE outbox_one (id INTEGER PRIMARY KEY CHECK (id = 1), last BIGINT NOT NULL);
INSERT INTO outbox_one (id, last) SELECT 1, COALESCE(MAX(seq), 0) FROM outbox;
DROP TABLE outbox_seq;
ALTER TABLE outbox_one RENAME TO outbox_seq;
