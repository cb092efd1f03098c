-- +goose Up
-- The decision and support tracks of a case (codes and dates only), kept
-- beside intake's registration status in cases.status.
CREATE TABLE case_workflow (
    case_id          UUID PRIMARY KEY REFERENCES cases (id),
    decision_state   TEXT NOT NULL,
    support_state    TEXT NOT NULL,
    submitted_at     TIMESTAMPTZ,
    rg_due           TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD, working days from submission
    reflection_ends  TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD
    reconsider_until TEXT NOT NULL DEFAULT '',   -- YYYY-MM-DD, after a negative decision
    proposal_to      TEXT NOT NULL DEFAULT '',   -- a negative decision awaiting its second decision maker
    proposal_by      TEXT NOT NULL DEFAULT '',
    proposal_code    TEXT NOT NULL DEFAULT '',
    proposal_entry   TEXT NOT NULL DEFAULT '',
    guardian_user    TEXT NOT NULL DEFAULT '',
    guardian_org     TEXT NOT NULL DEFAULT '',
    bia_entry        TEXT NOT NULL DEFAULT '',   -- the recorded best-interests assessment
    bia_recorded_by  TEXT NOT NULL DEFAULT '',
    bia_approved_by  TEXT NOT NULL DEFAULT '',
    legal_hold       BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX case_workflow_queue ON case_workflow (decision_state, rg_due);

-- The minimal decision record: codes, who and when; the reasons are a
-- sealed entry named by entry_id.
CREATE TABLE decisions (
    id           TEXT PRIMARY KEY,
    case_id      UUID NOT NULL REFERENCES cases (id),
    track        TEXT NOT NULL,
    from_state   TEXT NOT NULL,
    to_state     TEXT NOT NULL,
    reason_code  TEXT NOT NULL,
    proposed_by  TEXT NOT NULL,
    decided_by   TEXT NOT NULL,
    org_id       TEXT NOT NULL,
    entry_id     TEXT NOT NULL,
    decided_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX decisions_case ON decisions (case_id, decided_at);

-- The case record: append-only, each entry sealed under its own data key.
CREATE TABLE entries (
    id              TEXT PRIMARY KEY,
    case_id         UUID NOT NULL REFERENCES cases (id),
    type            TEXT NOT NULL,
    supersedes      TEXT NOT NULL DEFAULT '',
    author_user     TEXT NOT NULL,
    author_org      TEXT NOT NULL,
    retention_class TEXT NOT NULL,
    sealed          BYTEA NOT NULL,             -- empty once purged
    created_at      TIMESTAMPTZ NOT NULL,
    purged_at       TIMESTAMPTZ                 -- set by retention: content and keys destroyed
);
CREATE INDEX entries_case ON entries (case_id, created_at, id);

-- One wrap of an entry's data key per organisation that may read it.
CREATE TABLE entry_keys (
    entry_id    TEXT NOT NULL REFERENCES entries (id),
    org_id      TEXT NOT NULL,
    key_version INTEGER NOT NULL,
    wrap        BYTEA NOT NULL,
    mac         BYTEA NOT NULL,
    PRIMARY KEY (entry_id, org_id)
);

-- +goose StatementBegin
CREATE FUNCTION refuse_entry_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the case record is append-only: % on entries refused', TG_OP;
END;
$$;
-- +goose StatementEnd
-- Only the ciphertext may change (keys rekey reseals it, a purge empties it);
-- every other column is fixed.
CREATE TRIGGER entries_append_only BEFORE UPDATE OF id, case_id, type, supersedes, author_user, author_org,
    retention_class, created_at OR DELETE ON entries FOR EACH ROW EXECUTE FUNCTION refuse_entry_change();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries FOR EACH STATEMENT EXECUTE FUNCTION refuse_entry_change();

-- In-app alerts (support suspended: the person is missing).
CREATE TABLE alerts (
    id         TEXT PRIMARY KEY,
    case_id    UUID NOT NULL REFERENCES cases (id),
    org_id     TEXT NOT NULL,
    role       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX alerts_org ON alerts (org_id, created_at);

-- +goose Down
DROP TABLE alerts;
DROP TABLE entry_keys;
DROP TABLE entries;
DROP TABLE decisions;
DROP TABLE case_workflow;
DROP FUNCTION refuse_entry_change();
