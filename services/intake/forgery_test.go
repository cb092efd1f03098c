package intake_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

func mustExec(t *testing.T, a *sql.DB, query string, args ...any) {
	t.Helper()
	res, err := a.Exec(query, args...)
	if err != nil {
		t.Fatalf("insider write: %v", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("insider write changed nothing: %s", query)
	}
}

func sealedOf(t *testing.T, a *sql.DB, caseID, section string) []byte {
	t.Helper()
	var b []byte
	if err := a.QueryRow(`SELECT sealed FROM sections WHERE case_id = $1 AND section = $2`, caseID, section).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

// macsOf reads the stored section MACs of caseID's wrap for orgID.
func macsOf(t *testing.T, a *sql.DB, caseID, orgID string) map[string][]byte {
	t.Helper()
	var b []byte
	if err := a.QueryRow(`SELECT section_macs FROM wraps WHERE case_id = $1 AND org_id = $2`, caseID, orgID).Scan(&b); err != nil {
		t.Fatal(err)
	}
	macs, err := intake.SectionMACs(b)
	if err != nil {
		t.Fatal(err)
	}
	return macs
}

// setMACs stores macs as the section MACs of caseID's wrap for orgID.
func setMACs(t *testing.T, a *sql.DB, caseID, orgID string, macs map[string][]byte) {
	t.Helper()
	mustExec(t, a, `UPDATE wraps SET section_macs = $1 WHERE case_id = $2 AND org_id = $3`, intake.EncodeSectionMACs(macs), caseID, orgID)
}

func TestForgeryRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police := env.Org("police")
		officer := intaketest.Officer(police)
		a := adminDB(t, env)
		donor := env.Register(t, police, intaketest.Registration("Donor Person"))

		tests := []struct {
			name  string
			forge func(t *testing.T, victim intake.Case)
		}{
			{"section moved from another case", func(t *testing.T, v intake.Case) {
				mustExec(t, a, `UPDATE sections SET sealed = $1 WHERE case_id = $2 AND section = 'identity'`, sealedOf(t, a, donor.ID, "identity"), v.ID)
			}},
			{"section moved to another section", func(t *testing.T, v intake.Case) {
				mustExec(t, a, `UPDATE sections SET sealed = $1 WHERE case_id = $2 AND section = 'health'`, sealedOf(t, a, v.ID, "narrative"), v.ID)
			}},
			{"section and its MAC moved from another case", func(t *testing.T, v intake.Case) {
				macs := macsOf(t, a, v.ID, police.ID)
				donorMACs := macsOf(t, a, donor.ID, police.ID)
				if len(macs) != 4 || donorMACs["identity:0"] == nil {
					t.Fatalf("MACs %v and %v, want the four sections of each", macs, donorMACs)
				}
				macs["identity:0"] = donorMACs["identity:0"]
				mustExec(t, a, `UPDATE sections SET sealed = $1 WHERE case_id = $2 AND section = 'identity'`, sealedOf(t, a, donor.ID, "identity"), v.ID)
				setMACs(t, a, v.ID, police.ID, macs)
			}},
			{"section truncated", func(t *testing.T, v intake.Case) {
				b := sealedOf(t, a, v.ID, "legal")
				mustExec(t, a, `UPDATE sections SET sealed = $1 WHERE case_id = $2 AND section = 'legal'`, b[:len(b)-7], v.ID)
			}},
			{"section and wrap replaced with the public key", func(t *testing.T, v intake.Case) {
				var recipient string
				if err := a.QueryRow(`SELECT recipient FROM org_keys WHERE org_id = $1 AND state = 'active'`, police.ID).Scan(&recipient); err != nil {
					t.Fatal(err)
				}
				r, err := seal.ParseRecipient(recipient)
				if err != nil {
					t.Fatal(err)
				}
				var version int
				if err := a.QueryRow(`SELECT version FROM sections WHERE case_id = $1 AND section = 'narrative'`, v.ID).Scan(&version); err != nil {
					t.Fatal(err)
				}
				var grants []seal.KeyGrant
				for _, name := range intake.Sections {
					h := seal.Header{CaseID: v.ID, Section: name, Version: version, AuthorOrg: police.ID}
					sealed, key, err := seal.Seal(h, []byte(`{"account":"PLANTED-BY-INSIDER"}`))
					if err != nil {
						t.Fatal(err)
					}
					mustExec(t, a, `UPDATE sections SET sealed = $1 WHERE case_id = $2 AND section = $3`, []byte(sealed), v.ID, name)
					grants = append(grants, seal.KeyGrant{KeyRef: seal.KeyRef{CaseID: v.ID, Section: name, Version: version, RetentionClass: "case"}, Key: key})
				}
				wrap, err := seal.Wrap(r, grants)
				if err != nil {
					t.Fatal(err)
				}
				mustExec(t, a, `UPDATE wraps SET wrap = $1 WHERE case_id = $2 AND org_id = $3`, wrap, v.ID, police.ID)
			}},
			{"MAC deleted", func(t *testing.T, v intake.Case) {
				macs := macsOf(t, a, v.ID, police.ID)
				if macs["narrative:0"] == nil {
					t.Fatalf("MACs %v, want one for narrative:0", macs)
				}
				delete(macs, "narrative:0")
				setMACs(t, a, v.ID, police.ID, macs)
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				victim := env.Register(t, police, intaketest.Registration("Victim Person"))
				if _, err := env.Service.Get(officer, victim.ID); err != nil {
					t.Fatalf("before forgery: %v", err)
				}
				tt.forge(t, victim)
				got, err := env.Service.Get(officer, victim.ID)
				wantErr(t, err, intake.ErrIntegrity)
				if got.ID != "" || got.Sections != nil {
					t.Fatal("a refused read returned data")
				}
				for _, s := range []string{"Victim", "Donor", "PLANTED"} {
					if strings.Contains(err.Error(), s) || strings.Contains(string(env.Logs.Bytes()), s) {
						t.Fatalf("plaintext in the error or log")
					}
				}
				if ev, ok := lastAudit(t, env, "intake.case.integrity", victim.ID); !ok || ev.Outcome != event.Failed {
					t.Fatal("integrity failure not audited")
				}
			})
		}
	})
}

