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
    INSERT INTO bench_cases (id, reference, route, status, owner_org, registered_by, identified_on, region, gender,
        age_group, nationalities, exploitation_types, exploitation_location, needs, languages, created_at, updated_at)
    SELECT gen_random_uuid(), 'NRM-2026-' || nextval('bench_reference'), 'nrm', 'registered', gen_random_uuid(), gen_random_uuid(),
        current_date, 'MA-06', 'female', 'adult', '["NG"]', '["sexual","labour"]', 'both', '["shelter","medical"]', '["en","fr"]', now(), now()
    FROM generate_series(1, :n) RETURNING id),
s AS (
    INSERT INTO bench_sections (case_id, section, version, author_org, ciphertext, created_at)
    SELECT c.id, s, 1, gen_random_uuid(), gen_random_bytes(sz), now()
    FROM c, (VALUES ('identity', 160), ('narrative', 420), ('health', 110), ('legal', 100)) AS t(s, sz)),
w AS (
    INSERT INTO bench_wraps (case_id, org_id, wrap, mac, created_at)
    SELECT c.id, gen_random_uuid(), gen_random_bytes(750) || gen_random_bytes(750), gen_random_bytes(32), now() FROM c),
b AS (
    INSERT INTO bench_blind (case_id, value) SELECT c.id, (random() * 65535)::int FROM c)
INSERT INTO bench_outbox (id, topic, payload, created_at)
SELECT gen_random_uuid(), t, repeat('a', 400), now() FROM c, (VALUES ('audit'), ('stats')) AS x(t);
COMMIT;
