package intake_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

type storedEntryKey struct {
	entryID, caseID, authorOrg string
	wrap                       []byte
}

func entryKeysOf(t *testing.T, env *intaketest.Env, orgID string) []storedEntryKey {
	t.Helper()
	rows, err := env.DB.Query(`SELECT k.entry_id, e.case_id, e.author_org, k.wrap FROM entry_keys k
		JOIN entries e ON e.id = k.entry_id WHERE k.org_id = $1`, orgID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedEntryKey
	for rows.Next() {
		var k storedEntryKey
		if err := rows.Scan(&k.entryID, &k.caseID, &k.authorOrg, &k.wrap); err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

// readableNotes returns the text of the notes the caller can read.
func readableNotes(t *testing.T, env *intaketest.Env, ctx context.Context, caseID string) []string {
	t.Helper()
	es, err := env.Service.Entries(ctx, caseID)
	if err != nil {
		t.Fatalf("entries: %v", err)
	}
	var out []string
	for _, e := range es {
		if e.Type == intake.EntryNote && len(e.Content) > 0 {
			var n struct{ Text string }
			if err := json.Unmarshal(e.Content, &n); err != nil {
				t.Fatal(err)
			}
			out = append(out, n.Text)
		}
	}
	return out
}

// TestRotationCoversEntries: after RotateOrg and after RekeyOrg the
// organisation still reads its case record, a grantee too, and the
// organisation's old identity opens no entry key left in the database; after
// a rekey the old data keys open no entry either.
func TestRotationCoversEntries(t *testing.T) {
	t.Parallel()
	for _, op := range []string{"rotate", "rekey"} {
		t.Run(op, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
				env := intaketest.New(t, e)
				police, ngo := env.Org("police"), env.Org("ngo")
				officer, worker := intaketest.Officer(police), intaketest.As(ngo, auth.RoleNGOCaseworker)
				c := env.Register(t, police, intaketest.Registration("Entry Rotation"))
				g := grant(t, env, police, ngo, c.ID, intake.SectionNarrative)
				if _, err := env.Service.ActivateGrant(worker, c.ID, g.ID); err != nil {
					t.Fatal(err)
				}
				for _, w := range []struct {
					ctx  context.Context
					text string
				}{{officer, "police note"}, {worker, "ngo note"}} {
					if _, err := env.Service.AddEntry(w.ctx, c.ID, intake.EntryInput{Type: intake.EntryNote,
						Content: json.RawMessage(`{"text":"` + w.text + `"}`)}); err != nil {
						t.Fatal(err)
					}
				}
				want := "police note,ngo note"
				oldID, _ := activeIdentity(t, env, police.ID)
				oldKeys := map[string]seal.DataKey{}
				for _, k := range entryKeysOf(t, env, police.ID) {
					kgs, err := seal.Unwrap(oldID, k.wrap, unlockCase(env.Keys, c.ID))
					if err != nil || len(kgs) != 1 {
						t.Fatalf("old identity cannot open its entry key before rotation: %v", err)
					}
					oldKeys[k.entryID] = kgs[0].Key
				}
				if len(oldKeys) != 2 {
					t.Fatalf("police holds %d entry keys, want 2", len(oldKeys))
				}
				var err error
				if op == "rotate" {
					_, err = env.Admin.RotateOrg(context.Background(), police.ID)
				} else {
					_, err = env.Admin.RekeyOrg(context.Background(), police.ID)
				}
				if err != nil {
					t.Fatalf("%s: %v", op, err)
				}
				for _, r := range []struct {
					name string
					ctx  context.Context
				}{{"owner", officer}, {"grantee", worker}} {
					if got := strings.Join(readableNotes(t, env, r.ctx, c.ID), ","); got != want {
						t.Fatalf("%s reads %q after %s, want %q", r.name, got, op, want)
					}
				}
				for _, k := range entryKeysOf(t, env, police.ID) {
					if _, err := seal.Unwrap(oldID, k.wrap, unlockCase(env.Keys, c.ID)); err == nil {
						t.Fatalf("the old identity still opens entry key %s after %s", k.entryID, op)
					}
				}
				if n := count(t, env, `SELECT COUNT(*) FROM org_keys WHERE org_id = $1 AND state <> 'destroyed'`, police.ID); n != 1 {
					t.Fatalf("%d live identities after %s, want 1", n, op)
				}
				if op != "rekey" {
					return
				}
				rows, err := env.DB.Query(`SELECT id, case_id, author_org, sealed FROM entries WHERE case_id = $1`, c.ID)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				for rows.Next() {
					var h seal.Header
					var id string
					var sealed []byte
					if err := rows.Scan(&id, &h.CaseID, &h.AuthorOrg, &sealed); err != nil {
						t.Fatal(err)
					}
					h.Section = "entry/" + id
					if k, ok := oldKeys[id]; ok {
						if _, err := seal.Open(h, sealed, k); err == nil {
							t.Fatalf("an old data key still opens entry %s after rekey", id)
						}
					}
				}
			})
		})
	}
}

// TestRevokedGranteeLosesEntryKeys: once its last grant is revoked, the
// grantee keeps only the keys of the entries it wrote.
func TestRevokedGranteeLosesEntryKeys(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police, ngo := env.Org("police"), env.Org("ngo")
		worker := intaketest.As(ngo, auth.RoleNGOCaseworker)
		c := env.Register(t, police, intaketest.Registration("Revoked Grantee"))
		g := grant(t, env, police, ngo, c.ID, intake.SectionNarrative)
		if _, err := env.Service.ActivateGrant(worker, c.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		for _, ctx := range []context.Context{intaketest.Officer(police), worker} {
			if _, err := env.Service.AddEntry(ctx, c.ID, intake.EntryInput{Type: intake.EntryNote, Content: json.RawMessage(`{"text":"x"}`)}); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(entryKeysOf(t, env, ngo.ID)); n != 2 {
			t.Fatalf("grantee holds %d entry keys, want 2", n)
		}
		if err := env.Service.RevokeGrant(intaketest.Officer(police), c.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		left := entryKeysOf(t, env, ngo.ID)
		if len(left) != 1 || left[0].authorOrg != ngo.ID {
			t.Fatalf("after revocation the grantee holds %+v, want only its own entry's key", left)
		}
	})
}
