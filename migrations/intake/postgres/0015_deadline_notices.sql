-- +goose Up
-- The deadline thresholds whose decision makers were told, so each is
-- told once per case, track (rg, cg), date and threshold.
CREATE TABLE deadline_notices (
    case_id    TEXT NOT NULL,
    track      TEXT NOT NULL,
    due        TEXT NOT NULL,       -- YYYY-MM-DD
    threshold  TEXT NOT NULL,       -- d2, d0
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (case_id, track, due, threshold)
);

-- +goose Down
DROP TABLE deadline_notices;
