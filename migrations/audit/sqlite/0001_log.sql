-- +goose Up
-- The audit log: an RFC 6962 Merkle log of audit events with signed
-- checkpoints. Every column holds a code, an id, a time or a hash; the
-- CHECK constraints keep free text (and so personal data) out. Every table
-- is append-only: the triggers below refuse UPDATE and DELETE.

CREATE TABLE events (
    idx         INTEGER PRIMARY KEY CHECK (idx >= 0),
    id          TEXT NOT NULL UNIQUE CHECK (length(id) = 36 AND id NOT GLOB '*[^A-Za-z0-9-]*'),
    at          TIMESTAMP NOT NULL,
    actor_user  TEXT NOT NULL CHECK (length(actor_user) <= 128 AND actor_user NOT GLOB '*[^A-Za-z0-9._:/-]*'),
    actor_org   TEXT NOT NULL CHECK (length(actor_org) <= 128 AND actor_org NOT GLOB '*[^A-Za-z0-9._:/-]*'),
    actor_role  TEXT NOT NULL CHECK (length(actor_role) <= 256 AND actor_role NOT GLOB '*[^a-z_,]*'),
    action      TEXT NOT NULL CHECK (length(action) <= 128 AND action GLOB '[a-z]*.[a-z]*'
                    AND action NOT GLOB '*[^a-z0-9_.]*' AND action NOT GLOB '*..*' AND action NOT GLOB '*.'
                    AND action NOT GLOB '*.[^a-z]*'),
    object_type TEXT NOT NULL CHECK (length(object_type) <= 128 AND object_type NOT GLOB '*[^A-Za-z0-9._:/-]*'),
    object_id   TEXT NOT NULL CHECK (length(object_id) <= 128 AND object_id NOT GLOB '*[^A-Za-z0-9._:/-]*'),
    outcome     TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied', 'failed')),
    request_id  TEXT NOT NULL CHECK (length(request_id) <= 128 AND request_id NOT GLOB '*[^A-Za-z0-9._:/-]*'),
    client_hash TEXT NOT NULL CHECK (length(client_hash) <= 64 AND client_hash NOT GLOB '*[^0-9a-f]*'),
    source      TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 31 AND source GLOB '[a-z]*' AND source NOT GLOB '*[^a-z0-9_]*'),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    UNIQUE (source, seq)
);
CREATE INDEX events_object ON events (object_type, object_id, idx);
CREATE INDEX events_actor ON events (actor_user, idx);
CREATE INDEX events_org ON events (actor_org, idx);
CREATE INDEX events_action ON events (action, idx);
CREATE INDEX events_at ON events (at);

-- The Merkle tree's stored hashes, numbered as tlog.StoredHashIndex does.
CREATE TABLE hashes (
    idx  INTEGER PRIMARY KEY CHECK (idx >= 0),
    hash BLOB NOT NULL CHECK (typeof(hash) = 'blob' AND length(hash) = 32)
);

-- Signed checkpoints (C2SP checkpoint notes).
CREATE TABLE checkpoints (
    size       INTEGER PRIMARY KEY CHECK (size > 0),
    root       BLOB NOT NULL CHECK (typeof(root) = 'blob' AND length(root) = 32),
    note       TEXT NOT NULL CHECK (length(note) <= 2048),
    created_at TIMESTAMP NOT NULL
);

-- Missing sequence numbers of a source, as first noticed.
CREATE TABLE gaps (
    source      TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 31 AND source NOT GLOB '*[^a-z0-9_]*'),
    first_seq   INTEGER NOT NULL CHECK (first_seq >= 1),
    last_seq    INTEGER NOT NULL CHECK (last_seq >= first_seq),
    detected_at TIMESTAMP NOT NULL,
    event_id    TEXT NOT NULL CHECK (length(event_id) = 36 AND event_id NOT GLOB '*[^A-Za-z0-9-]*'),
    PRIMARY KEY (source, first_seq)
);

-- +goose StatementBegin
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE on events refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE on events refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hashes_no_update BEFORE UPDATE ON hashes
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE on hashes refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER hashes_no_delete BEFORE DELETE ON hashes
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE on hashes refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE on checkpoints refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE on checkpoints refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER gaps_no_update BEFORE UPDATE ON gaps
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE on gaps refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER gaps_no_delete BEFORE DELETE ON gaps
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE on gaps refused'); END;
-- +goose StatementEnd
