package oversight

import (
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/web/page"
)

// Config holds the services the oversight pages call.
type Config struct {
	// The auditors' and administrators' pages (audit.go, admin.go) are
	// served only when their services are given. AuditVerifierKey checks
	// checkpoint signatures; Witnesses are the directories the log's
	// checkpoints are copied to, compared with the latest.
	Audit            AuditLog
	EmergencyAccess  EmergencyAccess
	Accounts         Accounts
	Directory        Directory
	KeyRings         KeyRings
	Roles            *identity.RolePolicy
	AuditVerifierKey string
	Witnesses        []string
	// Desk serves the national referral desk.
	Desk Desk
	// Stats serves the commission analysts' pages; nil shows them as
	// unavailable.
	Stats Stats
}

// Pages are the oversight pages on a site.
type Pages struct {
	*page.Site
	cfg Config
}

// Register adds the routes of the auditors, administrators, the
// national referral desk and the commission to site.
func Register(site *page.Site, cfg Config) {
	h := &Pages{Site: site, cfg: cfg}
	h.auditRoutes()
	h.adminRoutes()
	h.commissionRoutes()
}
