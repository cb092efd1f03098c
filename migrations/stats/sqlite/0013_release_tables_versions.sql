-- +goose Up
-- Release control asks, per table and overlapping period, for the latest
-- stored answer older than the last change: one index seek with the data
-- version in the index, where (tbl, period) alone made it read every
-- answer each release left, at every table of every release. The new
-- index serves every query the old one did.
CREATE INDEX release_tables_versions ON release_tables (tbl, period, version);
DROP INDEX release_tables_sheet;

-- +goose Down
CREATE INDEX release_tables_sheet ON release_tables (tbl, period);
DROP INDEX release_tables_versions;
