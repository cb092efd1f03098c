package cases

import (
	"context"
	"database/sql"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/keyring"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Service is the part of intake's API that registers cases and reads
// them: registration and drafts, reads and lists, consent, submission,
// transfer, the link of a notification and possible duplicates (the
// grants are cases/grants').
type Service interface {
	// Register creates a case (or a draft when r.Draft), sealing its
	// sections to the registering organisation.
	Register(ctx context.Context, r Registration) (Case, error)
	// UpdateDraft replaces a draft's content (owner organisation only).
	UpdateDraft(ctx context.Context, id string, r Registration) (Case, error)
	// Finalize turns a draft into a registered case (full validation and
	// the duplicate check run here).
	Finalize(ctx context.Context, id string) (Case, error)
	// Get returns the case with the sections the caller's organisation may
	// read, after its read is durably audited. Anything else is ErrNotFound.
	Get(ctx context.Context, id string) (Case, error)
	// CaseView reads the case with its tracks and record (as parts asks)
	// in one snapshot, under one audit event naming what was read: each
	// part exactly what Get, Workflow and Entries answer the caller.
	CaseView(ctx context.Context, id string, parts CaseParts) (CaseView, error)
	// List returns the caller organisation's cases (attributes only, no
	// section content), newest first, and for a provider's caseworker its
	// caseload (service, support state and next step per case).
	List(ctx context.Context, q ListQuery) (CasePage, error)
	// RecordConsent adds a consent record (a new record supersedes the
	// previous one for the same purpose; nothing is overwritten).
	RecordConsent(ctx context.Context, caseID string, c ConsentInput) (Case, error)
	// Submit submits an nrm-route case to the competent authority: its
	// organisations are granted the sections a decision needs.
	Submit(ctx context.Context, caseID string) (Case, error)
	// Transfer moves ownership to another organisation (re-wrapped), e.g.
	// from the police to the NGO that leads support.
	Transfer(ctx context.Context, caseID, toOrg string) (Case, error)
	// LinkNotification links an anonymous notification to a case of the
	// same person who came back.
	LinkNotification(ctx context.Context, caseID, notificationID string) error
	// Duplicates lists possible duplicate registrations (coordinators and
	// decision makers only; never the registering officer).
	Duplicates(ctx context.Context, q ListQuery) (DuplicatePage, error)
	// ConfirmDuplicate records, once, whether a possible duplicate is the
	// same person (coordinators and decision makers only). A confirmed one
	// links the two cases in statistics; neither case is opened.
	ConfirmDuplicate(ctx context.Context, duplicateID string, samePerson bool) (Duplicate, error)
}

// Casework is what cases takes from the case work intake does for every
// service: who the caller is, the audit of changes, reads and refusals,
// the access rules, the grants and wraps of the key machinery, and the
// workflow's part in a submission, a consent change and a case view. The
// intake service implements it and passes it in Config: cases never
// imports the service, nor the workflow and oversight services.
type Casework interface {
	// CallerOrg returns the caller and their organisation; kit.ErrForbidden
	// for a caller without one.
	CallerOrg(ctx context.Context) (auth.Principal, OrgInfo, error)
	// Owned loads the case for a change by its owner organisation, locked
	// until tx ends; anyone else is ErrDenied.
	Owned(ctx context.Context, tx *sql.Tx, p auth.Principal, id, action string) (store.CaseRow, error)
	// Finish turns ErrDenied into a recorded denial (ErrNotFound) and
	// audits the refusals a signed-in user is audited for.
	Finish(ctx context.Context, err error, action, caseID string) error
	// Deny records a denied action on the case and answers ErrNotFound.
	Deny(ctx context.Context, action, caseID string) error
	// ReadFailed logs and audits a read that could not complete.
	ReadFailed(ctx context.Context, caseID string, err error) error
	// RefuseDuringBreakGlass fails while p holds an open emergency
	// access to the case.
	RefuseDuringBreakGlass(ctx context.Context, q store.Querier, p auth.Principal, caseID string) error

	// Audit writes events into the outbox in tx (and tells a child's
	// guardian of the changes they record).
	Audit(ctx context.Context, tx *sql.Tx, events ...event.Audit) error
	// AuditAlone makes events durable before the caller goes on.
	AuditAlone(ctx context.Context, events ...event.Audit) error
	// Emit appends statistics and audit events in one outbox write.
	Emit(ctx context.Context, tx outbox.Execer, stats []facts.Event, audits ...event.Audit) error
	// Stats appends statistics events in tx.
	Stats(ctx context.Context, tx *sql.Tx, events ...facts.Event) error
	// EmitNotices appends notices to the outbox in tx.
	EmitNotices(ctx context.Context, tx outbox.Execer, ns ...notice.Notice) error
	// CountDenial counts a refusal by its answer code.
	CountDenial(code string)
	// StatsEvent is a de-identified event about the case; Pseudonym is a
	// case's key in statistics.
	StatsEvent(typ, caseID string) facts.Event
	Pseudonym(caseID string) string

	// The access rules: the grants p may use, whether org sees the case
	// at all, and the sections it may read.
	GrantsFor(p auth.Principal, grants []store.GrantRow) []store.GrantRow
	CanSee(c store.CaseRow, secs []store.SectionRow, grants []store.GrantRow, org string) bool
	ReadableFor(secs []store.SectionRow, grants []store.GrantRow, org string) map[seal.SectionID]bool

	// BuildWrap wraps grants to recipient (version of org's key) with the
	// wrap's MAC; SectionMACs returns each readable section's MAC over it.
	BuildWrap(caseID string, ring *keys.CaseRing, org string, version int, recipient seal.Recipient, held []seal.SectionID, grants []seal.KeyGrant) (store.WrapRow, error)
	SectionMACs(org string, wrap []byte, secs []store.SectionRow, readable map[seal.SectionID]bool) map[seal.SectionID][]byte
	// Unlock opens the case's locked grant groups with its class keys.
	Unlock(caseID string) seal.WrapOption
	// GrantSections grants names to each organisation of to at once,
	// wrapping their keys from source's.
	GrantSections(ctx context.Context, tx *sql.Tx, c store.CaseRow, secs []store.SectionRow, user, source string, to []OrgInfo, names []string, purpose string) error
	// RevokeUncovered revokes the referral grants the consent records no
	// longer cover, and returns their ids.
	RevokeUncovered(ctx context.Context, tx *sql.Tx, c store.CaseRow, records []Consent) ([]string, error)
	// ProtectsChildren reports whether org protects children (the consent
	// rule of a grant or a transfer asks).
	ProtectsChildren(ctx context.Context, org OrgInfo) (bool, error)
	// HandOver gives the new owner of a transferred case the record's
	// keys and ends what the previous owner read through its grants.
	HandOver(ctx context.Context, tx *sql.Tx, c store.CaseRow, user, prev, next string) error

	// Decide records a submission on the decision track, in the
	// submission's transaction.
	Decide(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, w *store.WorkflowRow, t TransitionRequest) error
	// ConsentChanged lets the workflow react to the case's consent records
	// after a change, in its transaction.
	ConsentChanged(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, consents []Consent) error
	// WorkflowView and Record answer the tracks and the record of a case
	// view, as Workflow and Entries answer them.
	WorkflowView(p auth.Principal, c store.CaseRow, w store.WorkflowRow, grants []store.GrantRow, consents []Consent, history []DecisionRecord) Workflow
	Record(ctx context.Context, p auth.Principal, c store.CaseRow, grants []store.GrantRow, stored []store.StoredEntry) ([]Entry, error)
}

// ErrDenied marks a denial inside a transaction; Casework.Finish records
// it outside (the transaction rolls back) and answers ErrNotFound.
var ErrDenied = errDenied

// What cases needs from below, each narrowed to the calls it makes:
// intake passes its *db.DB, *store.Store, *keyring.Ring, *keys.CaseKeys,
// *idempotency.Store and *store.References.
type (
	// DB runs transactions, and a single read outside one.
	DB interface {
		store.Querier
		Tx(ctx context.Context, fn func(tx *sql.Tx) error) error
	}
	// Store is intake's SQL as cases uses it: every statement on the
	// caller's Querier (the database or its transaction), but the reads
	// that take their own snapshot.
	Store interface {
		ReadTx(ctx context.Context, fn func(tx *sql.Tx) error) error
		// The case and its consent.
		CaseByID(ctx context.Context, q store.Querier, id string, lock bool) (store.CaseRow, error)
		InsertCases(ctx context.Context, q store.Querier, cs ...*store.CaseRow) error
		UpdateCase(ctx context.Context, q store.Querier, c *store.CaseRow) error
		ListCases(ctx context.Context, org, status string, after *store.Cursor, limit int) ([]store.CaseRow, error)
		Caseload(ctx context.Context, org string) ([]casefile.CaseloadItem, error)
		Consents(ctx context.Context, q store.Querier, caseID string) ([]Consent, error)
		InsertConsent(ctx context.Context, q store.Querier, caseID string, c Consent) error
		InsertConsents(ctx context.Context, q store.Querier, caseID string, cs []Consent) error
		InsertConsentSets(ctx context.Context, q store.Querier, sets ...store.CaseConsents) error
		// Sealed sections, wraps and their MACs.
		Sections(ctx context.Context, q store.Querier, caseID string) ([]store.SectionRow, error)
		InsertSections(ctx context.Context, q store.Querier, rows []store.SectionRow, now time.Time) error
		DeleteSections(ctx context.Context, q store.Querier, caseID string) error
		InsertWraps(ctx context.Context, q store.Querier, now time.Time, ws ...store.WrapRow) error
		PutWrap(ctx context.Context, q store.Querier, w store.WrapRow, now time.Time) error
		PutWrapIfActive(ctx context.Context, q store.Querier, w store.WrapRow, now time.Time) (bool, error)
		DeleteWrap(ctx context.Context, q store.Querier, caseID, orgID string) error
		PutMACs(ctx context.Context, q store.Querier, caseID, orgID string, macs map[seal.SectionID][]byte) error
		Macs(ctx context.Context, q store.Querier, caseID, orgID string) (map[seal.SectionID][]byte, error)
		// Reads of a case as one organisation reads it.
		CaseForRead(ctx context.Context, q store.Querier, id, org string) (store.ReadRow, error)
		Snapshot(ctx context.Context, id, org string) (store.Snapshot, error)
		SnapshotIn(ctx context.Context, q store.Querier, id, org string) (store.Snapshot, error)
		Grants(ctx context.Context, q store.Querier, caseID string) ([]store.GrantRow, error)
		// The tracks and the record a submission and a case view read.
		Workflow(ctx context.Context, q store.Querier, c store.CaseRow) (store.WorkflowRow, error)
		Decisions(ctx context.Context, q store.Querier, caseID string) ([]DecisionRecord, error)
		Entries(ctx context.Context, q store.Querier, caseID, org string) ([]store.StoredEntry, error)
		// Blind indexes and possible duplicates.
		InsertBlindIndexes(ctx context.Context, q store.Querier, ixs []store.BlindIndex, existing bool) error
		InsertDuplicates(ctx context.Context, q store.Querier, ds []Duplicate, existing bool) error
		MatchIndexes(ctx context.Context, q store.Querier, ps []store.IndexProbe) ([]store.IndexMatch, error)
		DecidingOrgs(ctx context.Context, q store.Querier, caseIDs []string) (map[string][]string, error)
		ListDuplicates(ctx context.Context, after *store.Cursor, limit int) ([]Duplicate, error)
		Duplicate(ctx context.Context, q store.Querier, id string) (Duplicate, error)
		DecideDuplicate(ctx context.Context, q store.Querier, id, status, by string, at time.Time) (bool, error)
		CaseOwners(ctx context.Context, q store.Querier, ids []string) (map[string]string, error)
		CasesSeenBy(ctx context.Context, q store.Querier, ids []string, org, user string) ([]string, error)
		// WritesFor holds a registration group's inserts back into one
		// round trip on PostgreSQL.
		WritesFor(tx *sql.Tx) store.Writes
	}
	// Ring is the organisations' key ring: an identity made on first need,
	// the active key a case is wrapped to, the identity that opens a wrap.
	Ring interface {
		EnsureOrgKey(ctx context.Context, orgID string) error
		ActiveKeyHint(ctx context.Context, orgID string) (int, seal.Recipient, error)
		ActiveRecipient(ctx context.Context, tx keyring.Querier, orgID string) (int, seal.Recipient, error)
		ActiveKeys(ctx context.Context, tx keyring.Querier, orgs []string) (map[string]keyring.ActiveKey, error)
		ActiveRecipientOf(orgID string, k keyring.ActiveKey) (seal.Recipient, error)
		LiveIdentity(orgID string, version, oldestLive int, blob []byte) (*seal.OrgIdentity, error)
	}
	// CaseKeys makes a new case's retention class keys (keys.CaseKeys).
	CaseKeys interface {
		NewCase(classes ...string) (*keys.CaseRing, error)
	}
	// Outcomes records the outcome of a keyed request in its transaction
	// (idempotency.Store).
	Outcomes interface {
		Record(ctx context.Context, tx idempotency.Execer, status int, ids ...string) error
	}
	// References hands out case references (store.References).
	References interface {
		Next(year int) (string, error)
	}
)

// OrgDirectory answers questions about organisations (the identity
// service, adapted). Org returns an error wrapping kit.ErrNotFound for an
// unknown id.
type OrgDirectory interface {
	Org(ctx context.Context, id string) (OrgInfo, error)
	OrgsByKind(ctx context.Context, kind string) ([]OrgInfo, error)
}

// Metrics are the counters of registrations and reads, registered by the
// intake service under their names (nrm_intake_…).
type Metrics struct {
	Registrations *prometheus.CounterVec
	Reads         *prometheus.CounterVec
	// Groups observes the registrations per group commit.
	Groups prometheus.Histogram
}

// Config holds the cases service's dependencies, shared with the intake
// service that composes it.
type Config struct {
	DB       DB
	Store    Store
	Ring     Ring
	CaseKeys CaseKeys
	Orgs     OrgDirectory
	// Refs hands out case references.
	Refs References
	// Idem records the outcome of keyed requests.
	Idem Outcomes
	// Indexer makes the blind indexes of the duplicate check.
	Indexer *seal.Indexer
	// MACKey is keys.PurposeSectionMAC: section and wrap MACs.
	MACKey []byte
	// DuplicateLimit charges the duplicate checks, per user.
	DuplicateLimit *kit.Limiter
	// Regions are the accepted regions, "abroad" included, in the order a
	// refusal lists them.
	Regions  []string
	Recorder event.Recorder
	Metrics  Metrics
	Casework Casework
	// Now is the clock, already in UTC at microsecond precision.
	Now func() time.Time
}

// Cases is the cases service.
type Cases struct {
	db       DB
	store    Store
	ring     Ring
	caseKeys CaseKeys
	orgs     OrgDirectory
	refs     References
	idem     Outcomes
	indexer  *seal.Indexer
	macKey   []byte
	dupLimit *kit.Limiter
	// regions are the accepted regions (Config.Regions).
	regions casefile.Regions
	rec     event.Recorder
	metrics Metrics
	cw      Casework
	log     log.Logger
	now     func() time.Time
	// registrations commits registrations in groups.
	registrations registrationGroups
}

var _ Service = (*Cases)(nil)

// New returns the cases service.
func New(cfg Config) *Cases {
	if cfg.Idem == nil {
		cfg.Idem = (*idempotency.Store)(nil) // records nothing: no keyed requests
	}
	s := &Cases{db: cfg.DB, store: cfg.Store, ring: cfg.Ring, caseKeys: cfg.CaseKeys, orgs: cfg.Orgs, refs: cfg.Refs,
		idem: cfg.Idem, indexer: cfg.Indexer, macKey: cfg.MACKey, dupLimit: cfg.DuplicateLimit,
		regions: casefile.Regions{Has: map[string]bool{}, List: cfg.Regions}, rec: cfg.Recorder, metrics: cfg.Metrics, cw: cfg.Casework, now: cfg.Now}
	for _, r := range cfg.Regions {
		s.regions.Has[r] = true
	}
	for i := range s.registrations.lanes {
		s.registrations.lanes[i].Max = maxRegistrationGroup
	}
	return s
}

// outcome is the metric label of a call made under ctx (kit.Outcome).
func outcome(ctx context.Context, err error) string { return kit.Outcome(ctx, err) }
