// Package outbox is the transactional outbox every service uses to send
// events: a message is written in the same transaction as the change it
// reports, numbered by a gap-free per-service sequence, and delivered at
// least once by a relay to receivers that are idempotent by message id.
//
// Each service's schema holds the two tables below (copy them into the
// service's first migration; the SQLite variant uses TIMESTAMP):
//
//	CREATE TABLE outbox (
//	    seq             BIGINT PRIMARY KEY,      -- gap-free, from outbox_seq
//	    id              TEXT NOT NULL UNIQUE,    -- message id (UUID)
//	    topic           TEXT NOT NULL,           -- "audit", "stats", ...
//	    payload         TEXT NOT NULL,           -- JSON, never personal data
//	    created_at      TIMESTAMPTZ NOT NULL,
//	    attempts        INTEGER NOT NULL DEFAULT 0,
//	    next_attempt_at TIMESTAMPTZ NOT NULL,
//	    delivered_at    TIMESTAMPTZ
//	);
//	CREATE INDEX outbox_pending ON outbox (topic, seq) WHERE delivered_at IS NULL;
//	CREATE TABLE outbox_seq (id INTEGER PRIMARY KEY CHECK (id = 1), last BIGINT NOT NULL);
//	INSERT INTO outbox_seq (id, last) VALUES (1, 0);
package outbox
