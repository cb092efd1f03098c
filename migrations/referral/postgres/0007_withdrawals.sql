-- +goose Up
-- Who withdrew a referral and why. A coordinator withdrawing another
-- organisation's referral states an emergency: a reason code and a note
-- code (EmergencyReasons, EmergencyNotes), never free text. Append-only.
CREATE TABLE referral_withdrawals (
    referral_id  TEXT PRIMARY KEY REFERENCES referrals (id),
    actor_user   TEXT NOT NULL,
    actor_org    TEXT NOT NULL,
    emergency    BOOLEAN NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    withdrawn_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE referral_withdrawals;
