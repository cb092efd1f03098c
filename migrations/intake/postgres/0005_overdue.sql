-- +goose Up
-- An overdue reasonable-grounds decision is reported to statistics once.
ALTER TABLE case_workflow ADD COLUMN overdue_reported BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE case_workflow DROP COLUMN overdue_reported;
