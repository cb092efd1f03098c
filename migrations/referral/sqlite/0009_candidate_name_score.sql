-- +goose Up
-- A candidate keeps the provider's name and the score it was ranked with,
-- so the referral shows what the routing preview showed.
ALTER TABLE referral_candidates ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE referral_candidates ADD COLUMN score REAL NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE referral_candidates DROP COLUMN score;
ALTER TABLE referral_candidates DROP COLUMN name;
