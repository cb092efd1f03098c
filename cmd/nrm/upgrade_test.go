package main

import (
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// firstRelease are the migration heads of the first release (27 November
// 2026): the schema the fixture's rows were written under, by that
// release's own binary (testdata/upgrade/README.md says how).
var firstRelease = map[string]int64{"identity": 3, "audit": 2, "intake": 8, "referral": 4, "stats": 4}

// upgradeFixture is what the first release's binary left: ids of the
// case referred, its referral and the organisations involved.
type upgradeFixture struct {
	Case, Referral, Shelter, Police string
	Cases                           int // registered by the police officer
}

// TestUpgradeFromFirstRelease: a database the first release wrote (demo
// organisations and users, a registered case with sealed sections, a
// referral accepted by a shelter, the audit log with its checkpoints,
// statistics) is migrated by today's binary on both engines, and nothing
// is lost: the owner's officer reads the case in full, the shelter reads
// what it was granted, the referral is listed as accepted, and the audit
// log verifies.
func TestUpgradeFromFirstRelease(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ctx := context.Background()
		fixture := filepath.Join("testdata", "upgrade", string(e.Name))
		root := t.TempDir()
		keysDir, dataDir := filepath.Join(root, "keys"), filepath.Join(root, "data")
		copyKeys(t, filepath.Join("testdata", "upgrade", "keys"), keysDir)
		copyKeys(t, filepath.Join(fixture, "checkpoints"), filepath.Join(keysDir, "checkpoints"))
		cfg := e.Config
		args := []string{"--keys", keysDir, "--data", dataDir}
		if e.Name == db.SQLite {
			cfg.DataDir = dataDir
		} else {
			args = append(args, "--database-url", e.Config.URL)
		}

		if err := db.MigrateTo(ctx, cfg, firstRelease); err != nil {
			t.Fatalf("migrate to the first release: %v", err)
		}
		for svc := range firstRelease {
			loadRows(t, e, dataDir, svc, fixture)
		}
		var out, errb syncBuffer
		if code := run(ctx, append([]string{"migrate"}, args...), nil, &out, &errb); code != 0 {
			t.Fatalf("nrm migrate over the first release's data: %d %s", code, errb.String())
		}
		if code := run(ctx, append([]string{"audit", "verify"}, args...), nil, &out, &errb); code != 0 {
			t.Fatalf("audit verify after the upgrade: exit %d: %s %s", code, out.String(), errb.String())
		}

		var ids upgradeFixture
		readJSON(t, filepath.Join(fixture, "ids.json"), &ids)
		credsText, err := os.ReadFile(filepath.Join(fixture, "credentials.txt"))
		if err != nil {
			t.Fatal(err)
		}
		creds := demoCredentials(t, string(credsText))
		s := startServer(t, args...)

		officer := login(t, s.base, creds["officer@police.demo"])
		// Every case the first release registered reads back in full.
		st, b := call(t, "GET", s.base+"/api/v1/cases", officer, nil)
		var page struct {
			Cases []struct {
				ID string `json:"id"`
			} `json:"cases"`
		}
		if err := json.Unmarshal(b, &page); st != http.StatusOK || err != nil || len(page.Cases) != ids.Cases {
			t.Fatalf("the officer's cases after the upgrade: %d %s, want %d", st, b, ids.Cases)
		}
		for _, listed := range page.Cases {
			st, b := call(t, "GET", s.base+"/api/v1/cases/"+listed.ID, officer, nil)
			if st != http.StatusOK {
				t.Fatalf("the owner's officer reads case %s: %d %s", listed.ID, st, b)
			}
			var c struct {
				OwnerOrg string `json:"owner_org"`
				Sections struct {
					Identity struct {
						FullName string `json:"full_name"`
					} `json:"identity"`
					Narrative struct {
						Account string `json:"account"`
					} `json:"narrative"`
					Health struct {
						Notes string `json:"notes"`
					} `json:"health"`
					Legal struct {
						Notes string `json:"notes"`
					} `json:"legal"`
				} `json:"sections"`
			}
			if err := json.Unmarshal(b, &c); err != nil {
				t.Fatal(err)
			}
			sec := c.Sections
			if c.OwnerOrg != ids.Police || sec.Identity.FullName != "Upgrade Fixture Person" || sec.Narrative.Account != "upgrade-fixture-narrative" ||
				sec.Health.Notes != "upgrade-fixture-health" || sec.Legal.Notes != "upgrade-fixture-legal" {
				t.Fatalf("case %s after the upgrade: %s", listed.ID, b)
			}
		}

		caseworker := login(t, s.base, creds["caseworker@shelter.demo"])
		if st, b := call(t, "GET", s.base+"/api/v1/cases/"+ids.Case, caseworker, nil); st != http.StatusOK ||
			!strings.Contains(string(b), "Upgrade Fixture Person") {
			t.Fatalf("the shelter reads what it was granted: %d %s", st, b)
		}
		st, b = call(t, "GET", s.base+"/api/v1/referrals/sent", officer, nil)
		if st != http.StatusOK {
			t.Fatalf("sent referrals: %d %s", st, b)
		}
		var raw struct {
			Referrals []map[string]any `json:"referrals"`
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range raw.Referrals {
			if r["id"] == ids.Referral {
				found = r["status"] == "accepted" && r["accepted_org"] == ids.Shelter
			}
		}
		if !found {
			t.Fatalf("the referral is not listed as accepted by the shelter after the upgrade: %s", b)
		}
	})
}

// copyKeys copies the fixture's key directory with the modes nrm wants.
func copyKeys(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// loadRows writes the fixture's rows of svc through the first release's
// schema: as the database's superuser on PostgreSQL (the dump sets
// sequences), into the service's file on SQLite.
func loadRows(t *testing.T, e dbtest.Engine, dataDir, svc, fixture string) {
	t.Helper()
	stmts := readSQL(t, filepath.Join(fixture, svc+".sql"))
	var (
		conn *sql.DB
		err  error
	)
	if e.Name == db.Postgres {
		conn, err = sql.Open("postgres", e.AdminURL)
	} else {
		conn, err = sql.Open("sqlite", "file:"+filepath.Join(dataDir, svc+".db")+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The fixture holds each table's whole content: rows the migrations
	// seeded (the outbox counters) give way to the release's own.
	seen := map[string]bool{}
	for _, m := range insertInto.FindAllStringSubmatch(stmts, -1) {
		table := m[1]
		if seen[table] {
			continue
		}
		seen[table] = true
		var n int
		if err := conn.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if n > 0 {
			if _, err := conn.Exec(`DELETE FROM ` + table); err != nil {
				t.Fatalf("%s: %v", table, err)
			}
		}
	}
	if _, err := conn.Exec(stmts); err != nil {
		t.Fatalf("load %s rows: %v", svc, err)
	}
}

var insertInto = regexp.MustCompile(`(?m)^INSERT INTO ("?[a-z_.]+"?)`)

// readSQL reads name, or name.gz.
func readSQL(t *testing.T, name string) string {
	t.Helper()
	f, err := os.Open(name)
	if errors.Is(err, fs.ErrNotExist) {
		f, err = os.Open(name + ".gz")
		if err == nil {
			defer f.Close()
			z, err := gzip.NewReader(f)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(z)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
