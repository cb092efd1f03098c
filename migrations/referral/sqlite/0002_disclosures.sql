-- +goose Up
-- A decline note is a code (DeclineNotes), never free text: narrative
-- belongs in the case record, sealed by intake.
ALTER TABLE referral_candidates ADD COLUMN decline_note TEXT NOT NULL DEFAULT '';

-- The disclosure record of an external referral (outside the system or
-- across a border). The package itself is never stored: it is produced in
-- memory, encrypted to the recipient, on each download.
CREATE TABLE referral_disclosures (
    referral_id           TEXT PRIMARY KEY REFERENCES referrals (id),
    package_id            TEXT NOT NULL UNIQUE,
    case_id               TEXT NOT NULL,
    legal_basis           TEXT NOT NULL,
    destination           TEXT NOT NULL,   -- ISO 3166-1 alpha-2 country or an organisation-kind code
    recipient             TEXT NOT NULL,   -- the external organisation's age public key (public, not personal data)
    recipient_fingerprint TEXT NOT NULL,   -- hex SHA-256 of the recipient
    sections              TEXT NOT NULL,   -- JSON list of section names
    actor_user            TEXT NOT NULL,
    actor_org             TEXT NOT NULL,
    created_at            TIMESTAMP NOT NULL
);
CREATE INDEX referral_disclosures_case ON referral_disclosures (case_id);

-- One row per package produced: its hash, when and by whom. Append-only.
CREATE TABLE referral_packages (
    id          TEXT PRIMARY KEY,
    package_id  TEXT NOT NULL REFERENCES referral_disclosures (package_id),
    sha256      TEXT NOT NULL,
    actor_user  TEXT NOT NULL,
    actor_org   TEXT NOT NULL,
    produced_at TIMESTAMP NOT NULL
);
CREATE INDEX referral_packages_package ON referral_packages (package_id, produced_at);

-- +goose Down
DROP TABLE referral_packages;
DROP TABLE referral_disclosures;
ALTER TABLE referral_candidates DROP COLUMN decline_note;
