package referral

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/grantchange"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/intake"
)

// clock is a fixed clock moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeCases answers like intake: a case the caller's organisation does not
// own is not found, except to coordinators.
type fakeCases struct {
	mu    sync.Mutex
	cases map[string]CaseSummary
}

func (f *fakeCases) Summary(ctx context.Context, id string) (CaseSummary, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, _ := auth.FromContext(ctx)
	c, ok := f.cases[id]
	if !ok || p.OrgID != c.OwnerOrg && !p.HasRole(auth.RoleCoordinator) {
		return CaseSummary{}, kit.ErrNotFound
	}
	return c, nil
}

type grantCall struct {
	op, caseID, grantID, org, caller string
}

// fakeGrants behaves like intake's grants and records every call.
type fakeGrants struct {
	mu      sync.Mutex
	cases   *fakeCases
	refuse  map[string]bool // organisations the consent does not cover
	grants  map[string]intake.Grant
	calls   []grantCall
	failAct bool
	// relay delivers referral's outbox (topic grantchange.Topic) here, as
	// intake's receiver would; status runs it first.
	relay *outbox.Relay
}

// receive revokes the grants referral's outbox names, as intake does: a
// grant that is not that referral's to that organisation in that case is
// left alone.
func (f *fakeGrants) receive(_ context.Context, msgs []outbox.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range msgs {
		var r grantchange.Revocation
		if err := json.Unmarshal(m.Payload, &r); err != nil {
			return err
		}
		if err := r.Validate(grantchange.ReasonsFromReferral); err != nil {
			return err
		}
		g, ok := f.grants[r.GrantID]
		if !ok || g.CaseID != r.CaseID || g.ReferralID != r.ReferralID || g.OrgID != r.OrgID {
			continue
		}
		if g.Status != intake.GrantRevoked {
			g.Status = intake.GrantRevoked
			f.grants[r.GrantID] = g
			f.calls = append(f.calls, grantCall{"revoke", r.CaseID, r.GrantID, g.OrgID, "referral"})
		}
	}
	return nil
}

// deliver runs the relay of referral's grant revocations.
func (f *fakeGrants) deliver() {
	if f.relay != nil {
		if _, err := f.relay.DeliverOnce(context.Background()); err != nil {
			panic(err)
		}
	}
}

func (f *fakeGrants) GrantPending(ctx context.Context, g GrantRequest) (Grant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, _ := auth.FromContext(ctx)
	if c := f.cases.cases[g.CaseID]; c.Route == "anonymous" || f.refuse[g.OrgID] {
		return Grant{}, intake.ErrConsentRequired
	}
	gr := intake.Grant{ID: event.NewID(), CaseID: g.CaseID, OrgID: g.OrgID, Sections: g.Sections, Status: intake.GrantPending, ReferralID: g.ReferralID}
	f.grants[gr.ID] = gr
	f.calls = append(f.calls, grantCall{"pending", g.CaseID, gr.ID, g.OrgID, p.OrgID})
	return Grant{ID: gr.ID, Status: gr.Status}, nil
}

func (f *fakeGrants) ActivateGrant(ctx context.Context, caseID, id string) (Grant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, _ := auth.FromContext(ctx)
	g, ok := f.grants[id]
	if !ok || g.OrgID != p.OrgID || f.failAct {
		return Grant{}, kit.ErrNotFound
	}
	if g.Status != intake.GrantPending {
		return Grant{}, intake.ErrInvalidState
	}
	g.Status = intake.GrantActive
	f.grants[id] = g
	f.calls = append(f.calls, grantCall{"activate", caseID, id, g.OrgID, p.OrgID})
	return Grant{ID: g.ID, Status: g.Status}, nil
}

func (f *fakeGrants) EndGrant(ctx context.Context, caseID, id string) (Grant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	g, ok := f.grants[id]
	if !ok {
		return Grant{}, kit.ErrNotFound
	}
	f.calls = append(f.calls, grantCall{"end", caseID, id, g.OrgID, ""})
	return Grant{ID: g.ID, Status: g.Status}, nil
}

func (f *fakeGrants) RevokeReferralGrant(ctx context.Context, c GrantOfReferral) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, _ := auth.FromContext(ctx)
	g, ok := f.grants[c.GrantID]
	// As intake: only the grant of that referral to that organisation in
	// that case.
	if !ok || g.CaseID != c.CaseID || g.ReferralID != c.ReferralID || g.OrgID != c.OrgID {
		return intake.ErrNotReferralsGrant
	}
	g.Status = intake.GrantRevoked
	f.grants[c.GrantID] = g
	f.calls = append(f.calls, grantCall{"revoke", c.CaseID, c.GrantID, g.OrgID, p.OrgID})
	return nil
}

