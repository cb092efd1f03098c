package identity_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/identity/identitytest"
)

// The HTTP client is the Service: an administrator's account calls reach
// the server with the caller's token and come back as the service's
// answers and errors; an empty or path-like id never reaches another
// route.
func TestClientAdministersAccounts(t *testing.T) {
	e := dbtest.SQLite(t)
	env := identitytest.New(t, e)
	srv, _ := server(t, env)
	admin := env.User(t, env.Org(t, "Operator", "commission").ID, "admin@example.org", auth.RoleSystemAdmin)
	tok := env.Login(t, admin)
	ctx := auth.TokenToContext(context.Background(), &http.Request{Header: http.Header{"Authorization": {"Bearer " + tok.AccessToken}}})
	c, err := identity.NewClient(srv.URL, "", srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	org, err := c.CreateOrg(ctx, identity.NewOrg{Name: "Shelter", Kind: "ngo", Region: "MA-06"})
	if err != nil {
		t.Fatal(err)
	}
	u, uri, err := c.CreateUser(ctx, identity.NewUser{OrgID: org.ID, Email: "worker@example.org", DisplayName: "Caseworker", Password: "a long enough passphrase", Roles: []string{auth.RoleNGOCaseworker}})
	if err != nil || uri == "" {
		t.Fatalf("create user: %v (uri %q)", err, uri)
	}
	users, err := c.ListUsers(ctx, org.ID)
	if err != nil || len(users) != 1 || users[0].ID != u.ID {
		t.Fatalf("list users: %+v, %v", users, err)
	}
	if err := c.DisableUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.EnableUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.IssueEnrolmentTicket(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"", "..", "../../auth/logout"} {
		if err := c.DisableUser(ctx, id); !errors.Is(err, kit.ErrNotFound) {
			t.Errorf("disable %q: %v, want not found", id, err)
		}
	}
	if _, err := c.ListOrgs(context.Background()); !errors.Is(err, kit.ErrUnauthenticated) {
		t.Errorf("without a token: %v, want unauthenticated", err)
	}
}
