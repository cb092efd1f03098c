package identity

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/identity/guard"
)

// Service manages organisations, users, credentials and sessions.
type Service interface {
	CreateOrg(ctx context.Context, o NewOrg) (Org, error)
	ListOrgs(ctx context.Context) ([]Org, error)
	// CreateUser returns the user and the otpauth:// URI of their TOTP secret.
	CreateUser(ctx context.Context, u NewUser) (User, string, error)
	ListUsers(ctx context.Context, orgID string) ([]User, error)
	DisableUser(ctx context.Context, id string) error
	Login(ctx context.Context, r LoginRequest) (Tokens, error)
	Refresh(ctx context.Context, refreshToken string) (Tokens, error)
	Logout(ctx context.Context) error
	Me(ctx context.Context) (Me, error)
	PublicKeys(ctx context.Context) ([]PublicKey, error)
	RevokedSessions(ctx context.Context, since int64) ([]string, int64, error)

	// Accounts (accounts.go, accounts_admin.go).

	// BeginEnrolment checks r like a login (same throttling, same answer
	// for unknown accounts) and, while the user's second factor is not yet
	// confirmed (a new user, or after an admin reset), returns the pending
	// TOTP secret; otherwise ErrAlreadyEnrolled. A login with a valid code
	// of the pending secret confirms it.
	BeginEnrolment(ctx context.Context, r EnrolmentRequest) (Enrolment, error)
	// ChangePassword changes the caller's password, given the current one
	// and a current code; the caller's other sessions end.
	ChangePassword(ctx context.Context, r PasswordChange) error
	// StartTOTPReenrolment, given a current code, offers a new TOTP secret;
	// the old one stays valid until ConfirmTOTP.
	StartTOTPReenrolment(ctx context.Context, otp string) (Enrolment, error)
	// ConfirmTOTP replaces the caller's secret by the pending one, given a
	// code of the pending one.
	ConfirmTOTP(ctx context.Context, otp string) error
	// ListSessions lists the caller's own open sessions.
	ListSessions(ctx context.Context) ([]Session, error)
	// EndSession ends one of the caller's own sessions, everywhere.
	EndSession(ctx context.Context, id string) error
	// ResetSecondFactor (admin) replaces a user's TOTP secret by a pending
	// one the user enrols with BeginEnrolment (password and an enrolment
	// ticket), lifts a suspension, voids earlier tickets and ends the
	// user's sessions.
	ResetSecondFactor(ctx context.Context, userID string) error
	// IssueEnrolmentTicket (admin) returns a single-use ticket, for a user
	// whose second factor is pending, that BeginEnrolment needs besides the
	// password. An administrator who issued the user a password reset in
	// the last RecoverySeparation may not issue it (nor the reverse).
	IssueEnrolmentTicket(ctx context.Context, userID string) (EnrolmentTicket, error)
	// EnableUser (admin) re-enables a disabled user.
	EnableUser(ctx context.Context, userID string) error
	// IssuePasswordReset (admin) returns a one-time password-reset token.
	IssuePasswordReset(ctx context.Context, userID string) (PasswordReset, error)
	// ResetPassword sets a new password with a token of IssuePasswordReset.
	ResetPassword(ctx context.Context, r PasswordResetRequest) error
}

// OrgKinds lists the organisation kinds, in a stable order.
var OrgKinds = []string{
	"police", "labour_inspectorate", "border", "prosecution", "health",
	"social_services", "ngo", "international_org", "competent_authority", "commission",
	"oversight",
}

// DefaultRegions is the demo region list (Morocco's twelve regions); the
// configured list always accepts "abroad" too.
var DefaultRegions = []string{
	"MA-01", "MA-02", "MA-03", "MA-04", "MA-05", "MA-06",
	"MA-07", "MA-08", "MA-09", "MA-10", "MA-11", "MA-12",
}

// User statuses.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// NewOrg is a request to create an organisation.
type NewOrg struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Region string `json:"region,omitempty"`
}

