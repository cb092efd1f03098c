package web

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/audit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
)

// The services behind the oversight pages, faked.

type fakeKeyRings struct {
	rings []intake.KeyStatus
	calls int
}

func (f *fakeKeyRings) KeyStatus(context.Context) ([]intake.KeyStatus, error) {
	f.calls++
	return f.rings, nil
}

type (
	noIdentity  struct{ Identity }
	noCases     struct{ Cases }
	noReferrals struct{ Referrals }
)

type fakeLog struct {
	calls       int
	query       audit.Query
	page        audit.EventPage
	proof       audit.InclusionProof
	checkpoint  []byte
	consistency func(from, to int64) audit.ConsistencyProof
}

func (f *fakeLog) Events(_ context.Context, q audit.Query) (audit.EventPage, error) {
	f.calls++
	f.query = q
	return f.page, nil
}
func (f *fakeLog) Alerts(_ context.Context, q audit.Query) (audit.EventPage, error) {
	return audit.EventPage{}, nil
}
func (f *fakeLog) Proof(context.Context, string, int64) (audit.InclusionProof, error) {
	return f.proof, nil
}
func (f *fakeLog) LatestCheckpoint(context.Context) ([]byte, error) {
	if f.checkpoint == nil {
		return nil, audit.ErrNoCheckpoint
	}
	return f.checkpoint, nil
}
func (f *fakeLog) Consistency(_ context.Context, from, to int64) (audit.ConsistencyProof, error) {
	return f.consistency(from, to), nil
}

type fakeAccess struct {
	list     []intake.BreakGlass
	reviewed string
}

func (f *fakeAccess) BreakGlassList(context.Context) ([]intake.BreakGlass, error) { return f.list, nil }
func (f *fakeAccess) ReviewBreakGlass(_ context.Context, id string, in intake.ReviewInput) (intake.BreakGlass, error) {
	f.reviewed = id + " " + in.Code
	return intake.BreakGlass{}, nil
}

type fakeAccounts struct {
	orgs    []identity.Org
	listed  string
	created *identity.NewUser
	reset   string
	refuse  error
}

func (f *fakeAccounts) CreateOrg(context.Context, identity.NewOrg) (identity.Org, error) {
	return identity.Org{}, nil
}
func (f *fakeAccounts) ListOrgs(context.Context) ([]identity.Org, error) { return f.orgs, nil }
func (f *fakeAccounts) CreateUser(_ context.Context, u identity.NewUser) (identity.User, string, error) {
	f.created = &u
	return identity.User{ID: uuid(4), Email: u.Email}, "", nil
}
func (f *fakeAccounts) ListUsers(_ context.Context, org string) ([]identity.User, error) {
	f.listed = org
	return nil, nil
}
func (f *fakeAccounts) DisableUser(context.Context, string) error { return f.refuse }
func (f *fakeAccounts) EnableUser(context.Context, string) error  { return f.refuse }
func (f *fakeAccounts) ResetSecondFactor(_ context.Context, id string) error {
	f.reset = id
	return nil
}
func (f *fakeAccounts) IssueEnrolmentTicket(context.Context, string) (identity.EnrolmentTicket, error) {
	return identity.EnrolmentTicket{Ticket: "ticket-1", ExpiresAt: time.Now().Add(time.Hour)}, nil
}

type fakeDirectory struct{}

func (fakeDirectory) GetProvider(context.Context, string) (referral.Provider, error) {
	return referral.Provider{}, kit.ErrNotFound
}
func (fakeDirectory) RotateWebhookSecret(context.Context, string) (referral.WebhookSecretInfo, error) {
	return referral.WebhookSecretInfo{}, nil
}

// buildLog returns n events and the stored hashes of their tree.
func buildLog(t *testing.T, n int) ([]audit.Entry, []tlog.Hash) {
	t.Helper()
	var (
		entries []audit.Entry
		hashes  []tlog.Hash
	)
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = hashes[x]
		}
		return out, nil
	})
	for i := range n {
		e := audit.Entry{Index: int64(i), Audit: event.Audit{ID: uuid(100 + i), Time: time.Date(2026, 11, 20, 9, 0, i, 0, time.UTC),
			ActorUser: "u-1", ActorOrg: orgPolice, ActorRole: "frontline_officer", Action: "intake.case.read",
			ObjectType: "case", ObjectID: "c-1", Outcome: event.Allowed, Source: "intake", Seq: int64(i + 1)}}
		hs, err := tlog.StoredHashes(int64(i), audit.LeafData(e.Audit), r)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, hs...)
		entries = append(entries, e)
	}
	return entries, hashes
}

func uuid(n int) string {
	s := itoa(int64(n))
	return "00000000-0000-4000-8000-" + strings.Repeat("0", 12-len(s)) + s
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
