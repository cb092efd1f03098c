package oversight

import (
	"context"
	"database/sql"
	"encoding/json"
	"regexp"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/keyring"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Casework is what oversight takes from the case work intake does for
// every service: who the caller is, which cases they see, the audit of
// reads and refusals, and the sealing of grants, entries and wraps. The
// intake service implements it and passes it in Config: oversight never
// imports the service, nor the cases and workflow services.
type Casework interface {
	// CallerOrg returns the caller and the kind of their organisation;
	// kit.ErrForbidden for a caller without one.
	CallerOrg(ctx context.Context) (auth.Principal, string, error)
	// Visible reads the case, its workflow and the grants the caller
	// holds, for a caller who may see the case; anyone else is
	// ErrDenied.
	Visible(ctx context.Context, q store.Querier, p auth.Principal, caseID string) (store.CaseRow, store.WorkflowRow, []store.GrantRow, error)
	// Finish turns ErrDenied into a recorded denial (ErrNotFound) and
	// audits the refusals a signed-in user is audited for.
	Finish(ctx context.Context, err error, action, caseID string) error
	// Deny records a denied action on the case and answers ErrNotFound.
	Deny(ctx context.Context, action, caseID string) error
	// CountDenial counts a refusal by its answer code.
	CountDenial(code string)
	// AuditAlone makes events durable before the caller goes on.
	AuditAlone(ctx context.Context, events ...event.Audit) error
	// Emit appends audit events to the outbox in tx (and tells a child's
	// guardian of the changes they record).
	Emit(ctx context.Context, tx *sql.Tx, events ...event.Audit) error
	// GrantSections grants org the named sections at once, for purpose,
	// wrapping their keys from the owner's.
	GrantSections(ctx context.Context, tx *sql.Tx, c store.CaseRow, secs []store.SectionRow, user, org string, names []string, purpose string) error
	// ShareRecord wraps to org the keys of every entry of the case record
	// that from holds.
	ShareRecord(ctx context.Context, tx *sql.Tx, caseID, from, org string) error
	// SealEntry seals content as a new entry of type typ, as p.
	SealEntry(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, typ string, content any) (string, error)
	// RevokeReader revokes org's grants that match, rebuilding its wrap
	// from source's keys.
	RevokeReader(ctx context.Context, tx *sql.Tx, c store.CaseRow, org, source string, match func(store.GrantRow) bool) error
	// RevokeReferralGrants revokes every referral grant of the case not
	// yet revoked, telling referral why (a grantchange reason), audited,
	// and returns how many.
	RevokeReferralGrants(ctx context.Context, tx *sql.Tx, c store.CaseRow, reason string) (int, error)
	// Rewrap rewrites every wrap of the case without the purged sections'
	// keys and MACs; keep are the sections that remain.
	Rewrap(ctx context.Context, tx *sql.Tx, c store.CaseRow, keep []store.SectionRow, purged map[seal.SectionID]bool) error
	// ExportSections reads the case as the caller, audited, and returns
	// the named sections the caller may read.
	ExportSections(ctx context.Context, caseID string, names []string) (map[string]json.RawMessage, error)
}

// ErrDenied marks a denial inside a transaction; Casework.Finish records
// it outside (the transaction rolls back) and answers ErrNotFound.
var ErrDenied = casefile.ErrDenied

// What oversight needs from below, each narrowed to the calls it makes:
// intake passes its *db.DB, *store.Store, *keyring.Ring, *keys.CaseKeys
// and *idempotency.Store.
type (
	// DB runs transactions, and a single read outside one.
	DB interface {
		store.Querier
		Tx(ctx context.Context, fn func(tx *sql.Tx) error) error
	}
	// Store is intake's SQL as oversight uses it: every statement on the
	// caller's Querier (the database or its transaction).
	Store interface {
		ReadTx(ctx context.Context, fn func(tx *sql.Tx) error) error
		CaseByID(ctx context.Context, q store.Querier, id string, lock bool) (store.CaseRow, error)
		Sections(ctx context.Context, q store.Querier, caseID string) ([]store.SectionRow, error)
		Grants(ctx context.Context, q store.Querier, caseID string) ([]store.GrantRow, error)
		Consents(ctx context.Context, q store.Querier, caseID string) ([]casefile.Consent, error)
		Workflow(ctx context.Context, q store.Querier, c store.CaseRow) (store.WorkflowRow, error)
		PutWorkflow(ctx context.Context, q store.Querier, w *store.WorkflowRow, now time.Time) error
		Decisions(ctx context.Context, q store.Querier, caseID string) ([]casefile.DecisionRecord, error)
		// Break-the-glass and the alerts it raises.
		HasOpenBreakGlass(ctx context.Context, q store.Querier, caseID, user string) (bool, error)
		InsertBreakGlass(ctx context.Context, q store.Querier, b casefile.BreakGlass) error
		InsertAlert(ctx context.Context, q store.Querier, id, caseID, org, role, kind string, at time.Time) error
		BreakGlassList(ctx context.Context) ([]casefile.BreakGlass, error)
		BreakGlassByID(ctx context.Context, q store.Querier, id, user string, lock bool) (casefile.BreakGlass, error)
		ReviewBreakGlass(ctx context.Context, q store.Querier, id, user, code string, at time.Time) error
		BreakGlassDue(ctx context.Context, now time.Time) ([]string, error)
		ExpireBreakGlass(ctx context.Context, q store.Querier, id string, now time.Time) error
		// Disclosures and legal holds.
		InsertDisclosure(ctx context.Context, q store.Querier, d casefile.Disclosure) error
		DisclosureBasis(ctx context.Context, q store.Querier, caseID, id string) (kind, basis string, err error)
		Disclosures(ctx context.Context, q store.Querier, caseID string) ([]casefile.Disclosure, error)
		InsertLegalHold(ctx context.Context, q store.Querier, id, caseID, action, reason, user, org string, at time.Time) error
		// The purge.
		ClosedCases(ctx context.Context) ([]store.Closed, error)
		LiveEntryClasses(ctx context.Context, q store.Querier, caseID string) (ids, classes []string, err error)
		PurgeEntry(ctx context.Context, q store.Querier, id string, now time.Time) error
		DeleteSection(ctx context.Context, q store.Querier, caseID, section string, version int) error
		Checkpoint(ctx context.Context) (bool, error)
	}
	// Ring is the organisations' key ring: an opener's identity made on
	// first need, and the secure-delete transaction of a purge.
	Ring interface {
		EnsureOrgKey(ctx context.Context, orgID string) error
		Tx(ctx context.Context, fn func(tx *sql.Tx) error) error
	}
	// CaseKeys are the cases' retention class keys (keys.CaseKeys).
	CaseKeys interface {
		Load(caseID string) (*keys.CaseRing, error)
		Destroy(caseID string, classes ...string) error
	}
	// Outcomes records the outcome of a keyed request in its transaction
	// (idempotency.Store).
	Outcomes interface {
		Record(ctx context.Context, tx idempotency.Execer, status int, ids ...string) error
	}
)

// Config holds the oversight service's dependencies, shared with the
// intake service that composes it.
type Config struct {
	DB       DB
	Store    Store
	Ring     Ring
	CaseKeys CaseKeys
	// Policy is the deployment's workflow policy: break-glass hours,
	// disclosure lists, retention periods.
	Policy *casefile.WorkflowPolicy
	// AccessLog answers the access report; nil leaves it unavailable.
	AccessLog AccessLog
	// Idem records the outcome of keyed requests.
	Idem     Outcomes
	Recorder event.Recorder
	Casework Casework
	Logger   log.Logger
	// Now is the clock, already in UTC at microsecond precision.
	Now func() time.Time
}

// Oversight is the oversight service.
type Oversight struct {
	db        DB
	store     Store
	ring      Ring
	caseKeys  CaseKeys
	pol       *casefile.WorkflowPolicy
	accessLog AccessLog
	idem      Outcomes
	rec       event.Recorder
	cw        Casework
	log       log.Logger
	now       func() time.Time
}

var _ Service = (*Oversight)(nil)

// New returns the oversight service.
func New(cfg Config) *Oversight {
	if cfg.Idem == nil {
		cfg.Idem = (*idempotency.Store)(nil) // records nothing: no keyed requests
	}
	return &Oversight{db: cfg.DB, store: cfg.Store, ring: cfg.Ring, caseKeys: cfg.CaseKeys, pol: cfg.Policy,
		accessLog: cfg.AccessLog, idem: cfg.Idem, rec: cfg.Recorder, cw: cfg.Casework, log: cfg.Logger, now: cfg.Now}
}

// The domain's errors and codes oversight answers with.
var (
	ErrNotFound        = casefile.ErrNotFound
	ErrUnavailable     = casefile.ErrUnavailable
	ErrInvalidState    = casefile.ErrInvalidState
	ErrConsentRequired = casefile.ErrConsentRequired
	ErrIntegrity       = keyring.ErrIntegrity
)

// auditorOnly returns the caller if they hold the auditor role.
func auditorOnly(ctx context.Context) (auth.Principal, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return p, err
	}
	if !p.HasRole(auth.RoleAuditor) {
		return p, kit.ErrForbidden
	}
	return p, nil
}

// refuseDuringBreakGlass fails with ErrBreakGlassActive when p holds an
// open emergency access to the case.
func (o *Oversight) refuseDuringBreakGlass(ctx context.Context, q store.Querier, p auth.Principal, caseID string) error {
	open, err := o.store.HasOpenBreakGlass(ctx, q, caseID, p.UserID)
	if err != nil {
		return err
	}
	if open {
		return casefile.ErrBreakGlassActive
	}
	return nil
}

// codeRe is the shape of a code a caller gives (a review, a hold's reason).
var codeRe = regexp.MustCompile(`^[A-Za-z0-9._:-]{0,128}$`)

// maxReason bounds a stated reason (8 KiB).
const maxReason = 8 << 10
