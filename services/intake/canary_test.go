package intake_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// adminDB is an insider's connection: the SQLite file itself, or the
// PostgreSQL superuser with the intake schema on its path.
func adminDB(t testing.TB, env *intaketest.Env) *sql.DB {
	t.Helper()
	if env.Engine.Name == db.SQLite {
		return env.DB.DB
	}
	u, err := url.Parse(env.Engine.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("options", "-c search_path=intake")
	u.RawQuery = q.Encode()
	a, err := sql.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func canary() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "CANARY" + hex.EncodeToString(b)
}

// canaryRegistration fills every section field and name variant with a
// unique canary, and returns them.
func canaryRegistration() (intake.Registration, []string) {
	r := intaketest.Registration("")
	id := &intake.IdentityInfo{FullName: canary(), NameVariants: []string{canary(), canary(), canary()},
		DateOfBirth: "1990-05-05", Contacts: canary(), Documents: canary()}
	r.Identity = id
	r.Narrative = &intake.NarrativeInfo{Account: canary()}
	r.Health = &intake.HealthInfo{Notes: canary()}
	r.Legal = &intake.LegalInfo{Notes: canary(), ImmigrationStatus: canary(), Proceedings: canary()}
	all := append([]string{id.FullName, id.Contacts, id.Documents}, id.NameVariants...)
	all = append(all, r.Narrative.Account, r.Health.Notes, r.Legal.Notes, r.Legal.ImmigrationStatus, r.Legal.Proceedings)
	return r, all
}

// dump returns everything an insider could copy: every SQLite file, or a
// pg_dump of the database (every table as text when pg_dump is missing).
func dump(t *testing.T, env *intaketest.Env) []byte {
	t.Helper()
	if env.Engine.Name == db.SQLite {
		var out []byte
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(filepath.Join(env.Engine.Config.DataDir, "intake.db"+suffix))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			out = append(out, b...)
		}
		if len(out) == 0 {
			t.Fatal("no database file found")
		}
		return out
	}
	if path, err := exec.LookPath("pg_dump"); err == nil {
		out, err := exec.Command(path, "--dbname="+env.Engine.AdminURL, "--schema=intake").Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		return out
	}
	a := adminDB(t, env)
	var out []byte
	for _, table := range []string{"cases", "consents", "org_keys", "sections", "wraps", "grants", "blind_indexes", "duplicates", "outbox"} {
		rows, err := a.Query(`SELECT t::text FROM ` + table + ` t`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s...)
		}
		rows.Close()
	}
	return out
}

func TestCanaryNeverInClear(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e, func(c *intake.Config) { c.DuplicateChecksPerMinute = 1000 })
		police, ngo, authority := env.Org("police"), env.Org("ngo"), env.Org(intake.OrgKindCompetentAuthority)
		officer := intaketest.Officer(police)
		const n = 50
		type planted struct {
			c       intake.Case
			reg     intake.Registration
			canary  []string
			readers []context.Context
		}
		var cases []planted
		var canaries []string
		for i := range n {
			r, cs := canaryRegistration()
			canaries = append(canaries, cs...)
			var c intake.Case
			var err error
			if i%5 == 0 { // through a draft, finalized
				r.Draft = true
				c, err = env.Service.Register(officer, r)
				if err == nil {
					c, err = env.Service.Finalize(officer, c.ID)
				}
				r.Draft = false
			} else {
				// Keyed, with a canary as the key (a client may put anything
				// in it) and sent twice: the record of the key is scanned too.
				keyed := idempotency.WithKey(officer, "key-"+cs[0])
				c, err = env.Service.Register(keyed, r)
				if err == nil {
					_, err = env.Service.Register(keyed, r)
				}
				body, _ := json.Marshal(r)
				sum := sha256.Sum256(body)
				canaries = append(canaries, "key-"+cs[0], hex.EncodeToString(sum[:]))
			}
			if err != nil {
				t.Fatal(err)
			}
			p := planted{c: c, reg: r, canary: cs, readers: []context.Context{officer}}
			switch i % 3 {
			case 1:
				g := grant(t, env, police, ngo, c.ID, intake.SectionIdentity, intake.SectionNarrative)
				if _, err := env.Service.ActivateGrant(intaketest.As(ngo, auth.RoleNGOCaseworker), c.ID, g.ID); err != nil {
					t.Fatal(err)
				}
			case 2:
				if _, err := env.Service.Submit(officer, c.ID); err != nil {
					t.Fatal(err)
				}
				p.readers = append(p.readers, intaketest.As(authority, auth.RoleDecisionMaker))
			}
			cases = append(cases, p)
		}
		// The owner reads everything back intact.
		for _, p := range cases {
			got, err := env.Service.Get(officer, p.c.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]any{
				intake.SectionIdentity: p.reg.Identity, intake.SectionNarrative: p.reg.Narrative,
				intake.SectionHealth: p.reg.Health, intake.SectionLegal: p.reg.Legal,
			}
			for name, w := range want {
				wantJSON, _ := json.Marshal(w)
				var a, b any
				_ = json.Unmarshal(wantJSON, &a)
				_ = json.Unmarshal(got.Sections[name], &b)
				if !reflect.DeepEqual(a, b) {
					t.Fatalf("section %s of %s not read back intact", name, p.c.ID)
				}
			}
		}
		// A forged row makes the service log an error: the log must stay
		// clean too.
		a := adminDB(t, env)
		var stored []byte
		if err := a.QueryRow(`SELECT section_macs FROM wraps WHERE case_id = $1`, cases[0].c.ID).Scan(&stored); err != nil || len(stored) == 0 {
			t.Fatalf("stored MACs: %v", err)
		}
		stored[len(stored)-1] ^= 1 // the last byte of the last MAC
		if _, err := a.Exec(`UPDATE wraps SET section_macs = $1 WHERE case_id = $2`, stored, cases[0].c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Service.Get(officer, cases[0].c.ID); err == nil {
			t.Fatal("forged MAC accepted")
		}
		if len(env.Logs.Bytes()) == 0 {
			t.Fatal("nothing was logged; the log check would prove nothing")
		}

		haystacks := map[string][]byte{
			"database": dump(t, env),
			"outbox":   []byte(joinAll(outboxPayloads(t, env, ""))),
			"logs":     env.Logs.Bytes(),
		}
		for where, hay := range haystacks {
			lower := bytes.ToLower(hay) // bytea is dumped as hex
			for _, c := range canaries {
				if bytes.Contains(hay, []byte(c)) || bytes.Contains(lower, []byte(hex.EncodeToString([]byte(c)))) {
					t.Fatalf("canary found in clear in the %s", where)
				}
			}
		}
		// The scan can fail: a canary in an attribute-like place is found.
		if !bytes.Contains(haystacks["database"], []byte(cases[1].c.ID)) {
			t.Fatal("the dump does not hold the case ids; the scan is not looking at the data")
		}
		if n := count(t, env, `SELECT COUNT(*) FROM idempotency_keys`); n != 40 {
			t.Fatalf("%d idempotency records, want 40: the scan does not cover them", n)
		}
		if !bytes.Contains(haystacks["database"], []byte("intake.case.register")) {
			t.Fatal("the dump does not hold the idempotency records")
		}
	})
}

func joinAll(v []string) string {
	var b bytes.Buffer
	for _, s := range v {
		b.WriteString(s)
	}
	return b.String()
}
