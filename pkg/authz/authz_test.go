package authz

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
)

type recorder struct {
	denials []string
	err     error
}

func (r *recorder) RecordDenial(_ context.Context, object, action, _ string) error {
	r.denials = append(r.denials, object+":"+action)
	return r.err
}

func TestMiddleware(t *testing.T) {
	e, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	ok := func(context.Context, any) (any, error) { return "done", nil }
	cases := []struct {
		name      string
		principal *auth.Principal
		recErr    error
		want      error
		denials   int
	}{
		{"anonymous", nil, nil, kit.ErrUnauthenticated, 0},
		{"allowed role", &auth.Principal{UserID: "u", Roles: []string{auth.RoleSystemAdmin}}, nil, nil, 0},
		{"one of several roles allows", &auth.Principal{UserID: "u", Roles: []string{auth.RoleAuditor, auth.RoleSystemAdmin}}, nil, nil, 0},
		{"role without the permission", &auth.Principal{UserID: "u", Roles: []string{auth.RoleFrontlineOfficer}}, nil, kit.ErrForbidden, 1},
		{"no roles at all", &auth.Principal{UserID: "u"}, nil, kit.ErrForbidden, 1},
		{"unknown role", &auth.Principal{UserID: "u", Roles: []string{"root"}}, nil, kit.ErrForbidden, 1},
		{"denial not recordable", &auth.Principal{UserID: "u", Roles: []string{auth.RoleGuardian}}, errors.New("disk full"), kit.ErrUnavailable, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{err: tc.recErr}
			ep := e.Middleware("identity.orgs", "create", rec)(ok)
			ctx := context.Background()
			if tc.principal != nil {
				ctx = auth.WithPrincipal(ctx, *tc.principal)
			}
			_, err := ep(ctx, nil)
			if !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if len(rec.denials) != tc.denials {
				t.Fatalf("recorded %d denials, want %d", len(rec.denials), tc.denials)
			}
		})
	}
}

func TestUnknownObjectOrActionIsDenied(t *testing.T) {
	e, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	admin := auth.Principal{UserID: "u", Roles: []string{auth.RoleSystemAdmin}}
	for _, oa := range [][2]string{{"identity.orgs", "delete"}, {"cases", "read"}, {"", ""}, {"identity.orgs", "*"}} {
		if e.Allowed(admin, oa[0], oa[1]) {
			t.Errorf("%s %s allowed without a policy line", oa[0], oa[1])
		}
	}
}

func TestPolicyFileOnDiskOverridesEmbedded(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "policy.csv"), []byte("p, guardian, identity.orgs, create\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Allowed(auth.Principal{UserID: "u", Roles: []string{auth.RoleGuardian}}, "identity.orgs", "create") {
		t.Fatal("policy from disk not used")
	}
	if e.Allowed(auth.Principal{UserID: "u", Roles: []string{auth.RoleSystemAdmin}}, "identity.orgs", "create") {
		t.Fatal("embedded policy still in force beside the override")
	}
}