func TestAuditFailsClosed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := intaketest.New(t, e)
		police := env.Org("police")
		officer := intaketest.Officer(police)
		c := env.Register(t, police, intaketest.Registration("Audited Person"))
		a := adminDB(t, env)
		if _, err := a.Exec(`ALTER TABLE outbox RENAME TO outbox_gone`); err != nil {
			t.Fatal(err)
		}
		restore := func() {
			if _, err := a.Exec(`ALTER TABLE outbox_gone RENAME TO outbox`); err != nil {
				t.Fatal(err)
			}
		}
		got, err := env.Service.Get(officer, c.ID)
		wantErr(t, err, intake.ErrUnavailable)
		if got.ID != "" || got.Sections != nil {
			t.Fatal("data returned without an audit record")
		}
		v, err := env.Service.CaseView(officer, c.ID, intake.CaseParts{Workflow: true, Entries: true})
		wantErr(t, err, intake.ErrUnavailable)
		if v.Case.ID != "" || v.Case.Sections != nil || v.Workflow != nil || v.Entries != nil {
			t.Fatal("the case view returned data without an audit record")
		}
		before := count(t, env, `SELECT COUNT(*) FROM cases`)
		_, err = env.Service.Register(officer, intaketest.Registration("Unaudited Person"))
		wantErr(t, err, intake.ErrUnavailable)
		if count(t, env, `SELECT COUNT(*) FROM cases`) != before {
			t.Fatal("a change committed without its audit event")
		}
		restore()
		if got, err = env.Service.Get(officer, c.ID); err != nil || len(got.Sections) != 4 {
			t.Fatalf("after restoring the outbox: %v", err)
		}
	})
}

// TestAuditBeforeDecrypt checks the order: the read is in the outbox before
// the sections are opened, so a failing decryption still leaves its trace.
func TestAuditBeforeDecrypt(t *testing.T) {
	t.Parallel()
	env := intaketest.New(t, dbtest.SQLite(t))
	police := env.Org("police")
	c := env.Register(t, police, intaketest.Registration("Ordered Person"))
	if _, err := env.DB.ExecContext(context.Background(), `UPDATE wraps SET section_macs = $1 WHERE case_id = $2`, []byte{}, c.ID); err != nil {
		t.Fatal(err)
	}
	_, err := env.Service.Get(intaketest.Officer(police), c.ID)
	wantErr(t, err, intake.ErrIntegrity)
	if ev, ok := lastAudit(t, env, "intake.case.read", c.ID); !ok || ev.Outcome != event.Allowed {
		t.Fatal("the read was not audited before decryption")
	}
}
