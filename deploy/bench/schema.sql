-- Tables for the pgbench baseline (registration.sql). Dropped and made anew
-- by loadtest.sh in its own scratch database.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE TABLE bench_cases (
    id UUID PRIMARY KEY, reference TEXT NOT NULL UNIQUE, route TEXT NOT NULL, status TEXT NOT NULL,
    owner_org UUID NOT NULL, registered_by UUID NOT NULL, identified_on DATE NOT NULL, region TEXT NOT NULL,
    gender TEXT NOT NULL, age_group TEXT NOT NULL, nationalities TEXT NOT NULL, exploitation_types TEXT NOT NULL,
    exploitation_location TEXT NOT NULL, needs TEXT NOT NULL, languages TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL);
CREATE TABLE bench_sections (case_id UUID NOT NULL, section TEXT NOT NULL, version INT NOT NULL, author_org UUID NOT NULL,
    ciphertext BYTEA NOT NULL, created_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (case_id, section, version));
CREATE TABLE bench_wraps (case_id UUID NOT NULL, org_id UUID NOT NULL, wrap BYTEA NOT NULL, mac BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (case_id, org_id));
CREATE TABLE bench_blind (case_id UUID NOT NULL, value INT NOT NULL);
CREATE INDEX bench_blind_value ON bench_blind (value);
CREATE TABLE bench_outbox (seq BIGINT PRIMARY KEY, id UUID NOT NULL UNIQUE, topic TEXT NOT NULL, payload TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL, attempts INT NOT NULL DEFAULT 0, next_attempt_at TIMESTAMPTZ NOT NULL,
    delivered_at TIMESTAMPTZ);
CREATE TABLE bench_outbox_seq (id INT PRIMARY KEY, last BIGINT NOT NULL);
INSERT INTO bench_outbox_seq VALUES (1, 0);
