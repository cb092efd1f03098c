package auth

import (
	"context"
	"slices"

	"github.com/nrm-project/nrm/pkg/kit"
)

// Roles from DESIGN.md.
const (
	RoleFrontlineOfficer  = "frontline_officer"
	RoleNGOCaseworker     = "ngo_caseworker"
	RoleCoordinator       = "coordinator"
	RoleDecisionMaker     = "decision_maker"
	RoleGuardian          = "guardian"
	RoleCommissionAnalyst = "commission_analyst"
	RoleAuditor           = "auditor"
	RoleOrgAdmin          = "org_admin"
	RoleSystemAdmin       = "system_admin"
)

// AllRoles lists every role, in a stable order.
var AllRoles = []string{
	RoleFrontlineOfficer, RoleNGOCaseworker, RoleCoordinator, RoleDecisionMaker,
	RoleGuardian, RoleCommissionAnalyst, RoleAuditor, RoleOrgAdmin, RoleSystemAdmin,
}

// ValidRole reports whether r is a known role.
func ValidRole(r string) bool { return slices.Contains(AllRoles, r) }

// Principal is the authenticated caller: always the original user, also
// across service hops.
type Principal struct {
	UserID    string   `json:"user_id"`
	OrgID     string   `json:"org_id"`
	Roles     []string `json:"roles"`
	SessionID string   `json:"session_id"`
	// Token is the bearer token the principal came with, forwarded on
	// service-to-service calls so the callee decides on the same identity.
	Token string `json:"-"`
}

// HasRole reports whether p holds role r.
func (p Principal) HasRole(r string) bool { return slices.Contains(p.Roles, r) }

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal in ctx.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok && p.UserID != ""
}

// Required returns the principal in ctx, or kit.ErrUnauthenticated when
// there is none: the first line of every service method that acts for
// someone.
func Required(ctx context.Context) (Principal, error) {
	p, ok := FromContext(ctx)
	if !ok {
		return p, kit.ErrUnauthenticated
	}
	return p, nil
}

// RoleService marks a background job of a service acting on its own
// account (a sweeper expiring referrals), never a person.
const RoleService = "service"

// ServicePrincipal returns the principal of a background job of the named
// service; audit events record it as "svc:<name>".
func ServicePrincipal(name string) Principal {
	return Principal{UserID: "svc:" + name, Roles: []string{RoleService}}
}

// IsService reports whether p is a background job rather than a person.
func (p Principal) IsService() bool { return p.HasRole(RoleService) }
