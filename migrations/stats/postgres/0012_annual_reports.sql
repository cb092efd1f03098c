-- +goose Up
-- The annual report of a year, built once from the releases it reads (the
-- latest snapshot of the year and of each quarter, named in releases) and
-- served from here while they stay the latest.
CREATE TABLE annual_reports (
    period     TEXT NOT NULL,
    releases   TEXT NOT NULL,
    body       TEXT NOT NULL,   -- the report as JSON
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (period, releases)
);

-- +goose Down
DROP TABLE annual_reports;
