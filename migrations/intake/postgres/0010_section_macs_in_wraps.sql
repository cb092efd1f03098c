-- +goose Up
-- An organisation's section MACs of a case move into its wrap row, which
-- they are computed over and always written with: a registration writes
-- one row for them instead of one per section, and a read joins one table
-- fewer. The column holds, for each section the organisation may read, the
-- section's name, its version and the MAC, as uvarint-prefixed fields
-- (services/intake/macset.go); a pending grant's sections have none.
ALTER TABLE wraps ADD COLUMN section_macs BYTEA NOT NULL DEFAULT '';

-- +goose StatementBegin
CREATE FUNCTION pg_temp.nrm_uvarint(n BIGINT) RETURNS BYTEA LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    b BYTEA := '';
BEGIN
    WHILE n >= 128 LOOP
        b := b || set_byte('\x00'::bytea, 0, ((n & 127) | 128)::int);
        n := n >> 7;
    END LOOP;
    RETURN b || set_byte('\x00'::bytea, 0, n::int);
END;
$$;
-- +goose StatementEnd

UPDATE wraps w SET section_macs = m.macs
FROM (SELECT case_id, org_id, string_agg(
        pg_temp.nrm_uvarint(octet_length(convert_to(section, 'UTF8'))) || convert_to(section, 'UTF8')
        || pg_temp.nrm_uvarint(version) || pg_temp.nrm_uvarint(octet_length(mac)) || mac,
        ''::bytea ORDER BY section, version) AS macs
      FROM section_macs GROUP BY case_id, org_id) m
WHERE w.case_id = m.case_id AND w.org_id = m.org_id;
DROP TABLE section_macs;

-- +goose Down
CREATE TABLE section_macs (
    case_id UUID NOT NULL,
    section TEXT NOT NULL,
    version INTEGER NOT NULL,
    org_id  TEXT NOT NULL,
    mac     BYTEA NOT NULL,
    PRIMARY KEY (case_id, section, version, org_id)
);

-- +goose StatementBegin
CREATE FUNCTION pg_temp.nrm_section_macs(b BYTEA) RETURNS TABLE (section TEXT, version INTEGER, mac BYTEA)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    i INT := 0;
    f INT;
    n BIGINT;
    shift INT;
    byte INT;
BEGIN
    WHILE i < octet_length(b) LOOP
        FOR f IN 1..4 LOOP
            n := 0;
            shift := 0;
            LOOP
                byte := get_byte(b, i);
                i := i + 1;
                n := n | ((byte & 127)::bigint << shift);
                EXIT WHEN byte < 128;
                shift := shift + 7;
            END LOOP;
            IF f = 1 THEN
                section := convert_from(substring(b FROM i + 1 FOR n::int), 'UTF8');
                i := i + n::int;
            ELSIF f = 2 THEN
                version := n::int;
            ELSIF f = 3 THEN
                mac := substring(b FROM i + 1 FOR n::int);
                i := i + n::int;
                RETURN NEXT;
                EXIT;
            END IF;
        END LOOP;
    END LOOP;
END;
$$;
-- +goose StatementEnd

INSERT INTO section_macs (case_id, section, version, org_id, mac)
SELECT w.case_id, m.section, m.version, w.org_id, m.mac FROM wraps w, pg_temp.nrm_section_macs(w.section_macs) m;
ALTER TABLE wraps DROP COLUMN section_macs;