// Org is an organisation.
type Org struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Region    string    `json:"region,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// NewUser is a request to create a user.
type NewUser struct {
	OrgID       string   `json:"org_id"`
	Email       string   `json:"email"`
	DisplayName string   `json:"display_name"`
	Roles       []string `json:"roles"`
	Password    string   `json:"password"`
}

// User is a user account, without its credentials.
type User struct {
	ID          string    `json:"id"`
	OrgID       string    `json:"org_id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	Roles       []string  `json:"roles"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	// CreatedBy is the administrator who created the user and so granted
	// its roles ("cli" for the command line).
	CreatedBy string `json:"created_by,omitempty"`
	// SecondFactor is the TOTP state: pending (not yet enrolled), active,
	// or suspended (too many wrong codes; an administrator resets it).
	SecondFactor string `json:"second_factor"`
	// Problems, in administrators' listings, says why the account cannot
	// be used: roles_do_not_fit_org_kind, integrity_check_failed.
	Problems []string `json:"problems,omitempty"`
}

// Second-factor states.
const (
	SecondFactorPending   = "pending"
	SecondFactorActive    = "active"
	SecondFactorSuspended = "suspended"
)

// Account problems listed by ListUsers and `nrm users check`.
const (
	ProblemRolesDoNotFit  = "roles_do_not_fit_org_kind"
	ProblemIntegrityCheck = "integrity_check_failed"
)

// LoginRequest carries the credentials of a login.
type LoginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	OTP      string `json:"otp"`
}

// Tokens are what a login or refresh returns.
type Tokens struct {
	AccessToken  string    `json:"access_token"`
	TokenType    string    `json:"token_type"`
	ExpiresAt    time.Time `json:"expires_at"`
	RefreshToken string    `json:"refresh_token"`
	SessionID    string    `json:"session_id"`
}

// Me describes the signed-in user.
type Me struct {
	UserID      string   `json:"user_id"`
	OrgID       string   `json:"org_id"`
	Roles       []string `json:"roles"`
	Email       string   `json:"email,omitempty"`
	DisplayName string   `json:"display_name,omitempty"`
}

// PublicKey is a token-verification key.
type PublicKey struct {
	KID string            `json:"kid"`
	Alg string            `json:"alg"`
	Key ed25519.PublicKey `json:"key"` // base64url in JSON, see MarshalJSON
}

// Stable error codes of this service (see kit for the shared ones).
const (
	CodeInvalidCredentials = "invalid_credentials"
	CodeEmailTaken         = "email_taken"
	// CodeRoleNotAllowed: a role the organisation's kind may not hold
	// (policies/roles.json).
	CodeRoleNotAllowed = "role_not_allowed"
	// CodePrivilegedRole: a role only a system administrator may grant.
	CodePrivilegedRole = "privileged_role"
	// CodeAccountRolesInvalid: the account's roles no longer fit its
	// organisation's kind; it cannot be used until corrected.
	CodeAccountRolesInvalid = "account_roles_invalid"
)

// Errors.
var (
	ErrInvalidCredentials  = kit.NewError(http.StatusUnauthorized, CodeInvalidCredentials, "invalid credentials")
	ErrEmailTaken          = kit.NewError(http.StatusConflict, CodeEmailTaken, "a user with this email already exists")
	ErrRoleNotAllowed      = kit.NewError(http.StatusForbidden, CodeRoleNotAllowed, "a role does not fit the organisation's kind")
	ErrPrivilegedRole      = kit.NewError(http.StatusForbidden, CodePrivilegedRole, "only a system administrator may grant this role")
	ErrAccountRolesInvalid = kit.NewError(http.StatusForbidden, CodeAccountRolesInvalid,
		"this account's roles do not fit its organisation's kind; a system administrator must correct it (nrm users check)")
	ErrNotFound        = kit.ErrNotFound
	ErrForbidden       = kit.ErrForbidden
	ErrUnauthenticated = kit.ErrUnauthenticated
	ErrUnavailable     = kit.ErrUnavailable
	ErrRateLimited     = kit.ErrRateLimited
)

