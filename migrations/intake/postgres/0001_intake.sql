-- +goose Up
-- Attributes needed for routing and statistics are columns; every name,
-- narrative and note lives only in sealed sections. Lists of codes are
-- sorted and comma-separated.
CREATE TABLE cases (
    id                    UUID PRIMARY KEY,
    reference             TEXT NOT NULL UNIQUE,
    route                 TEXT NOT NULL CHECK (route IN ('nrm', 'assistance', 'anonymous')),
    status                TEXT NOT NULL,
    owner_org             TEXT NOT NULL,
    registered_by         TEXT NOT NULL,
    registering_org       TEXT NOT NULL,
    registering_org_kind  TEXT NOT NULL,
    identified_on         TEXT NOT NULL,
    region                TEXT NOT NULL,
    gender                TEXT NOT NULL,
    age_group             TEXT NOT NULL,
    treated_as_child      BOOLEAN NOT NULL,
    birth_year            INTEGER NOT NULL,
    age_disputed          BOOLEAN NOT NULL,
    nationalities         TEXT NOT NULL,
    exploitation_types    TEXT NOT NULL,
    exploitation_location TEXT NOT NULL,
    indicators            TEXT NOT NULL,
    needs                 TEXT NOT NULL,
    languages             TEXT NOT NULL,
    dependants            INTEGER NOT NULL,
    risk_level            TEXT NOT NULL,
    notification_id       UUID,              -- the anonymous notification linked to this case
    linked_case_id        UUID,              -- on a notification: the case it was linked to
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);
CREATE INDEX cases_owner ON cases (owner_org, created_at DESC, id DESC);

-- One counter per year for human-readable references; the row lock of the
-- upsert makes numbers unique under concurrency.
CREATE TABLE reference_seq (year INTEGER PRIMARY KEY, last BIGINT NOT NULL);

CREATE TABLE consents (
    id           UUID PRIMARY KEY,
    case_id      UUID NOT NULL REFERENCES cases (id),
    purpose      TEXT NOT NULL CHECK (purpose IN ('assistance', 'nrm_submission', 'data_sharing')),
    granted      BOOLEAN NOT NULL,
    share_with   TEXT NOT NULL,
    explained_in TEXT NOT NULL,
    interpreter  BOOLEAN NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_org TEXT NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ
);
CREATE INDEX consents_case ON consents (case_id, purpose, recorded_at);

-- The organisations' key ring: one age identity per version, wrapped under
-- the master subkey; at most one active version per organisation.
CREATE TABLE org_keys (
    org_id           TEXT NOT NULL,
    version          INTEGER NOT NULL,
    kind             TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    wrapped_identity BYTEA,                  -- NULL once destroyed
    state            TEXT NOT NULL CHECK (state IN ('active', 'retired', 'destroyed')),
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, version)
);
CREATE UNIQUE INDEX org_keys_active ON org_keys (org_id) WHERE state = 'active';

CREATE TABLE sections (
    case_id    UUID NOT NULL REFERENCES cases (id),
    section    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    author_org TEXT NOT NULL,
    sealed     BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, section, version)
);

-- One age message per (case, organisation) holding every data key granted
-- to it; held lists the section versions inside (codes only).
CREATE TABLE wraps (
    case_id     UUID NOT NULL REFERENCES cases (id),
    org_id      TEXT NOT NULL,
    key_version INTEGER NOT NULL,
    held        TEXT NOT NULL,
    wrap        BYTEA NOT NULL,
    mac         BYTEA NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, org_id)
);
CREATE INDEX wraps_org ON wraps (org_id, key_version);

-- A SectionMAC per section version and readable organisation, written only
-- while the organisation may read it (not for pending grants).
CREATE TABLE section_macs (
    case_id UUID NOT NULL,
    section TEXT NOT NULL,
    version INTEGER NOT NULL,
    org_id  TEXT NOT NULL,
    mac     BYTEA NOT NULL,
    PRIMARY KEY (case_id, section, version, org_id)
);

CREATE TABLE grants (
    id          UUID PRIMARY KEY,
    case_id     UUID NOT NULL REFERENCES cases (id),
    org_id      TEXT NOT NULL,
    sections    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),
    purpose     TEXT NOT NULL,
    service     TEXT NOT NULL,
    referral_id TEXT NOT NULL,
    granted_by  TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX grants_case ON grants (case_id, org_id, status);

-- Keyed, truncated blind indexes of the simplified names (with the birth
-- year when known); no name is stored.
CREATE TABLE blind_indexes (
    case_id   UUID NOT NULL REFERENCES cases (id),
    idx       BIGINT NOT NULL,
    with_year BOOLEAN NOT NULL,
    PRIMARY KEY (case_id, idx, with_year)
);
CREATE INDEX blind_indexes_idx ON blind_indexes (idx, with_year);

CREATE TABLE duplicates (
    id         UUID PRIMARY KEY,
    case_id    UUID NOT NULL REFERENCES cases (id),
    matches_id UUID NOT NULL REFERENCES cases (id),
    strength   TEXT NOT NULL,
    found_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (case_id, matches_id)
);
CREATE INDEX duplicates_found ON duplicates (found_at DESC, id DESC);

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
DROP TABLE duplicates;
DROP TABLE blind_indexes;
DROP TABLE grants;
DROP TABLE section_macs;
DROP TABLE wraps;
DROP TABLE sections;
DROP TABLE org_keys;
DROP TABLE consents;
DROP TABLE reference_seq;
DROP TABLE cases;
