-- +goose Up
-- PostgreSQL only: SQLite would have to rebuild the table to drop the
-- constraint, and its writes do not need the saving. Kept so that both
-- engines have the same versions.
SELECT 1;

-- +goose Down
SELECT 1;
