package intake_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/intake/intaketest"
)

// TestRestoredWrapWithoutSectionMACsGetsNoEntryKey replays the review of
// issue 18's rollback fix: the attacker puts the revoked grantee's old wrap
// row back with its section MACs emptied, so none fails to verify, and
// sets the grant active. No entry written afterwards is wrapped to it.
func TestRestoredWrapWithoutSectionMACsGetsNoEntryKey(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		ctx := context.Background()
		owner := intaketest.Officer(w.owner)
		name := "Rolled Back " + event.NewID()
		c := w.env.Register(t, w.owner, intaketest.Registration(name))
		g, err := w.env.Service.GrantPending(owner, intake.GrantRequest{CaseID: c.ID, OrgID: w.grantee.ID,
			Sections: []string{intake.SectionNarrative, intake.SectionHealth}, Purpose: "referral"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.env.Service.ActivateGrant(intaketest.As(w.grantee, auth.RoleNGOCaseworker), c.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		before := note(t, w.env, owner, c.ID, "written while the grant was active")
		if n := count(t, w.env, `SELECT COUNT(*) FROM entry_keys WHERE entry_id = $1 AND org_id = $2`, before, w.grantee.ID); n != 1 {
			t.Fatalf("an active grantee holds %d keys of a note, want 1", n)
		}
		var (
			version   int
			held      string
			wrap, mac []byte
		)
		if err := w.env.DB.QueryRowContext(ctx, `SELECT key_version, held, wrap, mac FROM wraps WHERE case_id = $1 AND org_id = $2`,
			c.ID, w.grantee.ID).Scan(&version, &held, &wrap, &mac); err != nil {
			t.Fatal(err)
		}
		ownerTok := w.token(t, w.owner, auth.RoleFrontlineOfficer)
		if got := call(t, w.srv, ownerTok, "POST", "/api/v1/cases/"+c.ID+"/grants/"+g.ID+"/revoke", nil); got.status != 204 {
			t.Fatalf("revoke: %d (%s)", got.status, got.code)
		}
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`DELETE FROM wraps WHERE case_id = $1 AND org_id = $2`, []any{c.ID, w.grantee.ID}},
			{`INSERT INTO wraps (case_id, org_id, key_version, held, wrap, mac, section_macs, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, CURRENT_TIMESTAMP)`, []any{c.ID, w.grantee.ID, version, held, wrap, mac, []byte{}}},
			{`UPDATE grants SET status = 'active' WHERE id = $1`, []any{g.ID}},
		} {
			if _, err := w.env.DB.ExecContext(ctx, q.sql, q.args...); err != nil {
				t.Fatalf("attack: %v", err)
			}
		}
		later := note(t, w.env, owner, c.ID, "the shelter's new address "+name)
		if n := count(t, w.env, `SELECT COUNT(*) FROM entry_keys WHERE entry_id = $1 AND org_id = $2`, later, w.grantee.ID); n != 0 {
			t.Fatalf("an entry written after the attack is wrapped to the revoked organisation (%d keys)", n)
		}
		got := call(t, w.srv, w.token(t, w.grantee, auth.RoleNGOCaseworker), "GET", "/api/v1/cases/"+c.ID+"/entries", nil)
		if strings.Contains(got.raw, "new address "+name) {
			t.Fatal("the revoked organisation reads an entry written after the attack")
		}
	})
}

