-- +goose Up
-- A keyed MAC per entry (HMAC-SHA256 under a key from the key directory,
-- over the entry's index and leaf data), so that an insider who edits an
-- entry and recomputes the unkeyed Merkle hashes is still caught at that
-- entry. Append-only like the rest of the log.
CREATE TABLE leaf_macs (
    idx INTEGER PRIMARY KEY CHECK (idx >= 0),
    mac BLOB NOT NULL CHECK (typeof(mac) = 'blob' AND length(mac) = 32)
);

-- +goose StatementBegin
CREATE TRIGGER leaf_macs_no_update BEFORE UPDATE ON leaf_macs
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE on leaf_macs refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER leaf_macs_no_delete BEFORE DELETE ON leaf_macs
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE on leaf_macs refused'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE leaf_macs;
