-- pgbench transaction of the same shape as one registration: the case row
-- (attributes plus sealed sections of the size a registration produces),
-- its wrap, its blind-index rows, and its outbox rows (audit and stats
-- events; unnumbered, as the service writes them: the relay numbers them
-- later). Used by loadtest.sh as the raw PostgreSQL baseline. References come
-- from a sequence: a random one collides within a run, and pgbench drops a
-- client at its first error, which would lower the baseline.
\set n random(1, 1000000000)
BEGIN;
INSERT INTO bench_cases (id, reference, route, status, owner_org, registered_by, identified_on, region, gender,
    age_group, nationalities, exploitation_types, exploitation_location, needs, languages, created_at, updated_at)
VALUES (gen_random_uuid(), 'NRM-2026-' || nextval('bench_reference'), 'nrm', 'registered', gen_random_uuid(), gen_random_uuid(), current_date,
    'MA-06', 'female', 'adult', '["NG"]', '["sexual","labour"]', 'both', '["shelter","medical"]', '["en","fr"]', now(), now())
RETURNING id AS case_id \gset
INSERT INTO bench_sections (case_id, section, version, author_org, ciphertext, created_at)
SELECT CAST(:case_id AS uuid), s, 1, gen_random_uuid(), gen_random_bytes(sz), now()
FROM (VALUES ('identity', 160), ('narrative', 420), ('health', 110), ('legal', 100)) AS t(s, sz);
INSERT INTO bench_wraps (case_id, org_id, wrap, mac, created_at)
VALUES (CAST(:case_id AS uuid), gen_random_uuid(), gen_random_bytes(750) || gen_random_bytes(750), gen_random_bytes(32), now());
INSERT INTO bench_blind (case_id, value) VALUES (CAST(:case_id AS uuid), :n % 65536);
INSERT INTO bench_outbox (id, topic, payload, created_at)
VALUES (gen_random_uuid(), 'audit', repeat('a', 420), now()),
       (gen_random_uuid(), 'stats', repeat('s', 380), now());
COMMIT;
