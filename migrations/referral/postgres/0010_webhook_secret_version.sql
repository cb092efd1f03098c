-- +goose Up
-- A provider's webhook secret is derived from the webhook subkey, its
-- organisation id and this generation: rotating it is a new generation,
-- and no secret is ever stored. 0 is the secret of entries made before
-- rotation existed.
ALTER TABLE providers ADD COLUMN webhook_secret_version INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE providers DROP COLUMN webhook_secret_version;
