-- +goose Up
-- Children table: whether a case was registered as a child (or presumed
-- one) and as unaccompanied or separated: codes of the registration.
ALTER TABLE cases ADD COLUMN treated_as_child BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN unaccompanied BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE cases DROP COLUMN unaccompanied;
ALTER TABLE cases DROP COLUMN treated_as_child;