// status returns the grant status of org's grant for a referral.
func (f *fakeGrants) status(referralID, org string) string {
	f.deliver()
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, g := range f.grants {
		if g.ReferralID == referralID && g.OrgID == org {
			return g.Status
		}
	}
	return ""
}

func (f *fakeGrants) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.grants)
}

// fakeSections answers like intake's export for a package: the case
// owner's organisation reads every section; anyone else gets 404.
type fakeSections struct {
	mu      sync.Mutex
	cases   *fakeCases
	content map[string]map[string][]byte // case → section → JSON
	fail    error
	calls   int
}

func (f *fakeSections) Sections(ctx context.Context, caseID string, names []string) (map[string][]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.fail != nil {
		return nil, f.fail
	}
	p, _ := auth.FromContext(ctx)
	f.cases.mu.Lock()
	c, ok := f.cases.cases[caseID]
	f.cases.mu.Unlock()
	if !ok || p.OrgID != c.OwnerOrg && !p.HasRole(auth.RoleDecisionMaker) {
		return nil, kit.ErrNotFound
	}
	// Like a careless adapter, it returns every section it holds.
	out := map[string][]byte{}
	for k, v := range f.content[caseID] {
		out[k] = append([]byte(nil), v...)
	}
	return out, nil
}

// fakeDisclosures records disclosures like intake: the case owner's
// officers and caseworkers, or a decision maker; a consent basis needs
// the person's consent to cover the recipient kind.
type fakeDisclosures struct {
	mu        sync.Mutex
	cases     *fakeCases
	noConsent map[string]bool // case ids whose consent covers no disclosure
	recorded  []intake.Disclosure
	fail      error // DisclosureStands answers this when set
	secs      *fakeSections
}

// CheckRecipient is intake's own check.
func (f *fakeDisclosures) CheckRecipient(r string) (string, error) { return intake.CheckRecipient(r) }

// BuildPackage reads the sections from the fake and builds the package
// with intake's own format and encryption.
func (f *fakeDisclosures) BuildPackage(ctx context.Context, caseID string, spec PackageSpec) ([]byte, error) {
	secs, err := f.secs.Sections(ctx, caseID, spec.Sections)
	if err != nil {
		return nil, err
	}
	raw := map[string]json.RawMessage{}
	for k, v := range secs {
		raw[k] = v
	}
	return intake.EncryptPackage(intake.PackageSpec{PackageID: spec.PackageID, ReferralID: spec.ReferralID,
		ProducedAt: spec.ProducedAt, LegalBasis: spec.LegalBasis, Destination: spec.Destination, Service: spec.Service,
		Urgency: spec.Urgency, Summary: intake.PackageSummary{Region: spec.Region, Gender: spec.Gender, AgeGroup: spec.AgeGroup,
			TreatedAsChild: spec.TreatedAsChild, Languages: spec.Languages, GroupSize: spec.GroupSize},
		Sections: spec.Sections, Recipient: spec.Recipient}, raw)
}

func (f *fakeDisclosures) Disclose(ctx context.Context, caseID string, in DisclosureInput) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, _ := auth.FromContext(ctx)
	f.cases.mu.Lock()
	c, ok := f.cases.cases[caseID]
	f.cases.mu.Unlock()
	if !ok {
		return "", kit.ErrNotFound
	}
	owner := p.OrgID == c.OwnerOrg && (p.HasRole(auth.RoleFrontlineOfficer) || p.HasRole(auth.RoleNGOCaseworker))
	if !owner && !p.HasRole(auth.RoleDecisionMaker) {
		return "", kit.ErrForbidden
	}
	if in.LegalBasis == "consent" && f.noConsent[caseID] {
		return "", intake.ErrConsentRequired
	}
	d := intake.Disclosure{ID: event.NewID(), CaseID: caseID, OrgID: p.OrgID, UserID: p.UserID,
		RecipientKind: in.RecipientKind, LegalBasis: in.LegalBasis, Sections: in.Sections}
	f.recorded = append(f.recorded, d)
	return d.ID, nil
}

// DisclosureStands answers as intake would for a disclosure recorded
// here: the consent basis checked against noConsent again.
func (f *fakeDisclosures) DisclosureStands(ctx context.Context, caseID, disclosureID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	for _, d := range f.recorded {
		if d.ID == disclosureID && d.CaseID == caseID {
			if d.LegalBasis == "consent" && f.noConsent[caseID] {
				return intake.ErrConsentRequired
			}
			return nil
		}
	}
	return kit.ErrNotFound
}

func (f *fakeDisclosures) of(caseID string) []intake.Disclosure {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []intake.Disclosure
	for _, d := range f.recorded {
		if d.CaseID == caseID {
			out = append(out, d)
		}
	}
	return out
}

