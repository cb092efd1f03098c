package referral

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/referral/directory"
	"github.com/nrm-project/nrm/services/referral/external"
	"github.com/nrm-project/nrm/services/referral/grants"
	"github.com/nrm-project/nrm/services/referral/routing"
	"github.com/nrm-project/nrm/services/referral/webhooks"
)

// Service routes referrals of cases to service providers and keeps the
// provider directory.
type Service interface {
	CreateReferral(ctx context.Context, r NewReferral) (Referral, error)
	GetReferral(ctx context.Context, id string) (Referral, error)
	Accept(ctx context.Context, id string) (Referral, error)
	Decline(ctx context.Context, id string, d DeclineInput) (Referral, error)
	Arrive(ctx context.Context, id string) (Referral, error)
	Complete(ctx context.Context, id string) (Referral, error)
	Leave(ctx context.Context, id string) (Referral, error)
	// Withdraw ends a referral: the owner at will, a coordinator of
	// another organisation only with a coded emergency reason.
	Withdraw(ctx context.Context, id string, in WithdrawInput) (Referral, error)
	Inbox(ctx context.Context) ([]Referral, error)
	Sent(ctx context.Context) ([]Referral, error)
	Board(ctx context.Context) (Board, error)
	// Candidates ranks the directory for a referral's own profile, with
	// the reasons, for the national desk (coordinators).
	Candidates(ctx context.Context, id string) ([]Candidate, error)
	// Place offers a referral that found no provider to the provider a
	// coordinator chose.
	Place(ctx context.Context, id string, in PlaceInput) (Referral, error)
	Route(ctx context.Context, q RouteQuery) ([]Candidate, error)
	Notifications(ctx context.Context, after int64) ([]Notification, error)
	// Package produces an external referral's sealed package for its
	// sender: age-encrypted to the recipient named at creation, never stored.
	Package(ctx context.Context, id string) (DisclosurePackage, error)
	// Approve is a second person's approval of a cross-border external
	// referral: another user of the sending organisation.
	Approve(ctx context.Context, id string) (Referral, error)

	GetProvider(ctx context.Context, orgID string) (Provider, error)
	PutProvider(ctx context.Context, orgID string, p ProviderInput) (Provider, error)
	SetCapacity(ctx context.Context, orgID, service string, places int) (Provider, error)
	ListProviders(ctx context.Context, service, region string) ([]Provider, error)
	ExportHSDS(ctx context.Context) (HSDSDocument, error)
	ImportHSDS(ctx context.Context, d HSDSDocument) (int, error)
	// RotateWebhookSecret replaces a provider's webhook secret and shows
	// the new one, once (the provider's administrators, system admins).
	RotateWebhookSecret(ctx context.Context, orgID string) (WebhookSecretInfo, error)
}

// CaseSource gives the routing attributes of a case, as the caller may see
// it; a case the caller may not see is kit.ErrNotFound.
type CaseSource interface {
	Summary(ctx context.Context, caseID string) (CaseSummary, error)
}

// CaseSummary holds the codes of a case that routing needs. Never a name.
type CaseSummary struct {
	ID             string
	OwnerOrg       string
	Route          string // nrm, assistance, anonymous
	Region         string
	Gender         string
	AgeGroup       string
	TreatedAsChild bool
	Needs          []string
	Languages      []string
	Dependants     int
}

// Grants lets providers read the sections of a case (grants.Intake).
type (
	Grants       = grants.Intake
	GrantRequest = grants.Request
	Grant        = grants.Grant
	// GrantOfReferral names a candidate's grant whole, as RevokeReferralGrant takes it.
	GrantOfReferral = grants.Candidate
)

// Orgs is the organisation directory (identity).
type Orgs interface {
	Org(ctx context.Context, id string) (OrgInfo, error)
}

// OrgInfo is what referral needs of an organisation.
type OrgInfo struct {
	ID     string
	Kind   string
	Region string
}

// ServiceTypes are the needs and service types a provider can offer;
// Urgencies, most urgent first (package routing).
var (
	ServiceTypes = routing.ServiceTypes
	Urgencies    = routing.Urgencies
)

// DeclineReasons are the codes a provider gives when declining.
var DeclineReasons = []string{
	"no_capacity", "outside_mandate", "outside_area", "client_refused", "unable_to_contact_client", "other",
}

