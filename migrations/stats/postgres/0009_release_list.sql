-- +goose Up
-- What a release says about itself: the time its data is as of (the last
-- receiver batch that changed an aggregate), and the tables it withheld
-- with the reason.
ALTER TABLE data_version ADD COLUMN as_of TIMESTAMPTZ;
ALTER TABLE releases ADD COLUMN as_of TIMESTAMPTZ;
CREATE TABLE release_withheld (
    release TEXT NOT NULL REFERENCES releases (name),
    tbl     TEXT NOT NULL,
    reason  TEXT NOT NULL,   -- a code: too_few_changes
    detail  TEXT NOT NULL,   -- the overlapping period whose release blocked it
    PRIMARY KEY (release, tbl)
);

-- +goose Down
DROP TABLE release_withheld;
ALTER TABLE releases DROP COLUMN as_of;
ALTER TABLE data_version DROP COLUMN as_of;
