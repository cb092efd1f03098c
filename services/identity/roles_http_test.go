package identity_test

import (
	"context"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/identity/identitytest"
)

// TestOrgAdminCannotMintPrivilegedRoles replays the attack of issue 18: an
// organisation admin creating, in its own organisation, a user with a role
// only a system administrator may grant. Every attempt is refused with 403,
// audited, and writes no user.
func TestOrgAdminCannotMintPrivilegedRoles(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		srv, _ := server(t, env)
		// Each admin sits in an organisation whose kind may hold the role,
		// so only the granting rule can refuse it.
		for i, tc := range []struct{ role, kind string }{
			{auth.RoleCoordinator, "competent_authority"},
			{auth.RoleDecisionMaker, "competent_authority"},
			{auth.RoleAuditor, "commission"},
			{auth.RoleCommissionAnalyst, "commission"},
			{auth.RoleOrgAdmin, "police"},
		} {
			t.Run(tc.role, func(t *testing.T) {
				org := env.Org(t, "Org "+tc.role, tc.kind)
				admin := env.User(t, org.ID, "admin-"+tc.role+"@example.org", auth.RoleOrgAdmin)
				tok := env.Login(t, admin).AccessToken
				users := count(t, env, "users")
				got := call(t, srv, tok, "POST", "/api/v1/users", map[string]any{
					"org_id": org.ID, "email": "minted" + string(rune('a'+i)) + "@example.org", "display_name": "Minted",
					"roles": []string{tc.role}, "password": identitytest.Password,
				})
				if got.status != 403 || got.code != identity.CodePrivilegedRole {
					t.Fatalf("org_admin granting %s: status %d code %q, want 403 %s", tc.role, got.status, got.code, identity.CodePrivilegedRole)
				}
				if count(t, env, "users") != users {
					t.Fatal("a refused grant wrote a user")
				}
				if !hasDenial(auditEvents(t, env), "identity.user.create", admin.ID) {
					t.Fatal("the refused grant is not audited")
				}
			})
		}
	})
}

func hasDenial(events []event.Audit, action, actor string) bool {
	for _, e := range events {
		if e.Action == action && e.Outcome == event.Denied && e.ActorUser == actor {
			return true
		}
	}
	return false
}

// TestRolesBoundToOrgKinds: a user whose roles do not fit the kind of their
// organisation cannot be created, not even by a system administrator.
func TestRolesBoundToOrgKinds(t *testing.T) {
	t.Parallel()
	env := identitytest.New(t, dbtest.SQLite(t))
	srv, _ := server(t, env)
	sysOrg := env.Org(t, "Commission", "commission")
	sys := env.User(t, sysOrg.ID, "sys@example.org", auth.RoleSystemAdmin)
	tok := env.Login(t, sys).AccessToken
	orgs := map[string]identity.Org{}
	for _, k := range identity.OrgKinds {
		orgs[k] = env.Org(t, "Org "+k, k)
	}
	tests := []struct {
		role, kind string
		fits       bool
	}{
		{auth.RoleDecisionMaker, "competent_authority", true},
		{auth.RoleDecisionMaker, "police", false},
		{auth.RoleDecisionMaker, "ngo", false},
		{auth.RoleDecisionMaker, "commission", false},
		{auth.RoleCommissionAnalyst, "commission", true},
		{auth.RoleCommissionAnalyst, "competent_authority", false},
		{auth.RoleAuditor, "commission", true},
		{auth.RoleAuditor, "oversight", true},
		{auth.RoleAuditor, "police", false},
		{auth.RoleAuditor, "ngo", false},
		{auth.RoleCoordinator, "competent_authority", true},
		{auth.RoleCoordinator, "commission", true},
		{auth.RoleCoordinator, "police", false},
		{auth.RoleCoordinator, "ngo", false},
		{auth.RoleNGOCaseworker, "ngo", true},
		{auth.RoleNGOCaseworker, "international_org", true},
		{auth.RoleNGOCaseworker, "health", true},
		{auth.RoleNGOCaseworker, "social_services", true},
		{auth.RoleNGOCaseworker, "police", false},
		{auth.RoleNGOCaseworker, "competent_authority", false},
		{auth.RoleGuardian, "social_services", true},
		{auth.RoleGuardian, "police", false},
		{auth.RoleFrontlineOfficer, "police", true},
		{auth.RoleFrontlineOfficer, "labour_inspectorate", true},
		{auth.RoleFrontlineOfficer, "border", true},
		{auth.RoleFrontlineOfficer, "competent_authority", false},
		{auth.RoleFrontlineOfficer, "commission", false},
		{auth.RoleFrontlineOfficer, "oversight", false},
		{auth.RoleOrgAdmin, "oversight", true},
		{auth.RoleSystemAdmin, "ngo", false},
	}
	for i, tc := range tests {
		t.Run(tc.role+" in "+tc.kind, func(t *testing.T) {
			users := count(t, env, "users")
			got := call(t, srv, tok, "POST", "/api/v1/users", map[string]any{
				"org_id": orgs[tc.kind].ID, "email": "u" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.org",
				"display_name": "U", "roles": []string{tc.role}, "password": identitytest.Password,
			})
			if tc.fits {
				if got.status != 201 {
					t.Fatalf("status %d (%s), want 201", got.status, got.code)
				}
				return
			}
			if got.status != 403 || got.code != identity.CodeRoleNotAllowed {
				t.Fatalf("status %d code %q, want 403 %s", got.status, got.code, identity.CodeRoleNotAllowed)
			}
			if count(t, env, "users") != users {
				t.Fatal("a refused user was written")
			}
		})
	}
	if !hasDenial(auditEvents(t, env), "identity.user.create", sys.ID) {
		t.Fatal("refusals are not audited")
	}
}

// TestMisfitUserRefused: a user whose roles stopped fitting (a row planted
// in the database, or left over from before the rule) cannot sign in or
// refresh, and is flagged in the administrators' listing.
func TestMisfitUserRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		env := identitytest.New(t, e)
		srv, _ := server(t, env)
		authority := env.Org(t, "Authority", "competent_authority")
		dm := env.User(t, authority.ID, "dm@example.org", auth.RoleDecisionMaker)
		tok := env.Login(t, dm)
		// The organisation's kind is not covered by the user MAC: a
		// database writer turns a provider into a decision maker's home.
		if _, err := env.DB.ExecContext(context.Background(), `UPDATE orgs SET kind = 'ngo' WHERE id = $1`, authority.ID); err != nil {
			t.Fatal(err)
		}
		env.Clock.Advance(31 * time.Second)
		got := call(t, srv, "", "POST", "/api/v1/auth/login", map[string]any{"email": dm.Email, "password": dm.Password, "otp": env.Code(t, dm)})
		if got.status != 403 || got.code != identity.CodeAccountRolesInvalid {
			t.Fatalf("login of a misfit user: status %d code %q, want 403 %s", got.status, got.code, identity.CodeAccountRolesInvalid)
		}
		if got := call(t, srv, "", "POST", "/api/v1/auth/refresh", map[string]any{"refresh_token": tok.RefreshToken}); got.status == 200 {
			t.Fatal("refresh of a misfit user succeeded")
		}
		if !hasEvent(auditEvents(t, env), "identity.login", event.Denied, dm.ID) {
			t.Fatal("refused login not audited")
		}
		users, err := env.Service.ListUsers(identitytest.System(), authority.ID)
		if err != nil || len(users) != 1 || len(users[0].Problems) != 1 || users[0].Problems[0] != identity.ProblemRolesDoNotFit {
			t.Fatalf("the listing does not flag the misfit: %+v %v", users, err)
		}
	})
}