// DeclineNotes are the codes that may detail a decline. A note is a code,
// never free text: referral holds no organisation keys to seal text with,
// and anything about the person belongs in the case record (intake).
var DeclineNotes = []string{
	"group_too_large", "dependants_not_accepted", "gender_not_accepted", "age_not_accepted",
	"language_not_covered", "medical_needs_not_covered", "mental_health_needs_not_covered",
	"security_risk", "conflict_of_interest", "already_supported_elsewhere", "duplicate_referral",
}

// DeclineInput is a provider's answer when declining an offer.
type DeclineInput struct {
	Reason string `json:"reason"`
	Note   string `json:"note,omitempty"` // one of DeclineNotes
}

// Referral statuses.
const (
	StatusPending    = "pending"
	StatusAccepted   = "accepted"
	StatusArrived    = "arrived"
	StatusCompleted  = "completed"
	StatusLeft       = "left"
	StatusWithdrawn  = "withdrawn"
	StatusNoProvider = "no_provider"
	StatusDisclosed  = "disclosed" // an external referral, recorded as a disclosure
	// StatusAwaitingApproval is an external referral to another country
	// waiting for a second person of the sending organisation.
	StatusAwaitingApproval = "awaiting_approval"
)

// Offer statuses of a candidate.
const (
	OfferQueued    = "queued"
	OfferOffered   = "offered"
	OfferAccepted  = "accepted"
	OfferDeclined  = "declined"
	OfferExpired   = "expired"
	OfferWithdrawn = "withdrawn"
)

// Referral kinds.
const (
	KindInternal = "internal"
	KindExternal = "external"
)

// NewReferral asks for a referral of a case.
type NewReferral struct {
	CaseID     string   `json:"case_id"`
	Service    string   `json:"service"`
	Urgency    string   `json:"urgency"`
	Candidates []string `json:"candidates,omitempty"` // explicit org ids, in order
	FanOut     int      `json:"fan_out,omitempty"`
	// External referrals: outside the system or across borders.
	Kind        string `json:"kind,omitempty"`
	LegalBasis  string `json:"legal_basis,omitempty"`
	Destination string `json:"destination,omitempty"`
	// Recipient is the external organisation's age public key ("age1…"),
	// X25519 or post-quantum hybrid: the package is encrypted to it alone.
	Recipient string `json:"recipient,omitempty"`
	// RecipientKind is the kind of the receiving organisation, from the
	// workflow policy's disclosure recipient kinds; by default the
	// destination when it is a kind, foreign_authority for a country. A
	// legal basis of consent needs the person's data-sharing consent to
	// cover it.
	RecipientKind string `json:"recipient_kind,omitempty"`
}

// Referral is a referral as its caller may see it. Candidates that have not
// accepted see the de-identified summary only: no case id, no other
// candidates.
type Referral struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind"`
	Status      string     `json:"status"`
	Service     string     `json:"service"`
	Urgency     string     `json:"urgency"`
	Region      string     `json:"region"`
	Gender      string     `json:"gender"`
	AgeGroup    string     `json:"age_group"`
	Languages   []string   `json:"languages"`
	GroupSize   int        `json:"group_size"`
	Deadline    *time.Time `json:"deadline,omitempty"`
	SecondsLeft *int64     `json:"seconds_left,omitempty"`
	OfferStatus string     `json:"offer_status,omitempty"` // the caller's own offer, for candidates
	// GrantState and GrantReason are the caller's own grant to read the
	// case, for candidates: revoked, with why, once intake revoked it.
	GrantState  string   `json:"grant_state,omitempty"`
	GrantReason string   `json:"grant_reason,omitempty"`
	CaseID      string   `json:"case_id,omitempty"`
	SenderOrg   string   `json:"sender_org,omitempty"`
	AcceptedOrg string   `json:"accepted_org,omitempty"`
	Sections    []string `json:"sections,omitempty"`
	FanOut      int      `json:"fan_out,omitempty"`
	LegalBasis  string   `json:"legal_basis,omitempty"`
	Destination string   `json:"destination,omitempty"`
	PackageID   string   `json:"package_id,omitempty"`
	// RecipientFingerprint is the hex SHA-256 of the recipient's public key.
	RecipientFingerprint string `json:"recipient_fingerprint,omitempty"`
	RecipientKind        string `json:"recipient_kind,omitempty"`
	// ApprovedBy is the second person who approved a cross-border
	// referral; DisclosureID the disclosure recorded in the case.
	ApprovedBy   string      `json:"approved_by,omitempty"`
	DisclosureID string      `json:"disclosure_id,omitempty"`
	Candidates   []Candidate `json:"candidates,omitempty"`
	CreatedAt    time.Time   `json:"created_at"`
	UpdatedAt    time.Time   `json:"updated_at"`
}

