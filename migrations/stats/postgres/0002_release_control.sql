-- +goose Up
-- Release control: figures reach the commission only as frozen release
-- snapshots, and two snapshots of overlapping periods differ by at least
-- K records. Each receiver batch that changes a cell bumps the data
-- version and records which cases' records changed, per table and month.
CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), last BIGINT NOT NULL);
INSERT INTO data_version (id, last) VALUES (1, 0);
CREATE TABLE changes (
    tbl     TEXT NOT NULL,
    month   TEXT NOT NULL,
    subject TEXT NOT NULL,   -- pseudonymous case key
    version BIGINT NOT NULL, -- data version of the latest change
    PRIMARY KEY (tbl, month, subject)
);
CREATE INDEX changes_version ON changes (tbl, version);
-- A release is either a cell-key snapshot of one period or a
-- differential-privacy budget (the rows of 0001).
ALTER TABLE releases ADD COLUMN method TEXT NOT NULL DEFAULT 'differential_privacy';
ALTER TABLE releases ADD COLUMN period TEXT NOT NULL DEFAULT '';
ALTER TABLE releases ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX releases_period ON releases (method, period, seq);
-- The data version a stored answer was computed at, and for a table
-- carried forward unchanged, the release that first published it.
ALTER TABLE release_tables ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE release_tables ADD COLUMN carried_from TEXT NOT NULL DEFAULT '';
CREATE INDEX release_tables_sheet ON release_tables (tbl, period);

-- +goose Down
DROP INDEX release_tables_sheet;
ALTER TABLE release_tables DROP COLUMN carried_from;
ALTER TABLE release_tables DROP COLUMN version;
DROP INDEX releases_period;
ALTER TABLE releases DROP COLUMN seq;
ALTER TABLE releases DROP COLUMN period;
ALTER TABLE releases DROP COLUMN method;
DROP INDEX changes_version;
DROP TABLE changes;
DROP TABLE data_version;
