-- +goose Up
-- A conclusive decision made before the reflection period ends names the
-- person's recorded request to proceed early.
ALTER TABLE decisions ADD COLUMN early_request_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE decisions DROP COLUMN early_request_id;
