-- +goose Up
-- Break-the-glass: time-limited emergency reads (an active grant of purpose
-- break_glass), each reviewed by an auditor. The stated reason is a sealed
-- entry of the case record (reason_entry); only codes and ids here.
CREATE TABLE break_glass (
    id           TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    org_id       TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    grant_id     TEXT NOT NULL,
    reason_entry TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('open', 'expired')),
    opened_at    TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    closed_at    TIMESTAMP,
    reviewed_by  TEXT NOT NULL DEFAULT '',
    review_code  TEXT NOT NULL DEFAULT '',
    reviewed_at  TIMESTAMP
);
CREATE INDEX break_glass_open ON break_glass (status, expires_at);
CREATE INDEX break_glass_review ON break_glass (opened_at, id);

-- Disclosures outside the system (police, a court, another country), with
-- their legal basis: codes only.
CREATE TABLE disclosures (
    id             TEXT PRIMARY KEY,
    case_id        TEXT NOT NULL REFERENCES cases (id),
    org_id         TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    recipient_kind TEXT NOT NULL,
    legal_basis    TEXT NOT NULL,
    sections       TEXT NOT NULL,
    disclosed_at   TIMESTAMP NOT NULL
);
CREATE INDEX disclosures_case ON disclosures (case_id, disclosed_at);
CREATE INDEX disclosures_time ON disclosures (disclosed_at, id);

-- Legal holds placed and released (case_workflow.legal_hold is the current
-- state): a hold stops every purge of the case.
CREATE TABLE legal_holds (
    id          TEXT PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (id),
    action      TEXT NOT NULL CHECK (action IN ('place', 'release')),
    reason_code TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX legal_holds_case ON legal_holds (case_id, at);

-- +goose Down
DROP TABLE legal_holds;
DROP TABLE disclosures;
DROP TABLE break_glass;
