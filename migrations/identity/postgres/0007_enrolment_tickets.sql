-- +goose Up
-- Enrolment tickets: a user fetches a pending second-factor secret with
-- their password AND a single-use ticket an administrator handed them in
-- person (stored as an HMAC, like password-reset tokens).
CREATE TABLE enrolment_tickets (
    hash       TEXT PRIMARY KEY,            -- HMAC-SHA256 of the ticket, hex
    user_id    UUID NOT NULL REFERENCES users (id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX enrolment_tickets_user ON enrolment_tickets (user_id);

-- +goose Down
DROP TABLE enrolment_tickets;
