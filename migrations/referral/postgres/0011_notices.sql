-- +goose Up
-- Notices to users, roles of an organisation, organisations or the
-- national desk, received from every service's outbox (topic "notice")
-- and kept once per id. Codes and ids only: never personal data.
CREATE TABLE notices (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL,               -- '' for the national desk
    role        TEXT NOT NULL,               -- '' for every user of org_id, or a user notice
    user_id     TEXT NOT NULL,               -- '' unless addressed to one user
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    due         TEXT NOT NULL,               -- YYYY-MM-DD or ''
    created_at  TIMESTAMPTZ NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX notices_org ON notices (org_id, role, created_at);
CREATE INDEX notices_user ON notices (user_id, created_at) WHERE user_id <> '';

-- Who has read what: per user, so one colleague reading a role's notice
-- leaves it unread for the others.
CREATE TABLE notice_reads (
    notice_id TEXT NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    user_id   TEXT NOT NULL,
    read_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (notice_id, user_id)
);

-- +goose Down
DROP TABLE notice_reads;
DROP TABLE notices;
