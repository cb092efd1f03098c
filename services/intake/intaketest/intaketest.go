// Package intaketest sets up an intake service for tests: a fresh
// database on an engine, a key directory, an in-memory organisation
// directory, a settable clock, captured logs, and principals to act as.
package intaketest

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
)

// Directory is an in-memory intake.OrgDirectory and intake.ChildProtection.
type Directory struct {
	mu        sync.Mutex
	orgs      map[string]intake.OrgInfo
	protects  map[string]bool    // organisations offering child protection
	guardians map[[2]string]bool // (user, org) holding the guardian role
	err       error
}

// NewDirectory returns an empty directory.
func NewDirectory() *Directory {
	return &Directory{orgs: map[string]intake.OrgInfo{}, protects: map[string]bool{}, guardians: map[[2]string]bool{}}
}

// OfferChildProtection records that org offers the child_protection service.
func (d *Directory) OfferChildProtection(org intake.OrgInfo) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.protects[org.ID] = true
}

// AddGuardian adds a user holding the guardian role to org and returns its id.
func (d *Directory) AddGuardian(org intake.OrgInfo) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	id := event.NewID()
	d.guardians[[2]string{id, org.ID}] = true
	return id
}

// ProtectsChildren implements intake.ChildProtection.
func (d *Directory) ProtectsChildren(_ context.Context, orgID string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.protects[orgID] || d.orgs[orgID].Kind == intake.OrgKindSocialServices, d.err
}

// IsGuardian implements intake.ChildProtection.
func (d *Directory) IsGuardian(_ context.Context, userID, orgID string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.guardians[[2]string{userID, orgID}], d.err
}

// Add registers an organisation of kind and returns it.
func (d *Directory) Add(kind, region string) intake.OrgInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	o := intake.OrgInfo{ID: event.NewID(), Kind: kind, Region: region}
	d.orgs[o.ID] = o
	return o
}

// Fail makes every lookup fail with err (nil restores it).
func (d *Directory) Fail(err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.err = err
}

// Org implements intake.OrgDirectory.
func (d *Directory) Org(_ context.Context, id string) (intake.OrgInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return intake.OrgInfo{}, d.err
	}
	o, ok := d.orgs[id]
	if !ok {
		return intake.OrgInfo{}, fmt.Errorf("intaketest: org: %w", kit.ErrNotFound)
	}
	return o, nil
}

// OrgsByKind implements intake.OrgDirectory.
func (d *Directory) OrgsByKind(_ context.Context, kind string) ([]intake.OrgInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return nil, d.err
	}
	var out []intake.OrgInfo
	for _, o := range d.orgs {
		if o.Kind == kind {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Clock is a settable clock, starting at the real time.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset += d
}

// Buffer is a concurrency-safe log sink.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// Bytes returns a copy of everything logged so far.
func (b *Buffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.b.Bytes())
}

// Env is an intake service on a fresh database.
type Env struct {
	Intake  *intake.Intake
	Service intake.Service
	Admin   *intake.Admin
	Config  intake.Config
	DB      *db.DB
	Keys    *keys.Dir
	Orgs    *Directory
	Clock   *Clock
	Logs    *Buffer
	Engine  dbtest.Engine
}

// New migrates a fresh intake database on e and starts the service. Each
// option may adjust the configuration before the service starts.
func New(t testing.TB, e dbtest.Engine, opts ...func(*intake.Config)) *Env {
	t.Helper()
	d := dbtest.Open(t, e, "intake")
	k, err := keys.Open(t.TempDir(), "")
	if err != nil {
		t.Fatalf("intaketest: keys: %v", err)
	}
	env := &Env{DB: d, Keys: k, Orgs: NewDirectory(), Clock: &Clock{}, Logs: &Buffer{}, Engine: e}
	cfg := intake.Config{DB: d, Keys: k, Orgs: env.Orgs, Children: env.Orgs, Now: env.Clock.Now, Logger: log.NewLogfmtLogger(env.Logs)}
	for _, o := range opts {
		o(&cfg)
	}
	env.Config = cfg
	if env.Intake, err = intake.New(cfg); err != nil {
		t.Fatalf("intaketest: new: %v", err)
	}
	env.Service, env.Admin = env.Intake.Service, env.Intake.Admin
	return env
}

// Org adds an organisation of kind to the directory.
func (e *Env) Org(kind string) intake.OrgInfo { return e.Orgs.Add(kind, "MA-06") }

// As returns a context acting as a new user of org holding roles.
func As(org intake.OrgInfo, roles ...string) context.Context {
	return auth.WithPrincipal(context.Background(), auth.Principal{UserID: event.NewID(), OrgID: org.ID, Roles: roles})
}

// Officer returns a context acting as a frontline officer of org.
func Officer(org intake.OrgInfo) context.Context { return As(org, auth.RoleFrontlineOfficer) }

// System returns a context acting as the command line.
func System() context.Context { return auth.WithPrincipal(context.Background(), auth.System()) }

// Registration returns a valid nrm-route registration of an adult who
// consents to everything, named name (DESIGN.md's minimal example, with
// every section).
func Registration(name string) intake.Registration {
	return intake.Registration{
		Route: intake.RouteNRM, IdentifiedOn: time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly), Region: "MA-06", Gender: "female",
		AgeGroup: "adult", Nationalities: []string{"NG"}, ExploitationTypes: []string{"sexual", "labour"},
		ExploitationLocation: "both", Needs: []string{"shelter", "medical"}, Languages: []string{"en", "fr"},
		Consent:   intake.ConsentInput{Assistance: true, NRMReferral: true, DataSharing: true},
		Identity:  &intake.IdentityInfo{FullName: name, DateOfBirth: "1999-04-02"},
		Narrative: &intake.NarrativeInfo{Account: "account of " + name},
		Health:    &intake.HealthInfo{Notes: "health notes"},
		Legal:     &intake.LegalInfo{Notes: "legal notes"},
	}
}

// Register registers r as a frontline officer of org and fails the test
// on error.
func (e *Env) Register(t testing.TB, org intake.OrgInfo, r intake.Registration) intake.Case {
	t.Helper()
	c, err := e.Service.Register(Officer(org), r)
	if err != nil {
		t.Fatalf("intaketest: register: %v", err)
	}
	return c
}
