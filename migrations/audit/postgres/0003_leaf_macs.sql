-- +goose Up
-- A keyed MAC per entry (HMAC-SHA256 under a key from the key directory,
-- over the entry's index and leaf data), so that an insider who edits an
-- entry and recomputes the unkeyed Merkle hashes is still caught at that
-- entry. Append-only like the rest of the log.
CREATE TABLE leaf_macs (
    idx BIGINT PRIMARY KEY CHECK (idx >= 0),
    mac BYTEA NOT NULL CHECK (octet_length(mac) = 32)
);
CREATE TRIGGER leaf_macs_append_only BEFORE UPDATE OR DELETE ON leaf_macs FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER leaf_macs_no_truncate BEFORE TRUNCATE ON leaf_macs FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- +goose Down
DROP TABLE leaf_macs;
