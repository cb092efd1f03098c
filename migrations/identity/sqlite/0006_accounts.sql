-- +goose Up
-- Accounts: who granted a user's roles; the second factor's state (pending
-- enrolment, active, suspended after too many wrong codes), a pending
-- replacement secret and the run of wrong codes; when a session was last
-- used; one-time password-reset tokens (stored as an HMAC, single use).
ALTER TABLE users ADD COLUMN created_by TEXT;
ALTER TABLE users ADD COLUMN totp_state TEXT NOT NULL DEFAULT 'active'
    CHECK (totp_state IN ('pending', 'active', 'suspended'));
ALTER TABLE users ADD COLUMN totp_pending BLOB;            -- sealed like totp_secret, AAD = id
ALTER TABLE users ADD COLUMN totp_pending_until TIMESTAMP;  -- end of the enrolment window
ALTER TABLE users ADD COLUMN totp_failures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_failed_at TIMESTAMP;
ALTER TABLE sessions ADD COLUMN last_used_at TIMESTAMP;

CREATE TABLE password_resets (
    hash       TEXT PRIMARY KEY,            -- HMAC-SHA256 of the token, hex
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX password_resets_user ON password_resets (user_id);

-- +goose Down
DROP TABLE password_resets;
ALTER TABLE sessions DROP COLUMN last_used_at;
ALTER TABLE users DROP COLUMN totp_failed_at;
ALTER TABLE users DROP COLUMN totp_failures;
ALTER TABLE users DROP COLUMN totp_pending_until;
ALTER TABLE users DROP COLUMN totp_pending;
ALTER TABLE users DROP COLUMN totp_state;
ALTER TABLE users DROP COLUMN created_by;
