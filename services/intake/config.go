package intake

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/cases"
	"github.com/nrm-project/nrm/services/intake/cases/grants"
	"github.com/nrm-project/nrm/services/intake/entrykeys"
	"github.com/nrm-project/nrm/services/intake/keyring"
	"github.com/nrm-project/nrm/services/intake/oversight"
	"github.com/nrm-project/nrm/services/intake/store"
	"github.com/nrm-project/nrm/services/intake/workflow"
)

// OrgInfo is what intake needs to know about an organisation
// (casefile.OrgInfo).
type OrgInfo = casefile.OrgInfo

// OrgDirectory answers questions about organisations (the identity
// service, adapted). Org returns an error wrapping ErrNotFound for an
// unknown id.
type OrgDirectory = cases.OrgDirectory

// Config holds the service's dependencies.
type Config struct {
	DB     *db.DB
	Keys   *keys.Dir
	Orgs   OrgDirectory
	Logger log.Logger
	Now    func() time.Time
	// Regions is the configured region list (default DefaultRegions);
	// "abroad" is always accepted.
	Regions []string
	// Kind is the deployment's one identity kind (default seal.KindHybrid).
	Kind       seal.Kind
	Registerer prometheus.Registerer
	// Duplicate checks (registrations and finalisations with identity
	// data) per user: a burst of DuplicateCheckBurst (default 40), refilled
	// at DuplicateChecksPerHour (default 60). An officer registering the
	// people found in a raid is not stopped (60 in an hour, 20 of them in
	// one minute); a script probing names from one account gets about 60
	// an hour.
	DuplicateCheckBurst    int
	DuplicateChecksPerHour int
	// DuplicateChecksPerMinute, when set, replaces both: a burst of that
	// many, refilled at that many per minute (load tests lift it).
	DuplicateChecksPerMinute int
	// Children says which organisations protect children and who is a
	// guardian (workflow/guardians.go). Without it only social services
	// count as child-protection organisations and no guardian can be
	// appointed.
	Children ChildProtection
	// Workflow is the deployment's workflow policy (deadlines, calendar,
	// retention, disclosure), parsed once by the caller; nil means the
	// shipped policies/workflow.json.
	Workflow *WorkflowPolicy
	// AccessLog answers the access report (the audit service, in process
	// or as a client); without one the report is unavailable.
	AccessLog AccessLog
	// IdempotencyTTL is how long an Idempotency-Key names the outcome of
	// its request (default idempotency.DefaultTTL, 24 hours).
	IdempotencyTTL time.Duration
	// WakeRelay, when set, is called once a change that may have put
	// referral grant revocations in the outbox has committed (consent
	// recorded, transfer, purge, grants ended), so that the relay delivers
	// them to referral at once rather than at its next poll.
	WakeRelay func()
}

// Defaults of the duplicate-check limit.
const (
	DefaultDuplicateCheckBurst    = 40
	DefaultDuplicateChecksPerHour = 60
)

// LimitDuplicateChecks names the duplicate-check limit in a 429.
const LimitDuplicateChecks = cases.LimitDuplicateChecks

// duplicateLimiter builds the per-user duplicate-check limiter on now.
func duplicateLimiter(cfg Config, now func() time.Time) *kit.Limiter {
	burst, perSecond := cfg.DuplicateCheckBurst, float64(cfg.DuplicateChecksPerHour)/3600
	if burst <= 0 {
		burst = DefaultDuplicateCheckBurst
	}
	if perSecond <= 0 {
		perSecond = float64(DefaultDuplicateChecksPerHour) / 3600
	}
	if n := cfg.DuplicateChecksPerMinute; n > 0 {
		burst, perSecond = n, float64(n)/60
	}
	return kit.NewLimiter(perSecond, burst, 100_000).WithClock(now)
}

// Blind index truncation: DefaultIndexBits (16) keeps false candidates
// rare at the expected tens of thousands of cases (see seal).
const indexBits = seal.DefaultIndexBits

