-- +goose Up
-- A summary of the log per block of 1024 events, derived from the events
-- and rebuilt by the service when missing, so that a time window becomes
-- index bounds through two short index reads (store_blocks.go) instead of
-- a read of every index entry in the window. Per complete block: the
-- greatest event time up to its end, and the greatest lateness (how far
-- an event's time lies behind the greatest time before it) up to its end,
-- both in microseconds. Append-only like the rest of the log.
CREATE TABLE event_blocks (
    block     BIGINT PRIMARY KEY CHECK (block >= 0),
    max_at_us BIGINT NOT NULL,
    late_us   BIGINT NOT NULL CHECK (late_us >= 0)
);
CREATE INDEX event_blocks_max_at ON event_blocks (max_at_us, block);
CREATE TRIGGER event_blocks_append_only BEFORE UPDATE OR DELETE ON event_blocks FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER event_blocks_no_truncate BEFORE TRUNCATE ON event_blocks FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- +goose Down
DROP TABLE event_blocks;