// RouteQuery previews the ranking for a case.
type RouteQuery struct {
	CaseID  string `json:"case_id"`
	Service string `json:"service"`
	Urgency string `json:"urgency"`
}

// Board is the coordinators' view: what is unsolved, what expires soon, and
// the unmet needs by region and service.
type Board struct {
	NoProvider   []Referral `json:"no_provider"`
	ExpiringSoon []Referral `json:"expiring_soon"`
	// Emergencies are the emergency referrals in progress: still looking
	// for a provider, or accepted and awaiting the person's arrival.
	Emergencies []Referral  `json:"emergencies"`
	UnmetNeeds  []UnmetNeed `json:"unmet_needs"`
	Generated   time.Time   `json:"generated_at"`
}

// UnmetNeed counts referrals that found no provider.
type UnmetNeed struct {
	Region  string `json:"region"`
	Service string `json:"service"`
	Count   int    `json:"count"`
}

// Notification is an in-app notice to a provider organisation.
type Notification struct {
	Seq        int64     `json:"seq"`
	ReferralID string    `json:"referral_id"`
	Event      string    `json:"event"`
	CreatedAt  time.Time `json:"created_at"`
}

// Stable error codes of this service.
const (
	CodeInvalidTransition = "invalid_transition"
	CodeNoCapacity        = "no_capacity"
	CodeConsentRequired   = grants.CodeConsentRequired
	CodeNoCandidate       = "no_candidate"
	CodeAnonymous         = "anonymous_case"
)

// Errors. Referrals the caller may not see are ErrNotFound, never 403.
var (
	ErrNotFound    = kit.ErrNotFound
	ErrForbidden   = kit.ErrForbidden
	ErrUnavailable = kit.ErrUnavailable
	ErrNoCapacity  = kit.NewError(http.StatusConflict, CodeNoCapacity, "the provider has no room for the whole group")
	ErrNoCandidate = kit.NewError(http.StatusConflict, CodeNoCandidate, "no provider matches this referral")
	ErrAnonymous   = kit.NewError(http.StatusConflict, CodeAnonymous, "anonymous notifications are never referred")
	// ErrConsentRequired: the person's consent does not cover the
	// referral (the same code intake answers).
	ErrConsentRequired = grants.ErrConsentRequired
)

// transitionError names the actions allowed in the referral's status.
func transitionError(status string) error {
	allowed := allowedActions[status]
	msg := fmt.Sprintf("the referral is %s; allowed: none", status)
	if len(allowed) > 0 {
		msg = fmt.Sprintf("the referral is %s; allowed: %s", status, joinCodes(allowed))
	}
	return kit.NewError(http.StatusConflict, CodeInvalidTransition, msg)
}

var allowedActions = map[string][]string{
	StatusPending:          {"accept", "decline", "withdraw"},
	StatusAccepted:         {"arrived", "withdraw"},
	StatusArrived:          {"complete", "left", "withdraw"},
	StatusAwaitingApproval: {"approve", "withdraw"},
}