type service struct {
	wake   func() // Config.WakeRelay, never nil
	db     *db.DB
	store  *store.Store
	orgs   OrgDirectory
	pol    *WorkflowPolicy
	log    log.Logger
	now    func() time.Time
	kind   seal.Kind
	rec    event.Recorder
	outbox *outbox.Outbox
	// auditBatch group-commits the audit events of reads.
	auditBatch *outbox.Batcher
	// refs hands out case references, one counter update per group.
	refs *store.References
	// idem records the outcomes of keyed requests (idempotent.go).
	idem *idempotency.Store
	// onConsent are the workflow's reactions to a consent change.
	onConsent []consentHook
	metrics   *caseMetrics

	// Cases is the cases service (package cases), composed over this
	// one's case work: its methods answer the cases part of Service.
	*cases.Cases
	// Grants is the grant service (package cases/grants), composed over
	// the same case work as the cases service.
	*grants.Grants
	// Oversight is the oversight service (package oversight), composed
	// over this one's case work: its methods answer the Oversight part of
	// Service.
	*oversight.Oversight
	// Tracks is the workflow service (package workflow), composed the
	// same way: its methods answer the Workflows part of Service.
	*workflow.Tracks

	ring         *keyring.Ring // organisation identities, wrapped under keys.PurposeWrap
	macKey       []byte        // keys.PurposeSectionMAC: section and wrap MACs
	pseudonymKey []byte        // keys.PurposePseudonym: case keys in stats events
	caseKeys     *keys.CaseKeys
	classKeys    keyring.ClassKeys // caseKeys as seal uses them
	entryKeys    *entrykeys.Keys   // the case record's sealing and keys
}

// Intake is the intake service and the parts beside it that share its
// configuration and state: one instance, so the scheduler's purge and the
// API read the same policy.
type Intake struct {
	// Service is the API (wrap it in middleware before serving).
	Service Service
	// Admin is the key ring and retention administration (command line
	// and schedulers only).
	Admin *Admin
	// Summaries and Packages serve the referral service (cmd/nrm adapts).
	Summaries SummaryReader
	Packages  Packages
	s         *service
}

// New returns the intake service and its administration.
func New(cfg Config) (*Intake, error) {
	s, err := newService(cfg)
	if err != nil {
		return nil, err
	}
	return &Intake{Service: wakeRelay{idempotent{Service: s, s: s}, s.wake}, Admin: &Admin{s: s}, Summaries: s, Packages: s, s: s}, nil
}

// ReleaseReferences gives back the reference numbers reserved and not
// handed out, where no other process has taken numbers since. Called once
// no registration is in progress, before the process stops.
func (in *Intake) ReleaseReferences(ctx context.Context) error { return in.s.refs.Release(ctx) }