type fakeOrgs struct{}

// authorityOrg is the one organisation fakeOrgs calls a competent authority.
var authorityOrg = event.NewID()

func (fakeOrgs) Org(_ context.Context, id string) (OrgInfo, error) {
	if id == authorityOrg {
		return OrgInfo{ID: id, Kind: "competent_authority", Region: "MA-04"}, nil
	}
	return OrgInfo{ID: id, Kind: "ngo", Region: "MA-06"}, nil
}

type env struct {
	s      *service
	db     *db.DB
	engine dbtest.Engine
	keys   *keys.Dir
	clock  *clock
	cases  *fakeCases
	grants *fakeGrants
	secs   *fakeSections
	discl  *fakeDisclosures
	police string // the sending organisation
}

func newEnv(t testing.TB, e dbtest.Engine) *env {
	t.Helper()
	d := dbtest.Open(t, e, "referral")
	k, err := keys.Open(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	cases := &fakeCases{cases: map[string]CaseSummary{}}
	ev := &env{db: d, engine: e, keys: k, clock: &clock{t: time.Date(2026, 11, 20, 22, 0, 0, 0, time.UTC)}, cases: cases,
		grants: &fakeGrants{cases: cases, refuse: map[string]bool{}, grants: map[string]intake.Grant{}}, police: event.NewID()}
	ev.grants.relay = outbox.NewRelay(d, "referral", map[string]outbox.Handler{grantchange.Topic: ev.grants.receive}, outbox.RelayOptions{})
	ev.secs = &fakeSections{cases: cases, content: map[string]map[string][]byte{}}
	ev.discl = &fakeDisclosures{cases: cases, noConsent: map[string]bool{}, secs: ev.secs}
	ev.s = ev.service(t)
	return ev
}

// service starts a new service instance over the same database.
func (ev *env) service(t testing.TB) *service {
	t.Helper()
	s, err := newService(ev.config())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (ev *env) config() Config {
	return Config{DB: ev.db, Keys: ev.keys, Cases: ev.cases, Grants: ev.grants, Orgs: fakeOrgs{},
		Disclosures: ev.discl, Now: ev.clock.Now}
}

func as(org string, roles ...string) context.Context {
	return auth.WithPrincipal(context.Background(), auth.Principal{UserID: event.NewID(), OrgID: org, Roles: roles})
}

func admin() context.Context { return as("", auth.RoleSystemAdmin) }

// shelter is a provider input for a shelter with places in a region.
func shelter(region string, places int) ProviderInput {
	return ProviderInput{Name: "Shelter", Region: region, Regions: []string{region}, AcceptsAdults: true,
		AcceptsDependants: true, Languages: []string{"ar", "fr"}, Availability: Always, Active: true,
		Services: []ServicePlaces{{Service: "shelter", Places: places}}}
}

func (ev *env) provider(t testing.TB, in ProviderInput) string {
	t.Helper()
	id := event.NewID()
	if _, err := ev.s.PutProvider(admin(), id, in); err != nil {
		t.Fatalf("put provider: %v", err)
	}
	return id
}

// adult registers an adult woman's case in region owned by the police org.
func (ev *env) adult(region string, dependants int, langs ...string) string {
	id := event.NewID()
	ev.cases.mu.Lock()
	defer ev.cases.mu.Unlock()
	ev.cases.cases[id] = CaseSummary{ID: id, OwnerOrg: ev.police, Route: "nrm", Region: region, Gender: "female",
		AgeGroup: "adult", Needs: []string{"shelter"}, Languages: langs, Dependants: dependants}
	return id
}

func (ev *env) officer() context.Context { return as(ev.police, auth.RoleFrontlineOfficer) }

func (ev *env) refer(t testing.TB, caseID, urgency string, candidates ...string) Referral {
	t.Helper()
	r, err := ev.s.CreateReferral(ev.officer(), NewReferral{CaseID: caseID, Service: "shelter", Urgency: urgency, Candidates: candidates})
	if err != nil {
		t.Fatalf("create referral: %v", err)
	}
	return r
}

func (ev *env) used(t testing.TB, org string) int {
	t.Helper()
	var n int
	if err := ev.db.QueryRow(`SELECT COALESCE(SUM(used), 0) FROM provider_services WHERE org_id = $1`, org).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func codeOf(err error) string {
	if err == nil {
		return ""
	}
	return kit.AsError(err).Code
}

func offerStatuses(r Referral) []string {
	var out []string
	for _, c := range r.Candidates {
		out = append(out, c.Status)
	}
	return out
}

func kitAs(err error) int { return kit.AsError(err).Status }
