-- +goose Up
-- Release control records which cases changed in each receiver batch as
-- one row per table and month, appended, instead of one row per case
-- rewritten at every change: under load the upserts of changes cost
-- more than any other statement of statistics. A case changed after
-- version v is one named in a set of a later version. Subjects are
-- codes ([A-Za-z0-9._:-]), so a comma separates them.
CREATE TABLE change_sets (
    tbl      TEXT NOT NULL,
    month    TEXT NOT NULL,
    version  BIGINT NOT NULL,
    subjects TEXT NOT NULL,   -- pseudonymous case keys, comma-separated
    PRIMARY KEY (tbl, version, month)
);
INSERT INTO change_sets (tbl, month, version, subjects)
SELECT tbl, month, version, group_concat(subject, ',') FROM changes GROUP BY tbl, month, version;
DROP TABLE changes;

-- +goose Down
CREATE TABLE changes (
    tbl     TEXT NOT NULL,
    month   TEXT NOT NULL,
    subject TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (tbl, month, subject)
);
CREATE INDEX changes_version ON changes (tbl, version);
INSERT INTO changes (tbl, month, subject, version)
SELECT c.tbl, c.month, j.value, max(c.version)
FROM change_sets c, json_each('["' || replace(c.subjects, ',', '","') || '"]') j
GROUP BY c.tbl, c.month, j.value;
DROP TABLE change_sets;
