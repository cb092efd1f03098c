-- +goose Up
-- An external referral is the owner's disclosure: the kind of the
-- receiving organisation (the workflow policy's recipient kinds), the id
-- of the disclosure intake recorded in the case once it was authorised,
-- and, across a border, the second person who approved it.
ALTER TABLE referral_disclosures ADD COLUMN recipient_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE referral_disclosures ADD COLUMN disclosure_id TEXT NOT NULL DEFAULT '';
ALTER TABLE referral_disclosures ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';
ALTER TABLE referral_disclosures ADD COLUMN approved_at TIMESTAMP;

-- +goose Down
ALTER TABLE referral_disclosures DROP COLUMN approved_at;
ALTER TABLE referral_disclosures DROP COLUMN approved_by;
ALTER TABLE referral_disclosures DROP COLUMN disclosure_id;
ALTER TABLE referral_disclosures DROP COLUMN recipient_kind;
