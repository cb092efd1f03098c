package db_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// Upgrading to the delivered mark (intake 0007) keeps every message that
// was not delivered: the mark stops before the first numbered message not
// delivered, even when later ones were. Going down marks as delivered
// exactly the messages up to the mark.
func TestOutboxDeliveredMarkMigration(t *testing.T) {
	t.Parallel()
	const before, after = 6, 7
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ctx := context.Background()
		sdb, p := migratedTo(t, e, "intake", before)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := sdb.ExecContext(ctx, db.Rebind(e.Name, q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		const at = "2026-11-01 10:00:00+00:00"
		for i, m := range []struct {
			topic     string
			seq       any // nil: not numbered yet
			delivered bool
		}{
			{"audit", 1, true}, {"audit", 2, true}, {"audit", 3, false}, {"audit", 4, true},
			{"audit", nil, false}, {"stats", 1, true}, {"stats", 2, true},
		} {
			var deliveredAt any
			if m.delivered {
				deliveredAt = at
			}
			exec(`INSERT INTO outbox (seq, id, topic, payload, created_at, attempts, next_attempt_at, delivered_at)
				VALUES ($1, $2, $3, '{}', $4, 0, $4, $5)`, m.seq, "m"+string(rune('a'+i)), m.topic, at, deliveredAt)
		}
		exec(`INSERT INTO outbox_seq (topic, last) VALUES ('audit', 4), ('stats', 2), ('idle', 9)
			ON CONFLICT (topic) DO UPDATE SET last = excluded.last`)
		if _, err := p.UpTo(ctx, after); err != nil {
			t.Fatal(err)
		}
		marks := map[string]int64{}
		rows, err := sdb.QueryContext(ctx, `SELECT topic, delivered FROM outbox_seq`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var (
				topic string
				mark  int64
			)
			if err := rows.Scan(&topic, &mark); err != nil {
				t.Fatal(err)
			}
			marks[topic] = mark
		}
		rows.Close()
		if want := map[string]int64{"audit": 2, "stats": 2, "idle": 9}; len(marks) != 3 ||
			marks["audit"] != want["audit"] || marks["stats"] != want["stats"] || marks["idle"] != want["idle"] {
			t.Fatalf("delivered marks %v, want %v", marks, want)
		}
		var n int
		if err := sdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox`).Scan(&n); err != nil || n != 7 {
			t.Fatalf("%d messages after the upgrade (%v), want all 7", n, err)
		}
		if _, err := p.Down(ctx); err != nil {
			t.Fatal(err)
		}
		if err := sdb.QueryRowContext(ctx,
			`SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL`).Scan(&n); err != nil || n != 3 {
			t.Fatalf("%d undelivered after going down (%v), want audit 3, 4 and the unnumbered one", n, err)
		}
	})
}

// Upgrading to change sets (stats 0006) keeps, per table and month, which
// cases changed after which data version; going down gives back one row
// per case with its latest version.
func TestStatsChangeSetsMigration(t *testing.T) {
	t.Parallel()
	const before, after = 5, 6
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ctx := context.Background()
		sdb, p := migratedTo(t, e, "stats", before)
		for _, c := range []struct {
			month, subject string
			version        int
		}{{"2026-10", "k-a", 3}, {"2026-10", "k-b", 3}, {"2026-10", "k-c", 5}, {"2026-11", "k-a", 5}} {
			if _, err := sdb.ExecContext(ctx, db.Rebind(e.Name, `INSERT INTO changes (tbl, month, subject, version) VALUES ('t', $1, $2, $3)`),
				c.month, c.subject, c.version); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := p.UpTo(ctx, after); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		rows, err := sdb.QueryContext(ctx, `SELECT month, version, subjects FROM change_sets WHERE tbl = 't'`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var month, subjects string
			var version int
			if err := rows.Scan(&month, &version, &subjects); err != nil {
				t.Fatal(err)
			}
			parts := strings.Split(subjects, ",")
			slices.Sort(parts)
			got[fmt.Sprintf("%s@%d", month, version)] = strings.Join(parts, ",")
		}
		rows.Close()
		want := map[string]string{"2026-10@3": "k-a,k-b", "2026-10@5": "k-c", "2026-11@5": "k-a"}
		if !maps.Equal(got, want) {
			t.Fatalf("change sets %v, want %v", got, want)
		}
		if _, err := p.Down(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := sdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM changes WHERE tbl = 't' AND
			((month = '2026-10' AND subject IN ('k-a', 'k-b') AND version = 3) OR (month = '2026-10' AND subject = 'k-c' AND version = 5)
			OR (month = '2026-11' AND subject = 'k-a' AND version = 5))`).Scan(&n); err != nil || n != 4 {
			t.Fatalf("%d of 4 change rows back after going down (%v)", n, err)
		}
	})
}

