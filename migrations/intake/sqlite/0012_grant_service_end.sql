-- +goose Up
-- A provider's grant ends with its service: when the referral is completed
-- or the person left, ends_at is set to the end of the follow-up window
-- (workflow policy), and the grant is revoked once it passes.
ALTER TABLE grants ADD COLUMN ends_at TIMESTAMP;
CREATE INDEX grants_ending ON grants (ends_at) WHERE ends_at IS NOT NULL AND status = 'active';

-- +goose Down
DROP INDEX grants_ending;
ALTER TABLE grants DROP COLUMN ends_at;
