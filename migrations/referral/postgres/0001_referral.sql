-- +goose Up
-- Provider directory: organisations offering services. Codes only; no
-- street address is ever stored.
CREATE TABLE providers (
    org_id              TEXT PRIMARY KEY,
    name                TEXT NOT NULL,           -- the organisation's public name
    kind                TEXT NOT NULL,
    region              TEXT NOT NULL,           -- the region it works from ('' when unknown)
    regions             TEXT NOT NULL,           -- JSON list of region codes or ["national"]
    genders             TEXT NOT NULL,           -- JSON list; [] accepts every gender
    accepts_children    BOOLEAN NOT NULL,
    accepts_adults      BOOLEAN NOT NULL,
    accepts_dependants  BOOLEAN NOT NULL,
    languages           TEXT NOT NULL,           -- JSON list of ISO 639-1 codes
    availability        TEXT NOT NULL CHECK (availability IN ('24/7', 'hours')),
    hours               TEXT NOT NULL,           -- opening-hours code, e.g. Mo-Fr 08:00-18:00
    active              BOOLEAN NOT NULL,
    webhook_url         TEXT NOT NULL,           -- '' when none
    median_response_s   BIGINT,                  -- recent median time to answer an offer
    updated_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE provider_services (
    org_id   TEXT NOT NULL REFERENCES providers (org_id),
    service  TEXT NOT NULL,
    places   INTEGER NOT NULL CHECK (places >= 0),
    used     INTEGER NOT NULL DEFAULT 0 CHECK (used >= 0),
    PRIMARY KEY (org_id, service)
);
CREATE INDEX provider_services_service ON provider_services (service);

-- A referral of one case for one service. Attributes are codes copied from
-- the case summary at creation, for the de-identified candidate view.
CREATE TABLE referrals (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('internal', 'external')),
    case_id          TEXT NOT NULL,
    case_owner_org   TEXT NOT NULL,
    sender_org       TEXT NOT NULL,
    sender_user      TEXT NOT NULL,
    service          TEXT NOT NULL,
    urgency          TEXT NOT NULL,
    status           TEXT NOT NULL,
    region           TEXT NOT NULL,
    gender           TEXT NOT NULL,
    age_group        TEXT NOT NULL,
    treated_as_child BOOLEAN NOT NULL,
    languages        TEXT NOT NULL,
    group_size       INTEGER NOT NULL,
    sections         TEXT NOT NULL,
    fan_out          INTEGER NOT NULL,
    accepted_org     TEXT NOT NULL DEFAULT '',
    places_reserved  INTEGER NOT NULL DEFAULT 0,
    legal_basis      TEXT NOT NULL DEFAULT '',   -- external referrals: a legal-basis code
    destination      TEXT NOT NULL DEFAULT '',   -- external referrals: a country or org-kind code
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX referrals_sender ON referrals (sender_org, created_at);
CREATE INDEX referrals_status ON referrals (status);

-- One offer of a referral to one candidate organisation, in rank order.
CREATE TABLE referral_candidates (
    referral_id    TEXT NOT NULL REFERENCES referrals (id),
    org_id         TEXT NOT NULL,
    rank           INTEGER NOT NULL,
    status         TEXT NOT NULL,               -- queued, offered, accepted, declined, expired, withdrawn
    reasons        TEXT NOT NULL,               -- JSON list of ranking reason codes
    grant_id       TEXT NOT NULL DEFAULT '',
    grant_state    TEXT NOT NULL DEFAULT '',    -- pending, active, revoke (due), revoked
    offered_at     TIMESTAMPTZ,
    deadline_at    TIMESTAMPTZ,
    responded_at   TIMESTAMPTZ,
    decline_reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (referral_id, org_id)
);
CREATE INDEX referral_candidates_org ON referral_candidates (org_id, status);
CREATE INDEX referral_candidates_deadline ON referral_candidates (deadline_at) WHERE status = 'offered';
CREATE INDEX referral_candidates_revoke ON referral_candidates (referral_id) WHERE grant_state = 'revoke';

-- In-app notifications a provider polls.
CREATE TABLE notifications (
    seq         BIGSERIAL PRIMARY KEY,
    org_id      TEXT NOT NULL,
    referral_id TEXT NOT NULL,
    event       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_org ON notifications (org_id, seq);

-- Webhook deliveries: a small queue written with the change, sent by the sweeper.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL,
    url             TEXT NOT NULL,
    body            TEXT NOT NULL,              -- ids and codes only
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    delivered_at    TIMESTAMPTZ,
    failed_at       TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;

CREATE TABLE outbox (
    seq             BIGINT PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    topic           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    delivered_at    TIMESTAMPTZ
);
CREATE INDEX outbox_pending ON outbox (topic, seq) WHERE delivered_at IS NULL;
CREATE TABLE outbox_seq (id INTEGER PRIMARY KEY CHECK (id = 1), last BIGINT NOT NULL);
INSERT INTO outbox_seq (id, last) VALUES (1, 0);

-- +goose Down
DROP TABLE outbox_seq;
DROP TABLE outbox;
DROP TABLE webhook_deliveries;
DROP TABLE notifications;
DROP TABLE referral_candidates;
DROP TABLE referrals;
DROP TABLE provider_services;
DROP TABLE providers;
