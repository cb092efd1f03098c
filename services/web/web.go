package web

import (
	"embed"
	"errors"
	"io/fs"
	"net/http"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/web/frontline"
	"github.com/nrm-project/nrm/services/web/oversight"
	"github.com/nrm-project/nrm/services/web/page"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// CSP is the Content-Security-Policy of every page.
const CSP = page.CSP

// The services the pages call (see the packages that use them).
type (
	Identity        = page.Identity
	Cases           = frontline.Cases
	Notices         = frontline.Notices
	Rights          = frontline.Rights
	Guardians       = frontline.Guardians
	AuditLog        = oversight.AuditLog
	EmergencyAccess = oversight.EmergencyAccess
	Accounts        = oversight.Accounts
	Directory       = oversight.Directory
	KeyRings        = oversight.KeyRings
	Stats           = oversight.Stats
)

// Referrals is what the pages need of referral: the front line's calls
// and the national desk's; referral.Service satisfies it.
type Referrals interface {
	frontline.Referrals
	oversight.Desk
}

// Config holds the dependencies of the pages.
type Config struct {
	Identity  Identity
	Cases     Cases
	Referrals Referrals
	// The auditors' and administrators' pages are served only when their
	// services are given. AuditVerifierKey checks checkpoint signatures;
	// Witnesses are the directories the log's checkpoints are copied to,
	// compared with the latest.
	Audit            AuditLog
	EmergencyAccess  EmergencyAccess
	Accounts         Accounts
	Directory        Directory
	KeyRings         KeyRings
	Roles            *identity.RolePolicy
	AuditVerifierKey string
	Witnesses        []string
	// Stats serves the commission analysts' pages; nil shows them as
	// unavailable.
	Stats Stats
	// Notices, Rights and Guardians serve the guardians' and the person's
	// rights pages; without them those pages answer not found.
	Notices   Notices
	Rights    Rights
	Guardians Guardians
	// SessionKey (32 bytes) encrypts the session cookie: a subkey of the
	// key directory (keys.PurposeWebSession).
	SessionKey []byte
	// IdleTimeout and AbsoluteTimeout end a session after so long without
	// a request and so long after sign-in (defaults 30 min and 12 h).
	IdleTimeout, AbsoluteTimeout time.Duration
	Logger                       log.Logger
	Now                          func() time.Time
}

// Handler serves the pages.
type Handler struct {
	*page.Site
	cfg Config
}

// New returns the pages' handler, to be mounted at "/".
func New(cfg Config) (*Handler, error) {
	if cfg.Identity == nil || cfg.Cases == nil || cfg.Referrals == nil {
		return nil, errors.New("web: identity, cases and referrals are required")
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	site, err := page.New(page.Config{
		Identity: cfg.Identity, SessionKey: cfg.SessionKey,
		IdleTimeout: cfg.IdleTimeout, AbsoluteTimeout: cfg.AbsoluteTimeout,
		Templates: templateFS, Static: static, Logger: cfg.Logger, Now: cfg.Now,
	})
	if err != nil {
		return nil, err
	}
	h := &Handler{Site: site, cfg: cfg}
	frontline.Register(site, frontline.Config{
		Cases: cfg.Cases, Referrals: cfg.Referrals, Notices: cfg.Notices, Rights: cfg.Rights, Guardians: cfg.Guardians,
	})
	oversight.Register(site, oversight.Config{
		Audit: cfg.Audit, EmergencyAccess: cfg.EmergencyAccess, Accounts: cfg.Accounts, Directory: cfg.Directory,
		KeyRings: cfg.KeyRings, Roles: cfg.Roles, AuditVerifierKey: cfg.AuditVerifierKey, Witnesses: cfg.Witnesses,
		Desk: cfg.Referrals, Stats: cfg.Stats,
	})
	m := site.Mux()
	m.HandleFunc("GET /{$}", h.Page(true, h.home))
	m.HandleFunc("/", h.Page(false, h.NotFound))
	return h, nil
}

// home sends each user to the page of their work.
func (h *Handler) home(q *page.Request) {
	switch {
	case q.S.HasRole(auth.RoleFrontlineOfficer):
		page.Redirect(q, "/cases")
	case q.S.HasRole(auth.RoleNGOCaseworker):
		page.Redirect(q, "/inbox")
	case q.S.HasRole(auth.RoleDecisionMaker):
		page.Redirect(q, "/decisions")
	case q.S.HasRole(auth.RoleAuditor) && h.cfg.Audit != nil:
		page.Redirect(q, "/audit")
	case (q.S.HasRole(auth.RoleOrgAdmin) || q.S.HasRole(auth.RoleSystemAdmin)) && h.cfg.Accounts != nil:
		page.Redirect(q, "/admin/users")
	case q.S.HasRole(auth.RoleCoordinator):
		page.Redirect(q, "/desk")
	case q.S.HasRole(auth.RoleCommissionAnalyst):
		page.Redirect(q, "/stats")
	case q.S.HasRole(auth.RoleGuardian):
		page.Redirect(q, "/children")
	default:
		h.Render(q, http.StatusOK, "home", &page.View{Title: "home.title"})
	}
}
