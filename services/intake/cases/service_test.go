package cases

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
	"github.com/prometheus/client_golang/prometheus"
)

// Cases runs here on fakes of what it needs from below: no database, no
// intake service. Each fake embeds its nil interface, so a call the test
// does not expect panics and the test sees every statement it causes.

// fakeDB runs a transaction's function on no transaction at all: the
// fakes below never touch it.
type fakeDB struct{ DB }

func (fakeDB) Tx(_ context.Context, fn func(*sql.Tx) error) error { return fn(nil) }

// fakeStore holds one case and its consent records.
type fakeStore struct {
	Store
	row      store.CaseRow
	consents []Consent
}

func (f *fakeStore) Consents(context.Context, store.Querier, string) ([]Consent, error) {
	return slices.Clone(f.consents), nil
}

func (f *fakeStore) InsertConsent(_ context.Context, _ store.Querier, _ string, c Consent) error {
	f.consents = append(f.consents, c)
	return nil
}

// fakeCasework records what cases audits, counts and hands to the
// workflow.
type fakeCasework struct {
	Casework
	caller  auth.Principal
	row     store.CaseRow
	audited []event.Audit
	denials []string
	told    [][]Consent // the consent records each ConsentChanged was given
}

func (f *fakeCasework) CallerOrg(context.Context) (auth.Principal, OrgInfo, error) {
	return f.caller, OrgInfo{ID: f.caller.OrgID, Kind: "police"}, nil
}

func (f *fakeCasework) Owned(context.Context, *sql.Tx, auth.Principal, string, string) (store.CaseRow, error) {
	return f.row, nil
}

func (f *fakeCasework) Finish(_ context.Context, err error, _, _ string) error { return err }

func (f *fakeCasework) AuditAlone(_ context.Context, events ...event.Audit) error {
	f.audited = append(f.audited, events...)
	return nil
}

func (f *fakeCasework) Audit(_ context.Context, _ *sql.Tx, events ...event.Audit) error {
	f.audited = append(f.audited, events...)
	return nil
}

func (f *fakeCasework) CountDenial(code string) { f.denials = append(f.denials, code) }

func (f *fakeCasework) StatsEvent(typ, _ string) facts.Event { return facts.Event{Type: typ} }

func (f *fakeCasework) Stats(context.Context, *sql.Tx, ...facts.Event) error { return nil }

func (f *fakeCasework) RevokeUncovered(context.Context, *sql.Tx, store.CaseRow, []Consent) ([]string, error) {
	return nil, nil
}

func (f *fakeCasework) ConsentChanged(_ context.Context, _ *sql.Tx, _ auth.Principal, _ store.CaseRow, consents []Consent) error {
	f.told = append(f.told, consents)
	return nil
}

var testNow = func() time.Time { return time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC) }

func newTestCases(st Store, cw Casework, limit *kit.Limiter) *Cases {
	counter := func() *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: "calls"}, []string{"outcome"})
	}
	m := Metrics{Registrations: counter(), Reads: counter(), Groups: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "groups"})}
	return New(Config{DB: fakeDB{}, Store: st, Casework: cw, DuplicateLimit: limit, Metrics: m,
		Regions: append(slices.Clone(casefile.DefaultRegions), "abroad"), Now: testNow})
}

func actions(events []event.Audit) []string {
	var out []string
	for _, e := range events {
		out = append(out, e.Action+":"+string(e.Outcome))
	}
	return out
}

// TestDuplicatesRefusedToOfficer: only coordinators and decision makers
// see possible duplicates; anyone else is refused with 403, audited as a
// denied list and counted, before any statement.
func TestDuplicatesRefusedToOfficer(t *testing.T) {
	cw := &fakeCasework{}
	s := newTestCases(nil, cw, nil)
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{UserID: "u", OrgID: "org-a", Roles: []string{auth.RoleFrontlineOfficer}})
	_, err := s.Duplicates(ctx, ListQuery{})
	if !errors.Is(err, kit.ErrForbidden) {
		t.Fatalf("Duplicates: %v, want forbidden", err)
	}
	if got := actions(cw.audited); !slices.Equal(got, []string{"intake.duplicate.list:" + string(event.Denied)}) {
		t.Errorf("audited %v", got)
	}
	if !slices.Equal(cw.denials, []string{kit.CodeForbidden}) {
		t.Errorf("denials counted %v", cw.denials)
	}
}

// TestRegisterOverDuplicateLimit: a registration that would probe the
// duplicate index over the caller's limit is refused with 429 naming the
// limit, before its case keys are made or anything is written (the nil
// CaseKeys and Store would panic).
func TestRegisterOverDuplicateLimit(t *testing.T) {
	caller := auth.Principal{UserID: "officer", OrgID: "org-a", Roles: []string{auth.RoleFrontlineOfficer}}
	limit := kit.NewLimiter(1.0/3600, 1, 10).WithClock(testNow)
	limit.Take(caller.UserID) // the one check of the burst, spent
	s := newTestCases(nil, &fakeCasework{caller: caller}, limit)
	r := Registration{
		Route: casefile.RouteNRM, IdentifiedOn: "2026-11-20", Region: "MA-06", Gender: "female", AgeGroup: "adult",
		Nationalities: []string{"NG"}, ExploitationTypes: []string{"sexual"}, ExploitationLocation: "both",
		Needs: []string{"shelter"}, Languages: []string{"en"},
		Consent:  ConsentInput{Assistance: true, NRMReferral: true, DataSharing: true},
		Identity: &IdentityInfo{FullName: "A"},
	}
	_, err := s.Register(auth.WithPrincipal(context.Background(), caller), r)
	var ke *kit.Error
	if !errors.As(err, &ke) || ke.Code != kit.CodeRateLimited {
		t.Fatalf("Register: %v, want rate limited", err)
	}
}

// TestConsentChangeTellsWorkflow: recording a consent hands the workflow
// (Casework.ConsentChanged, which withdraws an adult from the NRM) the
// case's records after the change, in the change's transaction, and the
// change is audited.
func TestConsentChangeTellsWorkflow(t *testing.T) {
	caller := auth.Principal{UserID: "officer", OrgID: "org-a", Roles: []string{auth.RoleFrontlineOfficer}}
	row := store.CaseRow{Case: Case{ID: "0f8fad5b-d9cb-469f-a165-70867728950e", Route: casefile.RouteNRM, Status: StatusSubmitted, OwnerOrg: "org-a"}}
	before := Consent{ID: "c1", Purpose: casefile.PurposeNRMSubmission, Granted: true, RecordedAt: testNow().Add(-time.Hour)}
	st := &fakeStore{row: row, consents: []Consent{before}}
	cw := &fakeCasework{caller: caller, row: row}
	s := newTestCases(st, cw, nil)
	in := ConsentInput{Purposes: []string{casefile.PurposeNRMSubmission}, NRMReferral: false}
	if _, err := s.RecordConsent(auth.WithPrincipal(context.Background(), caller), row.ID, in); err != nil {
		t.Fatalf("RecordConsent: %v", err)
	}
	if len(cw.told) != 1 {
		t.Fatalf("the workflow was told %d times, want once", len(cw.told))
	}
	told := cw.told[0]
	if len(told) != 2 || told[0].ID != "c1" || told[1].Purpose != casefile.PurposeNRMSubmission || told[1].Granted {
		t.Errorf("the workflow was given %+v, want the record before and the withdrawal after it", told)
	}
	if got := actions(cw.audited); !slices.Equal(got, []string{"intake.consent.record:" + string(event.Allowed)}) {
		t.Errorf("audited %v", got)
	}
}
