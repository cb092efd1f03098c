package workflow

import (
	"context"
	"database/sql"
	"regexp"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Service is the workflow part of intake's API: the two tracks, the case
// record, the children's rules and the route change. Intake's Service embeds it.
type Service interface {
	// Transition moves the case along the decision track (identified →
	// submitted ⇄ info_requested → rg_* → cg_*, reconsideration, withdrawal).
	// A negative decision is a proposal until a different decision maker
	// confirms it. Illegal moves are ErrInvalidState naming the allowed ones.
	Transition(ctx context.Context, caseID string, t casefile.TransitionRequest) (casefile.Workflow, error)
	// SupportTransition moves the support track (open ⇄ suspended → closed
	// → reopened) or records a support action (return, family tracing or
	// reunification need a child's approved best-interests assessment).
	SupportTransition(ctx context.Context, caseID string, t casefile.TransitionRequest) (casefile.Workflow, error)
	// Workflow returns both tracks, deadlines and child-protection prompts.
	Workflow(ctx context.Context, caseID string) (casefile.Workflow, error)
	// DecisionQueue lists the cases submitted to the caller's competent
	// authority awaiting a decision, by deadline, overdue ones marked.
	DecisionQueue(ctx context.Context) ([]casefile.QueueItem, error)
	// AddEntry appends a sealed entry to the case record; nothing changes
	// or deletes one (a correction supersedes).
	AddEntry(ctx context.Context, caseID string, in casefile.EntryInput) (casefile.Entry, error)
	// Entries returns the case record with history, superseded entries
	// marked, content only where the caller's organisation holds the key.
	Entries(ctx context.Context, caseID string) ([]casefile.Entry, error)
	// AppointGuardian appoints a child's guardian and grants the guardian's
	// organisation what concerns the child (purpose guardian).
	AppointGuardian(ctx context.Context, caseID string, g casefile.GuardianInput) (casefile.Workflow, error)
	// ChangeRoute moves an assistance case onto the NRM route once the
	// person's consent to be submitted is recorded (owner only); the
	// history records when and on which consent.
	ChangeRoute(ctx context.Context, caseID string, in RouteChange) (casefile.Workflow, error)
}

// Casework is what the workflow takes from the case work intake does for
// every service: who the caller is and which cases they see, the audit of
// reads and refusals, the outbox, sealing and opening entries, granting,
// and the submission that the cases service owns. The intake service
// implements it and passes it in Config: the workflow never imports the
// service, nor the cases and oversight services.
type Casework interface {
	// CallerOrg returns the caller and the kind of their organisation;
	// kit.ErrForbidden for a caller without one.
	CallerOrg(ctx context.Context) (auth.Principal, string, error)
	// Visible reads the case, its workflow and the grants the caller
	// holds, for a caller who may see the case; anyone else is ErrDenied.
	Visible(ctx context.Context, q store.Querier, p auth.Principal, caseID string) (store.CaseRow, store.WorkflowRow, []store.GrantRow, error)
	// Owned reads and locks a case of the caller's organisation; anyone
	// else is ErrDenied.
	Owned(ctx context.Context, tx *sql.Tx, p auth.Principal, caseID, action string) (store.CaseRow, error)
	// RefuseWrite refuses a write by a caller whose emergency access to
	// the case is open (it is for reading).
	RefuseWrite(ctx context.Context, q store.Querier, p auth.Principal, caseID string) error
	// Finish turns ErrDenied into a recorded denial (ErrNotFound) and
	// audits the refusals a signed-in user is audited for.
	Finish(ctx context.Context, err error, action, caseID string) error
	// AuditAlone makes events durable before the caller goes on.
	AuditAlone(ctx context.Context, events ...event.Audit) error
	// Emit writes statistics facts and audit events to the outbox in tx,
	// and tells a child's guardian of the changes they record.
	Emit(ctx context.Context, tx *sql.Tx, stats []facts.Event, events ...event.Audit) error
	// Fact is a de-identified event of type typ about the case.
	Fact(typ string, c store.CaseRow) facts.Event
	// Notify appends notices to the outbox in tx.
	Notify(ctx context.Context, tx *sql.Tx, ns ...notice.Notice) error
	// SealEntry seals content as a new entry of type typ, as p, and
	// returns its id.
	SealEntry(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, typ string, content any, supersedes string) (string, error)
	// OpenEntry checks an entry's MAC and opens it with org's identity.
	OpenEntry(ctx context.Context, org string, e store.StoredEntry) ([]byte, error)
	// Record is the case record as p may read it from stored (the read
	// audited before).
	Record(ctx context.Context, p auth.Principal, c store.CaseRow, grants []store.GrantRow, stored []store.StoredEntry) ([]casefile.Entry, error)
	// MayRecordBestInterests reports whether p's organisation may record
	// a best-interests assessment of the case.
	MayRecordBestInterests(p auth.Principal, c store.CaseRow, w store.WorkflowRow, grants []store.GrantRow, protects bool) bool
	// Submit submits the case to the competent authority (the cases
	// service's one submission path), moving the decision track with t.
	Submit(ctx context.Context, caseID string, t casefile.TransitionRequest) error
	// Org looks an organisation up in the directory: its id and kind; an
	// error wrapping kit.ErrNotFound for an unknown one.
	Org(ctx context.Context, id string) (orgID, kind string, err error)
	// GrantGuardian ends the previous guardian organisation's grant (prev,
	// "" for none) and grants org what concerns the child.
	GrantGuardian(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, prev, org string) error
}

// What the workflow needs from below, each narrowed to the calls it
// makes: intake passes its *db.DB, *store.Store, *keyring.Ring and
// *idempotency.Store.
type (
	// DB runs transactions, and a single read outside one.
	DB interface {
		store.Querier
		Tx(ctx context.Context, fn func(tx *sql.Tx) error) error
	}
	// Store is intake's SQL as the workflow uses it.
	Store interface {
		ReadTx(ctx context.Context, fn func(tx *sql.Tx) error) error
		CaseByID(ctx context.Context, q store.Querier, id string, lock bool) (store.CaseRow, error)
		UpdateCase(ctx context.Context, q store.Querier, c *store.CaseRow) error
		Grants(ctx context.Context, q store.Querier, caseID string) ([]store.GrantRow, error)
		Consents(ctx context.Context, q store.Querier, caseID string) ([]casefile.Consent, error)
		Workflow(ctx context.Context, q store.Querier, c store.CaseRow) (store.WorkflowRow, error)
		PutWorkflow(ctx context.Context, q store.Querier, w *store.WorkflowRow, now time.Time) error
		InsertDecision(ctx context.Context, q store.Querier, caseID string, d casefile.DecisionRecord) error
		Decisions(ctx context.Context, q store.Querier, caseID string) ([]casefile.DecisionRecord, error)
		DecidingCases(ctx context.Context, q store.Querier, org string) ([]string, error)
		InsertAlert(ctx context.Context, q store.Querier, id, caseID, org, role, kind string, at time.Time) error
		// The case record.
		Entries(ctx context.Context, q store.Querier, caseID, org string) ([]store.StoredEntry, error)
		EntryExists(ctx context.Context, q store.Querier, caseID, id string) (bool, error)
		LatestEntry(ctx context.Context, q store.Querier, caseID, typ, state string) (string, error)
		// Deadlines and overdue decisions.
		OverdueCases(ctx context.Context, today string) ([]string, error)
		MarkOverdueReported(ctx context.Context, q store.Querier, caseID string) (bool, error)
		RGDue(ctx context.Context, q store.Querier, caseID string) (string, error)
		DecisionOrgs(ctx context.Context, q store.Querier, caseID string) ([]string, error)
		DueBetween(ctx context.Context, today, until string) ([]store.Due, error)
		MarkDeadlineTold(ctx context.Context, q store.Querier, d store.Due, threshold string, now time.Time) (bool, error)
	}
	// Ring makes an organisation's identity on first need.
	Ring interface {
		EnsureOrgKey(ctx context.Context, orgID string) error
	}
	// Outcomes records the outcome of a keyed request in its transaction
	// (idempotency.Store).
	Outcomes interface {
		Record(ctx context.Context, tx idempotency.Execer, status int, ids ...string) error
	}
)

// Config holds the workflow service's dependencies, shared with the
// intake service that composes it.
type Config struct {
	DB    DB
	Store Store
	Ring  Ring
	// Policy is the deployment's workflow policy: deadlines, calendar,
	// reflection and reconsideration periods.
	Policy *casefile.WorkflowPolicy
	// Children says which organisations protect children and who is a
	// guardian. Without it only social services count as child-protection
	// organisations and no guardian can be appointed.
	Children ChildProtection
	// Idem records the outcome of keyed requests.
	Idem     Outcomes
	Recorder event.Recorder
	Casework Casework
	// Now is the clock, already in UTC at microsecond precision.
	Now func() time.Time
}

// Tracks is the workflow service: the decision and support tracks, the
// case record and the children's rules.
type Tracks struct {
	db       DB
	store    Store
	ring     Ring
	pol      *casefile.WorkflowPolicy
	children ChildProtection
	idem     Outcomes
	rec      event.Recorder
	cw       Casework
	now      func() time.Time
}

var _ Service = (*Tracks)(nil)

// New returns the workflow service.
func New(cfg Config) *Tracks {
	if cfg.Idem == nil {
		cfg.Idem = (*idempotency.Store)(nil) // records nothing: no keyed requests
	}
	return &Tracks{db: cfg.DB, store: cfg.Store, ring: cfg.Ring, pol: cfg.Policy, children: cfg.Children, idem: cfg.Idem,
		rec: cfg.Recorder, cw: cfg.Casework, now: cfg.Now}
}

// The domain's errors the workflow answers with.
var (
	ErrNotFound     = casefile.ErrNotFound
	ErrUnavailable  = casefile.ErrUnavailable
	ErrInvalidState = casefile.ErrInvalidState
	// ErrDenied marks a denial inside a transaction; Casework.Finish
	// records it outside (the transaction rolls back) and answers
	// ErrNotFound.
	ErrDenied = casefile.ErrDenied
)

// codeRe is the shape of a code or id a caller gives (a reason code, a
// user id).
var codeRe = regexp.MustCompile(`^[A-Za-z0-9._:-]{0,128}$`)

// maxReason bounds a stated reason (8 KiB).
const maxReason = 8 << 10
