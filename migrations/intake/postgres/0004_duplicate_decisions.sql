-- +goose Up
-- A possible duplicate is decided once by a coordinator or decision maker:
-- the same person (confirmed: statistics count the two cases once) or not
-- (rejected). Codes, who and when only.
ALTER TABLE duplicates ADD COLUMN status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'confirmed', 'rejected'));
ALTER TABLE duplicates ADD COLUMN decided_by TEXT NOT NULL DEFAULT '';
ALTER TABLE duplicates ADD COLUMN decided_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE duplicates DROP COLUMN decided_at;
ALTER TABLE duplicates DROP COLUMN decided_by;
ALTER TABLE duplicates DROP COLUMN status;
