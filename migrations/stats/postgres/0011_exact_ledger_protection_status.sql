-- +goose Up
-- The privacy ledger counts whole millionths of epsilon: a sum of floats
-- with a tolerance let an answer of epsilon 1e-20 be added forever
-- without ever reaching the budget.
ALTER TABLE privacy_ledger ADD COLUMN spent_micro BIGINT NOT NULL DEFAULT 0;
UPDATE privacy_ledger SET spent_micro = CAST(ROUND(spent * 1000000) AS BIGINT);
ALTER TABLE privacy_ledger DROP COLUMN spent;

-- +goose Down
ALTER TABLE privacy_ledger ADD COLUMN spent DOUBLE PRECISION NOT NULL DEFAULT 0;
UPDATE privacy_ledger SET spent = spent_micro / 1000000.0;
ALTER TABLE privacy_ledger DROP COLUMN spent_micro;
