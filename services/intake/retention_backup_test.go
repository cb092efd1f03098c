package intake_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// backup is what a copy of the intake database holds of sealed content:
// sections, entries, every wrap and entry key, and the wrapped identities.
type backup struct {
	sections   map[seal.SectionID]storedSection
	entries    map[string]backupEntry // by entry id
	wraps      []backupWrap
	entryKeys  []backupWrap      // caseID, org, version, wrap; section = the entry
	identities map[string][]byte // org/version -> wrapped identity
}

type backupEntry struct {
	h      seal.Header
	sealed []byte
}

type backupWrap struct {
	caseID, orgID, entryID string
	version                int
	wrap                   []byte
}

func takeBackup(t *testing.T, env *intaketest.Env) backup {
	t.Helper()
	b := backup{sections: map[seal.SectionID]storedSection{}, entries: map[string]backupEntry{}, identities: map[string][]byte{}}
	for _, s := range allSections(t, env) {
		b.sections[s.h.ID()] = s
	}
	scan := func(query string, row func(func(...any))) {
		rows, err := env.DB.Query(query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			row(func(dst ...any) {
				if err := rows.Scan(dst...); err != nil {
					t.Fatal(err)
				}
			})
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	scan(`SELECT id, case_id, author_org, sealed FROM entries`, func(s func(...any)) {
		var id string
		var e backupEntry
		s(&id, &e.h.CaseID, &e.h.AuthorOrg, &e.sealed)
		e.h.Section = "entry/" + id
		b.entries[id] = e
	})
	scan(`SELECT case_id, org_id, key_version, wrap FROM wraps`, func(s func(...any)) {
		var w backupWrap
		s(&w.caseID, &w.orgID, &w.version, &w.wrap)
		b.wraps = append(b.wraps, w)
	})
	scan(`SELECT e.case_id, k.org_id, k.entry_id, k.key_version, k.wrap FROM entry_keys k JOIN entries e ON e.id = k.entry_id`, func(s func(...any)) {
		var w backupWrap
		s(&w.caseID, &w.orgID, &w.entryID, &w.version, &w.wrap)
		b.entryKeys = append(b.entryKeys, w)
	})
	scan(`SELECT org_id, version, wrapped_identity FROM org_keys WHERE wrapped_identity IS NOT NULL`, func(s func(...any)) {
		var org string
		var v int
		var blob []byte
		s(&org, &v, &blob)
		b.identities[org+"/"+strconv.Itoa(v)] = blob
	})
	return b
}

// openAll decrypts everything in b that the master key and case keys of
// kd open, as someone holding the backup and that key directory would.
func openAll(t *testing.T, kd *keys.Dir, b backup) string {
	t.Helper()
	var out []string
	unwrap := func(w backupWrap) []seal.KeyGrant {
		id, err := seal.UnwrapIdentity(kd.Subkey(keys.PurposeWrap), w.orgID, b.identities[w.orgID+"/"+strconv.Itoa(w.version)])
		if err != nil {
			t.Fatalf("identity of %s: %v", w.orgID, err)
		}
		kgs, err := seal.Unwrap(id, w.wrap, unlockCase(kd, w.caseID))
		if err != nil {
			return nil // a locked group without its key opens nothing
		}
		return kgs
	}
	for _, w := range b.wraps {
		for _, kg := range unwrap(w) {
			if s, ok := b.sections[kg.ID()]; ok {
				if pt, err := seal.Open(s.h, s.sealed, kg.Key); err == nil {
					out = append(out, string(pt))
				}
			}
		}
	}
	for _, w := range b.entryKeys {
		for _, kg := range unwrap(w) {
			e := b.entries[w.entryID]
			if pt, err := seal.Open(e.h, e.sealed, kg.Key); err == nil {
				out = append(out, string(pt))
			}
		}
	}
	return strings.Join(out, "\n")
}

// copyKeyDir copies the key directory as a key-directory backup would.
func copyKeyDir(t *testing.T, kd *keys.Dir) *keys.Dir {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "keys-copy")
	err := filepath.WalkDir(kd.Path(), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(kd.Path(), p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), raw, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	old, err := keys.Open(dst, "")
	if err != nil {
		t.Fatal(err)
	}
	return old
}

// TestPurgeDefeatsOldBackup: a copy of the database taken before the
// purge, read afterwards with the master key and the key directory as it
// now is, opens the decision record (identity, reasons, letter) and none
// of the purged content. The same copy with the key directory as it was
// before the purge opens everything, so the test would notice a purge that
// left its keys behind.
func TestPurgeDefeatsOldBackup(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		clock := &fixedClock{t: time.Date(2026, 11, 5, 10, 0, 0, 0, time.UTC)}
		env := intaketest.New(t, e, func(c *intake.Config) { c.Now = clock.Now })
		police, authority := env.Org("police"), env.Org(intake.OrgKindCompetentAuthority)
		officer, dm := intaketest.Officer(police), intaketest.As(authority, auth.RoleDecisionMaker)
		r := intaketest.Registration("Canary-bk0 Backup Person")
		r.IdentifiedOn = "2026-11-04"
		r.Narrative.Account = "Canary-bk1 kept in a flat above the bakery"
		r.Health.Notes = "Canary-bk2 untreated injury"
		r.Legal.Notes = "Canary-bk3 no residence permit"
		c := env.Register(t, police, r)
		if _, err := env.Service.Transition(officer, c.ID, intake.TransitionRequest{To: intake.DecisionSubmitted}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Service.Transition(dm, c.ID, intake.TransitionRequest{To: intake.DecisionRGPositive, Reason: "Canary-bk4 decision reasons"}); err != nil {
			t.Fatal(err)
		}
		note(t, env, officer, c.ID, "Canary-bk5 support note")
		pdf := base64.StdEncoding.EncodeToString([]byte("%PDF-1.4\nCanary-bk6 scanned passport\n"))
		if _, err := env.Service.AddEntry(officer, c.ID, intake.EntryInput{Type: intake.EntryAttachment,
			Content: json.RawMessage(`{"media_type":"application/pdf","data":"` + pdf + `"}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Service.SupportTransition(officer, c.ID, intake.TransitionRequest{To: intake.SupportClosed}); err != nil {
			t.Fatal(err)
		}
		old := takeBackup(t, env)
		oldKeys := copyKeyDir(t, env.Keys)
		if got := openAll(t, env.Keys, old); !containsAll(got, "Canary-bk0", "Canary-bk1", "Canary-bk2", "Canary-bk3", "Canary-bk4", "Canary-bk5", pdf) {
			t.Fatalf("before the purge the backup should open entirely; opened:\n%s", got)
		}

		rep, err := env.Admin.Purge(context.Background(), clock.t.AddDate(6, 0, 0))
		if err != nil || rep.Cases != 1 {
			t.Fatalf("purge: %+v, %v", rep, err)
		}

		got := openAll(t, env.Keys, old)
		for _, purged := range []string{"Canary-bk1", "Canary-bk2", "Canary-bk3", "Canary-bk5"} {
			if strings.Contains(got, purged) {
				t.Errorf("the pre-purge backup still opens %s with the current keys", purged)
			}
		}
		if !containsAll(got, "Canary-bk0", "Canary-bk4", pdf) {
			t.Errorf("the decision record (identity and reasons) and the attachment, on its longer period, should stay readable; opened:\n%s", got)
		}
		if got := openAll(t, oldKeys, old); !containsAll(got, "Canary-bk1", "Canary-bk5") {
			t.Errorf("control: with the key directory as it was, the backup should still open the purged content; opened:\n%s", got)
		}
		if rep, err := env.Admin.Purge(context.Background(), clock.t.AddDate(11, 0, 0)); err != nil || rep.Entries != 1 {
			t.Fatalf("attachment purge: %+v, %v", rep, err)
		}
		if got := openAll(t, env.Keys, old); strings.Contains(got, pdf) || !containsAll(got, "Canary-bk0", "Canary-bk4") {
			t.Errorf("after the attachment period the backup should open the decision record only; opened:\n%s", got)
		}
		// The live service agrees: the decision record is there, the rest is gone.
		live, err := env.Service.Get(officer, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if names := sectionNames(live); len(names) != 1 || !names[intake.SectionIdentity] {
			t.Fatalf("live case after purge shows sections %v, want identity only", names)
		}
	})
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
