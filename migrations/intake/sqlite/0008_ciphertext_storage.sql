-- +goose Up
-- PostgreSQL only (storage of ciphertext columns); SQLite keeps rows of
-- any size in its pages and never compresses. Kept so that both engines
-- have the same versions.
SELECT 1;

-- +goose Down
SELECT 1;
