-- +goose Up
CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    region     TEXT,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    org_id         TEXT NOT NULL REFERENCES orgs (id),
    roles          TEXT NOT NULL,           -- sorted, comma-separated
    status         TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    password_hash  TEXT NOT NULL,           -- argon2id PHC string
    totp_secret    BLOB NOT NULL,          -- XChaCha20-Poly1305 nonce || ciphertext, AAD = id
    totp_last_step BIGINT NOT NULL DEFAULT 0,
    mac            TEXT NOT NULL,           -- HMAC over id, org, roles, status, email
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX users_org ON users (org_id);

CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
    hash       TEXT PRIMARY KEY,            -- HMAC-SHA256 of the token, hex
    session_id TEXT NOT NULL REFERENCES sessions (id),
    created_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Revocations are numbered from a locked counter, so numbers follow commit
-- order and a poller reading "after n" never skips one.
CREATE TABLE revocations (
    seq        BIGINT PRIMARY KEY,
    session_id TEXT NOT NULL,
    revoked_at TIMESTAMP NOT NULL
);
CREATE INDEX revocations_time ON revocations (revoked_at);
CREATE TABLE revocation_seq (id INTEGER PRIMARY KEY CHECK (id = 1), last BIGINT NOT NULL);
INSERT INTO revocation_seq (id, last) VALUES (1, 0);

CREATE TABLE outbox (
    seq             BIGINT PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    topic           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    delivered_at    TIMESTAMP
);
CREATE INDEX outbox_pending ON outbox (topic, seq) WHERE delivered_at IS NULL;
CREATE TABLE outbox_seq (id INTEGER PRIMARY KEY CHECK (id = 1), last BIGINT NOT NULL);
INSERT INTO outbox_seq (id, last) VALUES (1, 0);

-- +goose Down
DROP TABLE outbox_seq;
DROP TABLE outbox;
DROP TABLE revocation_seq;
DROP TABLE revocations;
DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE orgs;
