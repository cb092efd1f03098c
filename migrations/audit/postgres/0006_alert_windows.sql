-- +goose Up
-- Alert windows are counted from the log itself (services/audit/alertwindow.go),
-- so that every replica of the audit service counts the same events: a
-- user's (or a signed-out client's) events within the window are a short
-- range scan.
CREATE INDEX events_actor_at ON events (actor_user, at);
CREATE INDEX events_client_at ON events (client_hash, at) WHERE actor_user = '';

-- +goose Down
DROP INDEX events_client_at;
DROP INDEX events_actor_at;
