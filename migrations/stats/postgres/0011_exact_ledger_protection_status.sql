-- +goose Up
-- The privacy ledger counts whole millionths of epsilon: a sum of floats
-- with a tolerance let an answer of epsilon 1e-20 be added forever
-- without ever reaching the budget.
ALTER TABLE privacy_ledger ADD COLUMN spent_micro BIGINT NOT NULL DEFAULT 0;
UPDATE privacy_ledger SET spent_micro = CAST(ROUND(spent * 1000000) AS BIGINT);
ALTER TABLE privacy_ledger DROP COLUMN spent;

-- The international-protection status coded at registration (refugee,
-- asylum_seeker, none; '' when not given, counted as unknown): the code
-- only, for the protection-status table.
ALTER TABLE cases ADD COLUMN protection_status TEXT NOT NULL DEFAULT '';

-- The release scheduler asks, every hour, for the latest change of each
-- month: an index answers it without reading the change sets.
CREATE INDEX change_sets_month ON change_sets (month, version);

-- +goose Down
DROP INDEX change_sets_month;
ALTER TABLE cases DROP COLUMN protection_status;
ALTER TABLE privacy_ledger ADD COLUMN spent DOUBLE PRECISION NOT NULL DEFAULT 0;
UPDATE privacy_ledger SET spent = spent_micro / 1000000.0;
ALTER TABLE privacy_ledger DROP COLUMN spent_micro;
