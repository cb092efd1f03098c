-- +goose Up
-- One privacy ledger per table family and month, across all
-- differential-privacy releases and analysts: each answer spends its
-- epsilon from every month its period covers, and is refused once a
-- month's total would pass the configured budget. Answers given before
-- this migration were not recorded here.
CREATE TABLE privacy_ledger (
    family TEXT NOT NULL,   -- cases, decisions, referrals
    month  TEXT NOT NULL,   -- YYYY-MM
    spent  DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (family, month)
);

-- +goose Down
DROP TABLE privacy_ledger;
