-- +goose Up
-- Coded attributes the commission's tables need: an unaccompanied or
-- separated child, and the international-protection status as a code only
-- ('' when not recorded). Documents and proceedings stay in the sealed
-- legal section.
ALTER TABLE cases ADD COLUMN unaccompanied BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN protection_status TEXT NOT NULL DEFAULT ''
    CHECK (protection_status IN ('', 'refugee', 'asylum_seeker', 'none', 'unknown'));

-- +goose Down
ALTER TABLE cases DROP COLUMN protection_status;
ALTER TABLE cases DROP COLUMN unaccompanied;
