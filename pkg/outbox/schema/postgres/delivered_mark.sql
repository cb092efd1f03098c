-- +goose Up
-- Delivery moves a mark per topic instead of updating every message: a
-- message's row is written once and numbered once (see pkg/outbox). The
-- mark starts before the first numbered message not yet delivered, and a
-- failed batch's backoff moves from its messages to its topic.
ALTER TABLE outbox_seq ADD COLUMN delivered BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox_seq ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox_seq ADD COLUMN retry_at TIMESTAMPTZ;
UPDATE outbox_seq SET delivered = COALESCE(
    (SELECT MIN(o.seq) - 1 FROM outbox o WHERE o.topic = outbox_seq.topic AND o.seq IS NOT NULL AND o.delivered_at IS NULL),
    last);
DROP INDEX outbox_pending;
ALTER TABLE outbox DROP COLUMN delivered_at;
ALTER TABLE outbox DROP COLUMN attempts;
ALTER TABLE outbox DROP COLUMN next_attempt_at;

-- +goose Down
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at TIMESTAMPTZ NOT NULL DEFAULT now();
ALTER TABLE outbox ADD COLUMN delivered_at TIMESTAMPTZ;
UPDATE outbox SET delivered_at = next_attempt_at
    WHERE seq <= (SELECT s.delivered FROM outbox_seq s WHERE s.topic = outbox.topic);
CREATE INDEX outbox_pending ON outbox (topic, seq) WHERE delivered_at IS NULL;
ALTER TABLE outbox_seq DROP COLUMN retry_at;
ALTER TABLE outbox_seq DROP COLUMN attempts;
ALTER TABLE outbox_seq DROP COLUMN delivered;