// Config holds the dependencies of the service.
type Config struct {
	DB     *db.DB
	Keys   *keys.Dir
	Cases  CaseSource
	Grants Grants
	Orgs   Orgs
	// Disclosures records an external referral in the case's disclosures
	// and builds its package (intake, as the caller, which checks the
	// caller's relation to the case and, for a consent basis, the
	// consent); nil refuses external referrals as unavailable.
	Disclosures Disclosures
	// Disclosure holds the workflow policy's recipient kinds and legal
	// bases; empty: the routing policy's legal bases, kinds unchecked here.
	Disclosure DisclosurePolicy
	Routing    *Routing // nil: the embedded default
	Logger     log.Logger
	Now        func() time.Time
	// HTTPClient sends webhooks; nil uses a client with a 10 s timeout.
	// Redirects are never followed, whatever the client says.
	HTTPClient *http.Client
	// WakeRelay, when set, is called once a change has put grant
	// revocations in the outbox, so that the relay delivers them to
	// intake at once rather than at its next poll.
	WakeRelay func()
	// IdempotencyTTL is how long an Idempotency-Key names the outcome of
	// its request (default idempotency.DefaultTTL, 24 hours).
	IdempotencyTTL time.Duration
	// Directory, shared by the process's referral services and run
	// beside them, drops their directory snapshots when any replica
	// changes the directory; nil: a snapshot follows its own writes and
	// lives two seconds.
	Directory *directory.Changes
}

type service struct {
	db      *db.DB
	store   *store
	cases   CaseSource
	orgs    Orgs
	desk    *external.Desk
	keeper  *grants.Keeper
	routing Routing
	logger  log.Logger
	now     func() time.Time
	rec     event.Recorder
	ob      *outbox.Outbox
	pseudo  []byte
	hookKey []byte
	hooks   *webhooks.Sender
	// idem records the outcomes of keyed requests (idempotent.go).
	idem *idempotency.Store
	// wake hurries the relay after a revocation (Config.WakeRelay).
	wake func()
}

// New returns the referral service.
func New(cfg Config) (Service, error) {
	s, err := newService(cfg)
	if err != nil {
		return nil, err
	}
	return idempotent{Service: s, s: s}, nil
}

func newService(cfg Config) (*service, error) {
	if cfg.DB == nil || cfg.Keys == nil || cfg.Cases == nil || cfg.Grants == nil || cfg.Orgs == nil {
		return nil, fmt.Errorf("referral: DB, Keys, Cases, Grants and Orgs are required")
	}
	r := cfg.Routing
	if r == nil {
		def, err := ParseRouting(defaultRouting)
		if err != nil {
			return nil, err
		}
		r = &def
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	utc := func() time.Time { return now().UTC().Truncate(time.Microsecond) }
	logger := cfg.Logger
	if logger == nil {
		logger = log.NewNopLogger()
	}
	hookKey := cfg.Keys.Subkey(keys.PurposeWebhook)
	ob := outbox.New("referral")
	ob.Now = utc
	dir := directory.NewStore(cfg.DB, 2*time.Second)
	if cfg.Directory != nil {
		dir.Share(cfg.Directory)
	}
	s := &service{
		db: cfg.DB, store: &store{db: cfg.DB, Store: dir}, cases: cfg.Cases, orgs: cfg.Orgs,
		routing: *r, logger: logger, now: utc, ob: ob,
		rec:    event.Recorder{ClientKey: cfg.Keys.Subkey(keys.PurposeClientAddress), Now: utc},
		pseudo: cfg.Keys.Subkey(keys.PurposePseudonym), hookKey: hookKey,
		hooks: webhooks.NewSender(cfg.DB, hookKey, cfg.HTTPClient),
		idem:  idempotency.New(cfg.DB, cfg.Keys.Subkey(keys.PurposeIdempotency), idempotency.Config{TTL: cfg.IdempotencyTTL, Now: utc}),
	}
	s.wake = cfg.WakeRelay
	if s.wake == nil {
		s.wake = func() {}
	}
	s.keeper = &grants.Keeper{DB: cfg.DB, Intake: cfg.Grants, Logger: logger, AsService: serviceContext}
	s.desk = &external.Desk{DB: cfg.DB, Disclosures: cfg.Disclosures, Deny: s.deny,
		Rules: external.Rules{Policy: cfg.Disclosure, RoutingLegalBases: r.LegalBases, Country: r.Country},
		OrgKind: func(ctx context.Context, id string) (string, error) {
			o, err := cfg.Orgs.Org(ctx, id)
			return o.Kind, err
		}}
	return s, nil
}

// CodeEmergencyReasonRequired refuses a coordinator's withdrawal of
// another organisation's referral without a coded emergency reason.
const CodeEmergencyReasonRequired = "emergency_reason_required"
