-- pgbench transaction of the same shape as one registration: the case row
-- (the columns of intake.cases), its sealed sections, its wrap and its
-- blind-index row, of the sizes a load-test registration produces, and its
-- three outbox rows (the audit events of the registration and of its
-- duplicate check, and the statistics event; unnumbered, as the service
-- writes them: the relay numbers them later). Sizes measured on a load
-- test's database: sections 182, 460, 157 and 147 bytes; wrap 2,081 bytes
-- (a post-quantum hybrid age header); outbox payloads 458 (audit) and 385
-- (stats) bytes. Used by loadtest.sh as the raw PostgreSQL baseline.
-- References come from a sequence: a random one collides within a run, and
-- pgbench drops a client at its first error, which would lower the
-- baseline.
\set n random(1, 1000000000)
BEGIN;
INSERT INTO bench_cases (id, reference, route, status, owner_org, registered_by, registering_org, registering_org_kind,
    identified_on, region, gender, age_group, treated_as_child, birth_year, age_disputed, nationalities,
    exploitation_types, exploitation_location, indicators, needs, languages, dependants, risk_level, created_at, updated_at)
VALUES (gen_random_uuid(), 'NRM-2026-' || nextval('bench_reference'), 'nrm', 'registered', gen_random_uuid()::text,
    gen_random_uuid()::text, gen_random_uuid()::text, 'police', to_char(current_date, 'YYYY-MM-DD'), 'MA-06', 'female',
    'adult', false, 0, false, 'NG', 'labour,sexual', 'both', '', 'medical,shelter', 'en,fr', 0, '', now(), now())
RETURNING id AS case_id \gset
INSERT INTO bench_sections (case_id, section, version, author_org, ciphertext, created_at)
SELECT CAST(:case_id AS uuid), s, 1, gen_random_uuid()::text, gen_random_bytes(sz), now()
FROM (VALUES ('identity', 182), ('narrative', 460), ('health', 157), ('legal', 147)) AS t(s, sz);
INSERT INTO bench_wraps (case_id, org_id, key_version, held, wrap, mac, created_at)
VALUES (CAST(:case_id AS uuid), gen_random_uuid()::text, 1, 'health:0,identity:0,legal:0,narrative:0', gen_random_bytes(1000) || gen_random_bytes(1000) || gen_random_bytes(81), gen_random_bytes(32), now());
INSERT INTO bench_blind (case_id, value) VALUES (CAST(:case_id AS uuid), :n % 65536);
INSERT INTO bench_outbox (id, topic, payload, created_at)
VALUES (gen_random_uuid(), 'audit', repeat('a', 458), now()),
       (gen_random_uuid(), 'audit', repeat('d', 458), now()),
       (gen_random_uuid(), 'stats', repeat('s', 385), now());
COMMIT;
