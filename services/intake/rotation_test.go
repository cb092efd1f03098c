package intake_test

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// activeIdentity returns an organisation's active identity as an insider
// who also stole the master key would: the blob and its unwrapping.
func activeIdentity(t *testing.T, env *intaketest.Env, orgID string) (*seal.OrgIdentity, []byte) {
	t.Helper()
	var blob []byte
	if err := env.DB.QueryRow(`SELECT wrapped_identity FROM org_keys WHERE org_id = $1 AND state = 'active'`, orgID).Scan(&blob); err != nil {
		t.Fatal(err)
	}
	id, err := seal.UnwrapIdentity(env.Keys.Subkey(keys.PurposeWrap), orgID, blob)
	if err != nil {
		t.Fatal(err)
	}
	return id, blob
}

type storedSection struct {
	h      seal.Header
	sealed []byte
}

func allSections(t *testing.T, env *intaketest.Env) []storedSection {
	t.Helper()
	rows, err := env.DB.Query(`SELECT case_id, section, version, author_org, sealed FROM sections`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedSection
	for rows.Next() {
		var s storedSection
		if err := rows.Scan(&s.h.CaseID, &s.h.Section, &s.h.Version, &s.h.AuthorOrg, &s.sealed); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

type storedWrap struct {
	caseID string
	wrap   []byte
}

func allWraps(t *testing.T, env *intaketest.Env, orgID string) []storedWrap {
	t.Helper()
	rows, err := env.DB.Query(`SELECT case_id, wrap FROM wraps WHERE org_id = $1 OR $1 = ''`, orgID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []storedWrap
	for rows.Next() {
		var w storedWrap
		if err := rows.Scan(&w.caseID, &w.wrap); err != nil {
			t.Fatal(err)
		}
		out = append(out, w)
	}
	return out
}

func TestRotateAndRekeyUnderLoad(t *testing.T) {
	// Not in parallel: its registrations and reads have deadlines.
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e, func(c *intake.Config) { c.DuplicateChecksPerMinute = 1000 })
		police, ngo, authority := env.Org("police"), env.Org("ngo"), env.Org(intake.OrgKindCompetentAuthority)
		officer := intaketest.Officer(police)
		type reader struct {
			ctx  context.Context
			want int // sections
		}
		var mu sync.Mutex
		cases := map[string][]reader{}
		for i := range 12 {
			c := env.Register(t, police, intaketest.Registration("Rotated Person"))
			rs := []reader{{officer, 4}}
			switch i % 3 {
			case 1:
				g := grant(t, env, police, ngo, c.ID, intake.SectionNarrative)
				if _, err := env.Service.ActivateGrant(intaketest.As(ngo, auth.RoleNGOCaseworker), c.ID, g.ID); err != nil {
					t.Fatal(err)
				}
				rs = append(rs, reader{intaketest.As(ngo, auth.RoleNGOCaseworker), 1})
			case 2:
				if _, err := env.Service.Submit(officer, c.ID); err != nil {
					t.Fatal(err)
				}
				rs = append(rs, reader{intaketest.As(authority, auth.RoleDecisionMaker), 3})
			}
			cases[c.ID] = rs
		}
		oldID, oldBlob := activeIdentity(t, env, police.ID)
		oldKeys := map[seal.SectionID][]seal.DataKey{}
		for _, w := range allWraps(t, env, police.ID) {
			grants, err := seal.Unwrap(oldID, w.wrap, unlockCase(env.Keys, w.caseID))
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range grants {
				oldKeys[g.ID()] = append(oldKeys[g.ID()], g.Key)
			}
		}

		read := func(id string, r reader) error {
			c, err := env.Service.Get(r.ctx, id)
			if err == nil && len(c.Sections) != r.want {
				t.Errorf("case %s: %d sections, want %d", id, len(c.Sections), r.want)
			}
			return err
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var reads, failures atomic.Int64
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					snapshot := map[string][]reader{}
					for k, v := range cases {
						snapshot[k] = v
					}
					mu.Unlock()
					for id, rs := range snapshot {
						for _, r := range rs {
							if err := read(id, r); err != nil {
								failures.Add(1)
								t.Errorf("read during rotation: %v", err)
							}
							reads.Add(1)
						}
					}
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := env.Service.Register(officer, intaketest.Registration("Registered During Rotation"))
				if err != nil {
					t.Errorf("register during rotation: %v", err)
					return
				}
				mu.Lock()
				cases[c.ID] = []reader{{officer, 4}}
				mu.Unlock()
			}
		}()
		if _, err := env.Admin.RotateOrg(context.Background(), police.ID); err != nil {
			t.Fatalf("rotate: %v", err)
		}
		if _, err := env.Admin.RekeyOrg(context.Background(), police.ID); err != nil {
			t.Fatalf("rekey: %v", err)
		}
		close(stop)
		wg.Wait()
		if reads.Load() == 0 || failures.Load() > 0 {
			t.Fatalf("%d reads, %d failures during rotation", reads.Load(), failures.Load())
		}
		// Nothing lost: every case reads back for every reader.
		for id, rs := range cases {
			for _, r := range rs {
				if err := read(id, r); err != nil {
					t.Fatalf("after rekey: %v", err)
				}
			}
		}
		// The old identity decrypts nothing of the current database.
		for _, w := range allWraps(t, env, "") {
			if _, err := seal.Unwrap(oldID, w.wrap, unlockCase(env.Keys, w.caseID)); err == nil {
				t.Fatal("the old identity still opens a wrap")
			}
		}
		for _, s := range allSections(t, env) {
			for _, k := range oldKeys[s.h.ID()] {
				if _, err := seal.Open(s.h, s.sealed, k); err == nil {
					t.Fatal("an old data key still opens a section")
				}
			}
		}
		if n := count(t, env, `SELECT COUNT(*) FROM org_keys WHERE org_id = $1 AND (state = 'destroyed') = (wrapped_identity IS NULL)`, police.ID); n != 3 {
			t.Fatalf("key ring not as expected: %d consistent rows of 3", n)
		}
		if n := count(t, env, `SELECT COUNT(*) FROM org_keys WHERE org_id = $1 AND state = 'active'`, police.ID); n != 1 {
			t.Fatalf("%d active identities", n)
		}
		if e.Name == db.SQLite && bytes.Contains(dump(t, env), oldBlob) {
			t.Fatal("the destroyed identity is still in the database files")
		}
	})
}