func newService(cfg Config) (*service, error) {
	if cfg.DB == nil || cfg.Keys == nil || cfg.Orgs == nil {
		return nil, errors.New("intake: DB, Keys and Orgs are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Kind == 0 {
		cfg.Kind = seal.KindHybrid
	}
	if cfg.Kind != seal.KindHybrid && cfg.Kind != seal.KindX25519 {
		return nil, fmt.Errorf("intake: %w", seal.ErrUnknownKind)
	}
	if len(cfg.Regions) == 0 {
		cfg.Regions = DefaultRegions
	}
	if cfg.Workflow == nil {
		cfg.Workflow = DefaultWorkflowPolicy()
	}
	m, err := newCaseMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("intake: metrics: %w", err)
	}
	ix, err := seal.NewIndexer(cfg.Keys.Subkey(keys.PurposeBlindIndex), indexBits)
	if err != nil {
		return nil, fmt.Errorf("intake: %w", err)
	}
	now := func() time.Time { return cfg.Now().UTC().Truncate(time.Microsecond) }
	s := &service{
		db: cfg.DB, store: store.New(cfg.DB), orgs: cfg.Orgs, pol: cfg.Workflow, log: cfg.Logger, now: now, kind: cfg.Kind,
		rec:          event.Recorder{ClientKey: cfg.Keys.Subkey(keys.PurposeClientAddress), Now: now},
		outbox:       &outbox.Outbox{Service: "intake", Now: now},
		metrics:      m,
		ring:         keyring.New(cfg.DB, cfg.Kind, cfg.Keys.Subkey(keys.PurposeWrap), now),
		macKey:       cfg.Keys.Subkey(keys.PurposeSectionMAC),
		pseudonymKey: cfg.Keys.Subkey(keys.PurposePseudonym),
		caseKeys:     cfg.Keys.CaseKeys(),
		idem:         idempotency.New(cfg.DB, cfg.Keys.Subkey(keys.PurposeIdempotency), idempotency.Config{TTL: cfg.IdempotencyTTL, Now: now}),
	}
	s.wake = cfg.WakeRelay
	if s.wake == nil {
		s.wake = func() {}
	}
	s.classKeys = keyring.NewClassKeys(s.caseKeys)
	s.entryKeys = entrykeys.New(entrykeys.Config{DB: s.db, Store: s.store, Ring: s.ring, ClassKeys: s.classKeys, MACKey: s.macKey})
	s.auditBatch = outbox.NewBatcher(cfg.DB, s.outbox)
	s.refs = store.NewReferences(cfg.DB)
	s.Oversight = oversight.New(oversight.Config{
		DB: s.db, Store: s.store, Ring: s.ring, CaseKeys: s.caseKeys, Policy: s.pol, AccessLog: cfg.AccessLog,
		Idem: s.idem, Recorder: s.rec, Casework: casework{s}, Logger: s.log, Now: s.now,
	})
	s.Tracks = workflow.New(workflow.Config{
		DB: s.db, Store: s.store, Ring: s.ring, Policy: s.pol, Children: cfg.Children, Idem: s.idem, Recorder: s.rec,
		Casework: workflowCasework{s}, Now: s.now,
	})
	// The decision track reacts to a consent change (bound once the
	// workflow service exists).
	s.onConsent = []consentHook{s.Tracks.WithdrawOnConsent}
	s.Cases = cases.New(cases.Config{
		DB: s.db, Store: s.store, Ring: s.ring, CaseKeys: s.caseKeys, Orgs: s.orgs, Refs: s.refs, Idem: s.idem,
		Indexer: ix, MACKey: s.macKey, DuplicateLimit: duplicateLimiter(cfg, now),
		Regions: append(slices.Clone(cfg.Regions), "abroad"), Recorder: s.rec,
		Metrics:  cases.Metrics{Registrations: m.registrations, Reads: m.reads, Groups: m.groups},
		Casework: casesWork{s}, Now: s.now,
	})
	s.Grants = grants.New(grants.Config{
		DB: s.db, Store: s.store, Ring: s.ring, Orgs: s.orgs, Idem: s.idem, FollowUpDays: s.pol.GrantFollowUpDays, Recorder: s.rec,
		Casework: casesWork{s}, Now: s.now,
	})
	return s, nil
}

type caseMetrics struct {
	registrations *prometheus.CounterVec
	reads         *prometheus.CounterVec
	denials       *prometheus.CounterVec
	groups        prometheus.Histogram // registrations per group commit
}

func newCaseMetrics(reg prometheus.Registerer) (*caseMetrics, error) {
	mk := func(name, help string) (*prometheus.CounterVec, error) {
		return kit.Register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "nrm", Subsystem: "intake", Name: name, Help: help,
		}, []string{"outcome"}))
	}
	var (
		m   caseMetrics
		err error
	)
	if m.registrations, err = mk("registrations_total", "Registrations (cases and drafts) by outcome code."); err != nil {
		return nil, err
	}
	if m.reads, err = mk("reads_total", "Case reads by outcome code."); err != nil {
		return nil, err
	}
	if m.denials, err = mk("denials_total", "Requests refused on an instance the caller may not touch, by answer code."); err != nil {
		return nil, err
	}
	if m.groups, err = kit.Register(reg, prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: "nrm", Subsystem: "intake", Name: "registration_group_size",
		Help:    "Registrations written together in one transaction (group commit).",
		Buckets: []float64{1, 2, 4, 8, 16, 32},
	})); err != nil {
		return nil, err
	}
	return &m, nil
}

// outcome is the metric and log label of a call made under ctx: its
// error's stable code, never its message; kit.OutcomeClientGone for a
// call its client abandoned, which is no server failure.
func outcome(ctx context.Context, err error) string { return kit.Outcome(ctx, err) }