// Moving section MACs into the wrap rows (intake 0010) encodes each
// organisation's MACs of a case as uvarint-prefixed fields, in section
// order (versions past 127 take two bytes), and leaves an empty set where
// an organisation had none (a pending grant); going down restores the rows.
func TestSectionMACsInWrapsMigration(t *testing.T) {
	t.Parallel()
	const before, after = 9, 10
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ctx := context.Background()
		sdb, p := migratedTo(t, e, "intake", before)
		conn, err := sdb.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := conn.ExecContext(ctx, db.Rebind(e.Name, q), args...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		// The wraps' cases are not needed for this: foreign keys off.
		if e.Name == db.SQLite {
			exec(`PRAGMA foreign_keys = OFF`)
		} else {
			exec(`SET session_replication_role = replica`)
		}
		const caseID = "7f1c4e1a-2b7d-4c9e-9a51-0c3f5e2d8b12"
		mac := func(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }
		for _, org := range []string{"org-x", "org-y"} {
			exec(`INSERT INTO wraps (case_id, org_id, key_version, held, wrap, mac, updated_at)
				VALUES ($1, $2, 1, 'identity:0,legal:200,narrative:0', $3, $4, '2026-11-01 10:00:00+00:00')`, caseID, org, []byte("age"), mac(9))
		}
		for _, m := range []struct {
			section string
			version int
			mac     []byte
		}{{"narrative", 0, mac(3)}, {"identity", 0, mac(1)}, {"legal", 200, mac(2)}} {
			exec(`INSERT INTO section_macs (case_id, section, version, org_id, mac) VALUES ($1, $2, $3, 'org-x', $4)`,
				caseID, m.section, m.version, m.mac)
		}
		conn.Close()
		if _, err := p.UpTo(ctx, after); err != nil {
			t.Fatal(err)
		}
		field := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
		var want []byte
		want = append(append(append(want, field("identity")...), 0x00, 32), mac(1)...)
		want = append(append(append(want, field("legal")...), 0xc8, 0x01, 32), mac(2)...)
		want = append(append(append(want, field("narrative")...), 0x00, 32), mac(3)...)
		got := map[string][]byte{}
		rows, err := sdb.QueryContext(ctx, `SELECT org_id, section_macs FROM wraps`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var org string
			var b []byte
			if err := rows.Scan(&org, &b); err != nil {
				t.Fatal(err)
			}
			got[org] = b
		}
		rows.Close()
		if !bytes.Equal(got["org-x"], want) || len(got["org-y"]) != 0 || len(got) != 2 {
			t.Fatalf("section MACs\n x %x\n y %x\nwant\n x %x\n y empty", got["org-x"], got["org-y"], want)
		}
		if _, err := p.Down(ctx); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := sdb.QueryRowContext(ctx, db.Rebind(e.Name, `SELECT COUNT(*) FROM section_macs WHERE case_id = $1 AND org_id = 'org-x' AND
			((section = 'identity' AND version = 0 AND mac = $2) OR (section = 'legal' AND version = 200 AND mac = $3)
			OR (section = 'narrative' AND version = 0 AND mac = $4))`), caseID, mac(1), mac(2), mac(3)).Scan(&n); err != nil || n != 3 {
			t.Fatalf("%d of 3 section MACs back after going down (%v)", n, err)
		}
		if err := sdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM section_macs`).Scan(&n); err != nil || n != 3 {
			t.Fatalf("%d section MACs after going down (%v), want 3", n, err)
		}
	})
}

// migratedTo opens an empty database for service's migrations (as
// migrationDB does) and migrates it up to version.
func migratedTo(t *testing.T, e dbtest.Engine, service string, version int64) (*sql.DB, *goose.Provider) {
	t.Helper()
	sdb := migrationDB(t, e, service)
	p, err := db.MigrationProvider(e.Name, sdb, service)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return sdb, p
}

// migrationDB opens an empty database for service's migrations as the
// superuser: SQLite's file, or on PostgreSQL the service's schema.
func migrationDB(t *testing.T, e dbtest.Engine, service string) *sql.DB {
	t.Helper()
	if e.Name == db.SQLite {
		sdb, err := db.OpenSQLiteFile(e.Config.DataDir, service)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sdb.Close() })
		return sdb
	}
	admin, err := sql.Open("postgres", e.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA "` + service + `"`); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(e.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("options", "-c search_path="+service)
	u.RawQuery = q.Encode()
	sdb, err := sql.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sdb.Close() })
	return sdb
}

// MigrateTo stops each service at the version asked, with the roles and
// grants of Migrate; Migrate then takes it to the latest.
func TestMigrateToStopsAtTheHeadsAsked(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ctx := context.Background()
		if err := db.MigrateTo(ctx, e.Config, map[string]int64{"referral": 2, "audit": 1}); err != nil {
			t.Fatal(err)
		}
		for svc, want := range map[string]int64{"referral": 2, "audit": 1} {
			d, err := db.Open(ctx, e.Config, svc)
			if err != nil {
				t.Fatal(err)
			}
			var got int64
			if err := d.QueryRowContext(ctx, `SELECT MAX(version_id) FROM goose_db_version`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			current, err := d.SchemaCurrent(ctx)
			if err != nil || got != want || current {
				t.Fatalf("%s at version %d (current %v, %v), want %d and behind", svc, got, current, err, want)
			}
			if err := db.Migrate(ctx, e.Config, svc); err != nil {
				t.Fatal(err)
			}
			if current, err := d.SchemaCurrent(ctx); err != nil || !current {
				t.Fatalf("%s after Migrate: current %v, %v", svc, current, err)
			}
			d.Close()
		}
		if err := db.MigrateTo(ctx, e.Config, map[string]int64{"referral": 0}); err == nil {
			t.Fatal("version 0 accepted")
		}
	})
}
