-- +goose Up
-- An external referral's package is built once, when the disclosure is
-- recorded (approved, across a border), from the sections as they were
-- then: encrypted to the recipient (armored age, which this system cannot
-- open) with its SHA-256. Every download hands out these bytes, within
-- the policy's count and window; after them the package is cleared.
ALTER TABLE referral_disclosures ADD COLUMN package TEXT NOT NULL DEFAULT '';
ALTER TABLE referral_disclosures ADD COLUMN package_sha256 TEXT NOT NULL DEFAULT '';
ALTER TABLE referral_disclosures ADD COLUMN package_built_at TIMESTAMP;

-- +goose Down
ALTER TABLE referral_disclosures DROP COLUMN package_built_at;
ALTER TABLE referral_disclosures DROP COLUMN package_sha256;
ALTER TABLE referral_disclosures DROP COLUMN package;
