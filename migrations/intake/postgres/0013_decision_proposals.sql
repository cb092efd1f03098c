-- +goose Up
-- A confirmed negative decision keeps the proposer's sealed reasons beside
-- the confirmer's; a move onto the NRM route names the consent record it
-- rests on.
ALTER TABLE decisions ADD COLUMN proposal_entry_id TEXT NOT NULL DEFAULT '';
ALTER TABLE decisions ADD COLUMN consent_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE decisions DROP COLUMN consent_id;
ALTER TABLE decisions DROP COLUMN proposal_entry_id;
