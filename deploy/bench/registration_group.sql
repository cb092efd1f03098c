-- The rows of registration.sql for :n registrations in one statement and
-- one transaction, as intake's group commit writes them. Not part of the
-- load test's baseline; it shows what grouping saves PostgreSQL:
--
--   pgbench -n -M prepared -c 16 -j 2 -T 10 -D n=1 -f deploy/bench/registration_group.sql URL
--   pgbench -n -M prepared -c 16 -j 2 -T 10 -D n=8 -f deploy/bench/registration_group.sql URL
--
-- against the tables of schema.sql; registrations per second are n times
-- the transactions per second.
BEGIN;
WITH c AS (
    INSERT INTO bench_cases (id, reference, route, status, owner_org, registered_by, registering_org, registering_org_kind,
        identified_on, region, gender, age_group, treated_as_child, birth_year, age_disputed, nationalities,
        exploitation_types, exploitation_location, indicators, needs, languages, dependants, risk_level, created_at, updated_at)
    SELECT gen_random_uuid(), 'NRM-2026-' || nextval('bench_reference'), 'nrm', 'registered', gen_random_uuid()::text,
        gen_random_uuid()::text, gen_random_uuid()::text, 'police', to_char(current_date, 'YYYY-MM-DD'), 'MA-06', 'female',
        'adult', false, 0, false, 'NG', 'labour,sexual', 'both', '', 'medical,shelter', 'en,fr', 0, '', now(), now()
    FROM generate_series(1, :n) RETURNING id),
s AS (
    INSERT INTO bench_sections (case_id, section, version, author_org, ciphertext, created_at)
    SELECT c.id, s, 1, gen_random_uuid()::text, gen_random_bytes(sz), now()
    FROM c, (VALUES ('identity', 182), ('narrative', 460), ('health', 157), ('legal', 147)) AS t(s, sz)),
w AS (
    INSERT INTO bench_wraps (case_id, org_id, key_version, held, wrap, mac, created_at)
    SELECT c.id, gen_random_uuid()::text, 1, 'health:0,identity:0,legal:0,narrative:0', gen_random_bytes(1000) || gen_random_bytes(1000) || gen_random_bytes(81), gen_random_bytes(32), now() FROM c),
b AS (
    INSERT INTO bench_blind (case_id, value) SELECT c.id, (random() * 65535)::int FROM c)
INSERT INTO bench_outbox (id, topic, payload, created_at)
SELECT gen_random_uuid(), t, repeat('a', sz), now() FROM c, (VALUES ('audit', 458), ('audit', 458), ('stats', 385)) AS x(t, sz);
COMMIT;
