-- +goose Up
-- The auditors' filters page through the log in index order (idx > cursor
-- ORDER BY idx LIMIT n). Each equality filter needs an index whose last
-- column is idx, so that a page is a short range scan: outcome (denials)
-- and an object type on its own had none and scanned the log, and an
-- organisation's actions of one kind crossed two indexes. A time window
-- is turned into bounds on idx through (at, idx), read from the index
-- alone (store.go).
CREATE INDEX events_outcome ON events (outcome, idx);
CREATE INDEX events_object_type ON events (object_type, idx);
CREATE INDEX events_org_action ON events (actor_org, action, idx);
CREATE INDEX events_at_idx ON events (at, idx);
DROP INDEX events_at;

-- +goose Down
CREATE INDEX events_at ON events (at);
DROP INDEX events_at_idx;
DROP INDEX events_org_action;
DROP INDEX events_object_type;
DROP INDEX events_outcome;
