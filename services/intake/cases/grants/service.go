package grants

import (
	"context"
	"database/sql"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/keyring"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Service is the grant API: who else reads a case's sections.
type Service interface {
	// GrantPending is made by the owner's officer when referring (one per
	// candidate); ActivateGrant on acceptance; RevokeGrant on decline,
	// expiry, withdrawal or consent withdrawal.
	GrantPending(ctx context.Context, g GrantRequest) (Grant, error)
	ActivateGrant(ctx context.Context, caseID, grantID string) (Grant, error)
	RevokeGrant(ctx context.Context, caseID, grantID string) error
	ListGrants(ctx context.Context, caseID string) ([]Grant, error)
	// EndGrant records that the grant's service ended (referral completed,
	// person left): it is revoked after the policy's follow-up window.
	EndGrant(ctx context.Context, caseID, grantID string) (Grant, error)
}

// The grant and its request are the domain's (casefile/case.go).
type (
	GrantRequest = casefile.GrantRequest
	Grant        = casefile.Grant
	OrgInfo      = casefile.OrgInfo
	Consent      = casefile.Consent
)

// Casework is what the grants take from the case work intake does for
// every service: who the caller is, the answer to a refusal, the audit,
// the access rules, and the key machinery under a grant (wraps, section
// MACs, the record's entry keys, a revoked reader's re-keying). The intake
// service implements it and passes it in Config.
type Casework interface {
	// CallerOrg returns the caller and their organisation; kit.ErrForbidden
	// for a caller without one.
	CallerOrg(ctx context.Context) (auth.Principal, OrgInfo, error)
	// Finish turns ErrDenied into a recorded denial (ErrNotFound) and
	// audits the refusals a signed-in user is audited for.
	Finish(ctx context.Context, err error, action, caseID string) error
	// RefuseDuringBreakGlass fails while p holds an open emergency access
	// to the case.
	RefuseDuringBreakGlass(ctx context.Context, q store.Querier, p auth.Principal, caseID string) error
	// Audit writes events into the outbox in tx (and tells a child's
	// guardian of the changes they record); Emit appends statistics and
	// audit events in one outbox write.
	Audit(ctx context.Context, tx *sql.Tx, events ...event.Audit) error
	Emit(ctx context.Context, tx outbox.Execer, stats []facts.Event, audits ...event.Audit) error
	// ProtectsChildren reports whether org protects children (the consent
	// rule of sharing asks).
	ProtectsChildren(ctx context.Context, org OrgInfo) (bool, error)
	// ReadableFor is the sections org may read; SectionMACs each readable
	// section's MAC over org's wrap.
	ReadableFor(secs []store.SectionRow, grants []store.GrantRow, org string) map[seal.SectionID]bool
	SectionMACs(org string, wrap []byte, secs []store.SectionRow, readable map[seal.SectionID]bool) map[seal.SectionID][]byte
	// RebuildWrap rebuilds org's wrap from source's keys and the grants
	// now in the database (a pending grant's keys, no section MAC yet).
	RebuildWrap(ctx context.Context, tx *sql.Tx, c store.CaseRow, org, source string) error
	// ShareCovered wraps to org, from the owner's keys, the keys of the
	// record's entries its grants cover.
	ShareCovered(ctx context.Context, tx *sql.Tx, c store.CaseRow, org string, grants []store.GrantRow) error
	// RevokeReader revokes org's grants that match, rebuilds its wrap from
	// source's keys, re-keys what it may no longer read and drops the
	// entry keys it lost; a referral grant's revocation is told to
	// referral with reason (a grantchange reason).
	RevokeReader(ctx context.Context, tx *sql.Tx, c store.CaseRow, org, source, reason string, match func(store.GrantRow) bool) error
}

// What the grants need from below, each narrowed to the calls they make:
// intake passes its *db.DB, *store.Store and *keyring.Ring.
type (
	// DB runs transactions.
	DB interface {
		Tx(ctx context.Context, fn func(tx *sql.Tx) error) error
	}
	// Store is intake's SQL as the grants use it.
	Store interface {
		ReadTx(ctx context.Context, fn func(tx *sql.Tx) error) error
		CaseByID(ctx context.Context, q store.Querier, id string, lock bool) (store.CaseRow, error)
		Consents(ctx context.Context, q store.Querier, caseID string) ([]Consent, error)
		Workflow(ctx context.Context, q store.Querier, c store.CaseRow) (store.WorkflowRow, error)
		Sections(ctx context.Context, q store.Querier, caseID string) ([]store.SectionRow, error)
		Grants(ctx context.Context, q store.Querier, caseID string) ([]store.GrantRow, error)
		InsertGrant(ctx context.Context, q store.Querier, g store.GrantRow) error
		SetGrantStatus(ctx context.Context, q store.Querier, id, status string, now time.Time) error
		EndGrant(ctx context.Context, q store.Querier, id string, ends time.Time) (time.Time, error)
		GrantsEnded(ctx context.Context, now time.Time) ([]store.GrantEnd, error)
		Wrap(ctx context.Context, q store.Querier, caseID, orgID string) (store.WrapRow, error)
		PutMACs(ctx context.Context, q store.Querier, caseID, orgID string, macs map[seal.SectionID][]byte) error
	}
	// Outcomes records the outcome of a keyed request in its transaction
	// (idempotency.Store).
	Outcomes interface {
		Record(ctx context.Context, tx idempotency.Execer, status int, ids ...string) error
	}
	// Ring makes an organisation's identity on first need.
	Ring interface {
		EnsureOrgKey(ctx context.Context, orgID string) error
	}
	// OrgDirectory looks an organisation up (the identity service,
	// adapted); an unknown one is an error wrapping kit.ErrNotFound.
	OrgDirectory interface {
		Org(ctx context.Context, id string) (OrgInfo, error)
	}
)

// Config holds the grants' dependencies, shared with the intake service
// that composes them.
type Config struct {
	DB    DB
	Store Store
	Ring  Ring
	Orgs  OrgDirectory
	// Idem records the outcome of a keyed grant in its transaction.
	Idem Outcomes
	// FollowUpDays is how long a grant stays active once its service
	// ended (the workflow policy's grant_follow_up_days).
	FollowUpDays int
	Recorder     event.Recorder
	Casework     Casework
	// Now is the clock, already in UTC at microsecond precision.
	Now func() time.Time
}

// Grants is the grant service.
type Grants struct {
	db                DB
	store             Store
	ring              Ring
	orgs              OrgDirectory
	idem              Outcomes
	grantFollowUpDays int
	rec               event.Recorder
	cw                Casework
	now               func() time.Time
}

var _ Service = (*Grants)(nil)

// New returns the grant service.
func New(cfg Config) *Grants {
	if cfg.Idem == nil {
		cfg.Idem = (*idempotency.Store)(nil) // records nothing: no keyed requests
	}
	return &Grants{db: cfg.DB, store: cfg.Store, ring: cfg.Ring, orgs: cfg.Orgs, idem: cfg.Idem, grantFollowUpDays: cfg.FollowUpDays,
		rec: cfg.Recorder, cw: cfg.Casework, now: cfg.Now}
}

// The domain's errors the grants answer with.
var (
	ErrNotFound     = casefile.ErrNotFound
	ErrUnavailable  = casefile.ErrUnavailable
	ErrInvalidState = casefile.ErrInvalidState
	ErrIntegrity    = keyring.ErrIntegrity
	// errDenied marks a denial inside a transaction; Casework.Finish
	// records it outside (the transaction rolls back) and answers
	// ErrNotFound.
	errDenied = casefile.ErrDenied
)

// The case work under the names the grants' code uses.

func (s *Grants) callerOrg(ctx context.Context) (auth.Principal, OrgInfo, error) {
	return s.cw.CallerOrg(ctx)
}

func (s *Grants) finish(ctx context.Context, err error, action, id string) error {
	return s.cw.Finish(ctx, err, action, id)
}

func (s *Grants) audit(ctx context.Context, tx *sql.Tx, events ...event.Audit) error {
	return s.cw.Audit(ctx, tx, events...)
}