// TestForgedBreakGlassPurposeGetsNoEntryKey: a database writer turns a
// narrative grantee's grant into an emergency access, which covers every
// class; its wrap does not hold every section, so an interview written
// afterwards is not wrapped to it.
func TestForgedBreakGlassPurposeGetsNoEntryKey(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		owner := intaketest.Officer(w.owner)
		c := w.env.Register(t, w.owner, intaketest.Registration("Forged "+event.NewID()))
		g, err := w.env.Service.GrantPending(owner, intake.GrantRequest{CaseID: c.ID, OrgID: w.grantee.ID,
			Sections: []string{intake.SectionNarrative}, Purpose: "referral"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.env.Service.ActivateGrant(intaketest.As(w.grantee, auth.RoleNGOCaseworker), c.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.env.DB.ExecContext(context.Background(), `UPDATE grants SET purpose = 'break_glass' WHERE id = $1`, g.ID); err != nil {
			t.Fatal(err)
		}
		i, err := w.env.Service.AddEntry(owner, c.ID, intake.EntryInput{Type: intake.EntryInterview, Content: json.RawMessage(`{"text":"interview"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, w.env, `SELECT COUNT(*) FROM entry_keys WHERE entry_id = $1 AND org_id = $2`, i.ID, w.grantee.ID); n != 0 {
			t.Fatal("an interview is wrapped to a grant whose purpose was forged")
		}
	})
}

// TestCorrectionChainKeepsTheClass: a correction of a correction of a
// police interview is still an interview, not wrapped to a grantee of the
// narrative alone.
func TestCorrectionChainKeepsTheClass(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		owner := intaketest.Officer(w.owner)
		c := w.env.Register(t, w.owner, intaketest.Registration("Chain "+event.NewID()))
		g, err := w.env.Service.GrantPending(owner, intake.GrantRequest{CaseID: c.ID, OrgID: w.grantee.ID,
			Sections: []string{intake.SectionNarrative}, Purpose: "referral"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.env.Service.ActivateGrant(intaketest.As(w.grantee, auth.RoleNGOCaseworker), c.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		add := func(typ, sup, text string) string {
			t.Helper()
			e, err := w.env.Service.AddEntry(owner, c.ID, intake.EntryInput{Type: typ, Supersedes: sup, Content: []byte(`{"text":"` + text + `"}`)})
			if err != nil {
				t.Fatal(err)
			}
			return e.ID
		}
		i := add(intake.EntryInterview, "", "INTERVIEW-ORIGINAL")
		c1 := add(intake.EntryCorrection, i, "INTERVIEW-CORR1")
		c2 := add(intake.EntryCorrection, c1, "INTERVIEW-CORR2")
		add(intake.EntryCorrection, c2, "INTERVIEW-CORR3")
		n := add(intake.EntryNote, "", "A-NOTE")
		add(intake.EntryCorrection, add(intake.EntryCorrection, n, "NOTE-CORR1"), "NOTE-CORR2")
		got := call(t, w.srv, w.token(t, w.grantee, auth.RoleNGOCaseworker), "GET", "/api/v1/cases/"+c.ID+"/entries", nil)
		if got.status != 200 {
			t.Fatalf("entries: %d (%s)", got.status, got.code)
		}
		for _, s := range []string{"INTERVIEW-ORIGINAL", "INTERVIEW-CORR1", "INTERVIEW-CORR2", "INTERVIEW-CORR3"} {
			if strings.Contains(got.raw, s) {
				t.Errorf("a narrative grantee reads %s", s)
			}
		}
		for _, s := range []string{"A-NOTE", "NOTE-CORR1", "NOTE-CORR2"} {
			if !strings.Contains(got.raw, s) {
				t.Errorf("a narrative grantee cannot read %s", s)
			}
		}
		if n := count(t, w.env, `SELECT COUNT(*) FROM entry_keys k JOIN entries e ON e.id = k.entry_id
			WHERE e.case_id = $1 AND e.type = 'correction' AND k.org_id = $2`, c.ID, w.grantee.ID); n != 2 {
			t.Errorf("the narrative grantee holds %d correction keys, want the note's 2", n)
		}
	})
}

// TestBreakGlassIsReadOnly: the opener of an emergency access cannot write
// into the case (a note would copy what it read under its organisation's
// name, readable by every colleague and kept after expiry).
func TestBreakGlassIsReadOnly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		caseID := w.bgCase(t, true)
		opener := event.NewID()
		tok := w.userToken(t, opener, w.authority, auth.RoleDecisionMaker)
		if got := call(t, w.srv, tok, "POST", "/api/v1/cases/"+caseID+"/break-glass", intake.BreakGlassInput{Reason: "urgent"}); got.status != 201 {
			t.Fatalf("open: %d (%s)", got.status, got.code)
		}
		for _, typ := range []string{intake.EntryNote, intake.EntryBestInterests, intake.EntryInterview} {
			t.Run(typ, func(t *testing.T) {
				got := call(t, w.srv, tok, "POST", "/api/v1/cases/"+caseID+"/entries",
					intake.EntryInput{Type: typ, Content: json.RawMessage(`{"text":"copied health notes"}`)})
				if got.status != 403 || got.code != intake.CodeBreakGlassReadOnly {
					t.Fatalf("opener's entry: %d (%s), want 403 %s", got.status, got.code, intake.CodeBreakGlassReadOnly)
				}
				if !deniedTo(t, w.env, "intake.entry.create", caseID, opener) {
					t.Fatal("the refusal was not audited as a denial")
				}
			})
		}
		if n := count(t, w.env, `SELECT COUNT(*) FROM entries WHERE case_id = $1 AND author_user = $2 AND type <> 'break_glass_reason'`, caseID, opener); n != 0 {
			t.Fatalf("the opener wrote %d entries", n)
		}
		t.Run("a colleague through the decision grant still writes", func(t *testing.T) {
			got := call(t, w.srv, w.token(t, w.authority, auth.RoleDecisionMaker), "POST", "/api/v1/cases/"+caseID+"/entries",
				intake.EntryInput{Type: intake.EntryNote, Content: json.RawMessage(`{"text":"authority note"}`)})
			if got.status != 201 {
				t.Fatalf("colleague: %d (%s), want 201", got.status, got.code)
			}
		})
	})
}

// TestBestInterestsOnlyByProtectors: on a child's case a best-interests
// assessment is recorded by the owner, the appointed guardian's
// organisation or a child-protection organisation holding a grant; any
// other reader is refused (it would replace the assessment and clear its
// approval).
func TestBestInterestsOnlyByProtectors(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		owner := intaketest.Officer(w.owner)
		protector := w.env.Org("ngo")
		w.env.Orgs.OfferChildProtection(protector)
		r := intaketest.Registration("Child " + event.NewID())
		r.AgeGroup = "unknown"
		c := w.env.Register(t, w.owner, r)
		for _, org := range []intake.OrgInfo{w.grantee, protector} {
			g, err := w.env.Service.GrantPending(owner, intake.GrantRequest{CaseID: c.ID, OrgID: org.ID,
				Sections: []string{intake.SectionIdentity, intake.SectionNarrative}, Purpose: "referral"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.env.Service.ActivateGrant(intaketest.As(org, auth.RoleNGOCaseworker), c.ID, g.ID); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name string
			org  intake.OrgInfo
			role string
			want int
		}{
			{"a grantee that does not protect children", w.grantee, auth.RoleNGOCaseworker, 403},
			{"the owner", w.owner, auth.RoleFrontlineOfficer, 201},
			{"a child-protection grantee", protector, auth.RoleNGOCaseworker, 201},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				user := event.NewID()
				got := call(t, w.srv, w.userToken(t, user, tc.org, tc.role), "POST", "/api/v1/cases/"+c.ID+"/entries",
					intake.EntryInput{Type: intake.EntryBestInterests, Content: json.RawMessage(`{"summary":"assessed"}`)})
				if got.status != tc.want {
					t.Fatalf("status %d (%s), want %d", got.status, got.code, tc.want)
				}
				if tc.want == 403 && !deniedTo(t, w.env, "intake.entry.create", c.ID, user) {
					t.Fatal("the refusal was not audited as a denial")
				}
			})
		}
	})
}

// TestBreakGlassOnlyByTheSubmittedAuthority: with two competent
// authorities, a decision maker of the one the case was not submitted to
// (it holds no decision grant) cannot open an emergency access.
func TestBreakGlassOnlyByTheSubmittedAuthority(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		w := newRealWorldOn(t, e)
		caseID := w.bgCase(t, true)
		elsewhere := w.env.Org(intake.OrgKindCompetentAuthority)
		user := event.NewID()
		got := call(t, w.srv, w.userToken(t, user, elsewhere, auth.RoleDecisionMaker), "POST", "/api/v1/cases/"+caseID+"/break-glass",
			intake.BreakGlassInput{Reason: "urgent"})
		if got.status != 404 {
			t.Fatalf("another authority: %d (%s), want 404", got.status, got.code)
		}
		if !deniedTo(t, w.env, "intake.break_glass.open", caseID, user) {
			t.Fatal("the refusal was not audited as a denial")
		}
		got = call(t, w.srv, w.token(t, w.authority, auth.RoleDecisionMaker), "POST", "/api/v1/cases/"+caseID+"/break-glass",
			intake.BreakGlassInput{Reason: "urgent"})
		if got.status != 201 {
			t.Fatalf("the authority it was submitted to: %d (%s), want 201", got.status, got.code)
		}
	})
}
