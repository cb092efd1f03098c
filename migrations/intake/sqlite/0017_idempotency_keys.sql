-- +goose Up
-- Requests a client may retry carry an Idempotency-Key: one row per
-- caller, operation and key, written in the request's own transaction
-- (pkg/idempotency). No personal data and nothing the client chose in
-- clear: key_mac is an HMAC of the caller, the operation and the key;
-- body_mac an HMAC of the request's canonical JSON; then the outcome's
-- status, code and the ids it is rebuilt from. Times are Unix seconds.
CREATE TABLE idempotency_keys (
    key_mac    TEXT PRIMARY KEY,
    operation  TEXT NOT NULL,
    body_mac   TEXT NOT NULL,
    status     INTEGER NOT NULL,
    code       TEXT NOT NULL,
    ids        TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
