-- +goose Up
-- PostgreSQL only (an index and a storage parameter that save WAL); kept so
-- that both engines have the same versions.
SELECT 1;

-- +goose Down
SELECT 1;