// Config holds the dependencies of the service.
type Config struct {
	DB         *db.DB
	Keys       *keys.Dir
	Logger     log.Logger
	Audience   string // default "nrm"
	Issuer     string // default "nrm-identity"
	Now        func() time.Time
	Regions    []string // default DefaultRegions; "abroad" is always accepted
	Registerer prometheus.Registerer
	// Argon2 overrides the password-hashing parameters (zero: DefaultArgon2).
	Argon2 Argon2Params
	// Roles binds roles to organisation kinds (nil: the embedded
	// policies/roles.json). Read it once with LoadRolePolicy.
	Roles *RolePolicy
}

// Session and token lifetimes.
const (
	AccessTokenTTL = auth.AccessTokenTTL
	SessionTTL     = 12 * time.Hour
)

const signingKeyFile = "token-signing.key"

// purposePasswordResets keys the HMAC under which password-reset tokens
// are stored.
const purposePasswordResets keys.Purpose = "identity/password-resets/v1"

type service struct {
	store     *store
	log       log.Logger
	now       func() time.Time
	audience  string
	issuer    string
	regions   map[string]bool
	rec       event.Recorder
	outbox    *outbox.Outbox
	hasher    *guard.Hasher
	throttle  *guard.Throttle
	signer    *signer
	macKey    []byte
	totpKey   []byte
	refreshKy []byte
	resetKey  []byte
	roles     *RolePolicy
	metrics   *serviceMetrics
}

// New returns the identity service.
func New(cfg Config) (Service, error) {
	s, err := newService(cfg)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func newService(cfg Config) (*service, error) {
	if cfg.DB == nil || cfg.Keys == nil {
		return nil, errors.New("identity: DB and Keys are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Audience == "" {
		cfg.Audience = "nrm"
	}
	if cfg.Issuer == "" {
		cfg.Issuer = "nrm-identity"
	}
	if len(cfg.Regions) == 0 {
		cfg.Regions = DefaultRegions
	}
	priv, err := cfg.Keys.Ed25519(signingKeyFile)
	if err != nil {
		return nil, fmt.Errorf("identity: signing key: %w", err)
	}
	m, err := newServiceMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("identity: metrics: %w", err)
	}
	if cfg.Roles == nil {
		if cfg.Roles, err = LoadRolePolicy(""); err != nil {
			return nil, err
		}
	}
	regions := map[string]bool{"abroad": true}
	for _, r := range cfg.Regions {
		regions[r] = true
	}
	th := guard.NewThrottle(guard.DefaultThrottleCapacity, cfg.Now)
	h, err := guard.NewHasher(cfg.Argon2, 0, guard.Order{Priority: th.AddressFailures, Clean: th.AddressClean, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	ob := outbox.New("identity")
	ob.Now = cfg.Now
	return &service{
		store:     &store{db: cfg.DB},
		log:       cfg.Logger,
		now:       func() time.Time { return cfg.Now().UTC().Truncate(time.Microsecond) },
		audience:  cfg.Audience,
		issuer:    cfg.Issuer,
		regions:   regions,
		rec:       event.Recorder{ClientKey: cfg.Keys.Subkey(keys.PurposeClientAddress), Now: cfg.Now},
		outbox:    ob,
		hasher:    h,
		throttle:  th,
		signer:    newSigner(priv, cfg.Issuer, cfg.Audience),
		macKey:    cfg.Keys.Subkey(keys.PurposeUserMAC),
		totpKey:   cfg.Keys.Subkey(keys.PurposeTOTPSecrets),
		refreshKy: cfg.Keys.Subkey(keys.PurposeRefreshTokens),
		resetKey:  cfg.Keys.Subkey(purposePasswordResets),
		roles:     cfg.Roles,
		metrics:   m,
	}, nil
}
