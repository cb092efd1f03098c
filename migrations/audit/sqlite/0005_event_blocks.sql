-- +goose Up
-- A summary of the log per block of 1024 events, derived from the events
-- and rebuilt by the service when missing, so that a time window becomes
-- index bounds through two short index reads (store_blocks.go) instead of
-- a read of every index entry in the window. Per complete block: the
-- greatest event time up to its end, and the greatest lateness (how far
-- an event's time lies behind the greatest time before it) up to its end,
-- both in microseconds. Append-only like the rest of the log.
CREATE TABLE event_blocks (
    block     INTEGER PRIMARY KEY CHECK (block >= 0),
    max_at_us INTEGER NOT NULL,
    late_us   INTEGER NOT NULL CHECK (late_us >= 0)
);
CREATE INDEX event_blocks_max_at ON event_blocks (max_at_us, block);

-- +goose StatementBegin
CREATE TRIGGER event_blocks_no_update BEFORE UPDATE ON event_blocks
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE on event_blocks refused'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER event_blocks_no_delete BEFORE DELETE ON event_blocks
BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE on event_blocks refused'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE event_blocks;
