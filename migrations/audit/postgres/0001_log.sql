-- +goose Up
-- The audit log: an RFC 6962 Merkle log of audit events with signed
-- checkpoints. Every column holds a code, an id, a time or a hash; the
-- CHECK constraints keep free text (and so personal data) out. Every table
-- is append-only: the service role is granted SELECT and INSERT only, and
-- the triggers below refuse UPDATE, DELETE and TRUNCATE to anyone.

CREATE TABLE events (
    idx         BIGINT PRIMARY KEY CHECK (idx >= 0),
    id          TEXT NOT NULL UNIQUE CHECK (id ~ '^[A-Za-z0-9-]{36}$'),
    at          TIMESTAMPTZ NOT NULL,
    actor_user  TEXT NOT NULL CHECK (actor_user ~ '^[A-Za-z0-9._:/-]{0,128}$'),
    actor_org   TEXT NOT NULL CHECK (actor_org ~ '^[A-Za-z0-9._:/-]{0,128}$'),
    actor_role  TEXT NOT NULL CHECK (length(actor_role) <= 256 AND actor_role ~ '^[a-z_,]*$'),
    action      TEXT NOT NULL CHECK (length(action) <= 128 AND action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
    object_type TEXT NOT NULL CHECK (object_type ~ '^[A-Za-z0-9._:/-]{0,128}$'),
    object_id   TEXT NOT NULL CHECK (object_id ~ '^[A-Za-z0-9._:/-]{0,128}$'),
    outcome     TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied', 'failed')),
    request_id  TEXT NOT NULL CHECK (request_id ~ '^[A-Za-z0-9._:/-]{0,128}$'),
    client_hash TEXT NOT NULL CHECK (client_hash ~ '^[0-9a-f]{0,64}$'),
    source      TEXT NOT NULL CHECK (source ~ '^[a-z][a-z0-9_]{0,30}$'),
    seq         BIGINT NOT NULL CHECK (seq >= 1),
    UNIQUE (source, seq)
);
CREATE INDEX events_object ON events (object_type, object_id, idx);
CREATE INDEX events_actor ON events (actor_user, idx);
CREATE INDEX events_org ON events (actor_org, idx);
CREATE INDEX events_action ON events (action, idx);
CREATE INDEX events_at ON events (at);

-- The Merkle tree's stored hashes, numbered as tlog.StoredHashIndex does.
CREATE TABLE hashes (
    idx  BIGINT PRIMARY KEY CHECK (idx >= 0),
    hash BYTEA NOT NULL CHECK (octet_length(hash) = 32)
);

-- Signed checkpoints (C2SP checkpoint notes).
CREATE TABLE checkpoints (
    size       BIGINT PRIMARY KEY CHECK (size > 0),
    root       BYTEA NOT NULL CHECK (octet_length(root) = 32),
    note       TEXT NOT NULL CHECK (length(note) <= 2048 AND note ~ '^[A-Za-z0-9._:/+=\n —-]+$'),
    created_at TIMESTAMPTZ NOT NULL
);

-- Missing sequence numbers of a source, as first noticed.
CREATE TABLE gaps (
    source      TEXT NOT NULL CHECK (source ~ '^[a-z][a-z0-9_]{0,30}$'),
    first_seq   BIGINT NOT NULL CHECK (first_seq >= 1),
    last_seq    BIGINT NOT NULL CHECK (last_seq >= first_seq),
    detected_at TIMESTAMPTZ NOT NULL,
    event_id    TEXT NOT NULL CHECK (event_id ~ '^[A-Za-z0-9-]{36}$'),
    PRIMARY KEY (source, first_seq)
);

-- +goose StatementBegin
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER hashes_append_only BEFORE UPDATE OR DELETE ON hashes FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER hashes_no_truncate BEFORE TRUNCATE ON hashes FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER gaps_append_only BEFORE UPDATE OR DELETE ON gaps FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER gaps_no_truncate BEFORE TRUNCATE ON gaps FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
