package oversight

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// fakeDB runs a transaction's function on no transaction at all: the
// fakes below never touch it.
type fakeDB struct{ DB }

func (fakeDB) Tx(_ context.Context, fn func(*sql.Tx) error) error { return fn(nil) }

// fakeStore answers the break-the-glass reads; any other call panics
// (the embedded nil Store), so a test sees every statement it causes.
type fakeStore struct {
	Store
	access   casefile.BreakGlass
	reviewed bool
}

func (f *fakeStore) BreakGlassByID(context.Context, store.Querier, string, string, bool) (casefile.BreakGlass, error) {
	return f.access, nil
}

func (f *fakeStore) ReviewBreakGlass(context.Context, store.Querier, string, string, string, time.Time) error {
	f.reviewed = true
	return nil
}

// fakeCasework records what oversight audits and counts.
type fakeCasework struct {
	Casework
	audited []event.Audit
	denials []string
}

func (f *fakeCasework) AuditAlone(_ context.Context, events ...event.Audit) error {
	f.audited = append(f.audited, events...)
	return nil
}

func (f *fakeCasework) CountDenial(code string) { f.denials = append(f.denials, code) }

// TestReviewOwnOrganisation: an auditor of the organisation that broke the
// glass may not review the access; the refusal is audited as denied and
// counted, and nothing is written. Oversight runs here on fakes of what it
// needs from below: no database, no intake service.
func TestReviewOwnOrganisation(t *testing.T) {
	st := &fakeStore{access: casefile.BreakGlass{ID: "bg", OrgID: "org-a", Status: casefile.BreakGlassOpen}}
	cw := &fakeCasework{}
	o := New(Config{DB: fakeDB{}, Store: st, Casework: cw})
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{UserID: "aud", OrgID: "org-a", Roles: []string{auth.RoleAuditor}})
	_, err := o.ReviewBreakGlass(ctx, "bg", ReviewInput{Code: "justified"})
	if !errors.Is(err, ErrReviewOwnOrg) {
		t.Fatalf("review by the opener's organisation: %v, want ErrReviewOwnOrg", err)
	}
	if st.reviewed {
		t.Error("the review was written")
	}
	if len(cw.audited) != 1 || cw.audited[0].Outcome != event.Denied || cw.audited[0].Action != "intake.break_glass.review" {
		t.Errorf("audited %+v, want one denied intake.break_glass.review", cw.audited)
	}
	if len(cw.denials) != 1 || cw.denials[0] != kit.CodeForbidden {
		t.Errorf("denials counted %v, want [%s]", cw.denials, kit.CodeForbidden)
	}
}

// TestMayBreakGlass: who has a relation to a case that allows an
// emergency access.
func TestMayBreakGlass(t *testing.T) {
	coordinator := auth.Principal{OrgID: "desk", Roles: []string{auth.RoleCoordinator}}
	dm := auth.Principal{OrgID: "ca", Roles: []string{auth.RoleDecisionMaker}}
	submitted := store.CaseRow{Case: casefile.Case{Route: casefile.RouteNRM, Status: casefile.StatusSubmitted}}
	decision := []store.GrantRow{{Grant: casefile.Grant{OrgID: "ca", Purpose: "decision", Status: casefile.GrantActive}}}
	anonymous := submitted
	anonymous.Route = casefile.RouteAnonymous
	registered := submitted
	registered.Status = casefile.StatusRegistered
	for _, tc := range []struct {
		name   string
		p      auth.Principal
		kind   string
		c      store.CaseRow
		grants []store.GrantRow
		want   bool
	}{
		{"coordinator", coordinator, "referral_desk", submitted, nil, true},
		{"coordinator, anonymous case", coordinator, "referral_desk", anonymous, nil, false},
		{"deciding authority", dm, casefile.OrgKindCompetentAuthority, submitted, decision, true},
		{"authority without the decision grant", dm, casefile.OrgKindCompetentAuthority, submitted, nil, false},
		{"authority, case not submitted", dm, casefile.OrgKindCompetentAuthority, registered, decision, false},
		{"decision maker of another kind", dm, "ngo", submitted, decision, false},
	} {
		if got := mayBreakGlass(tc.p, tc.kind, tc.c, tc.grants); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
