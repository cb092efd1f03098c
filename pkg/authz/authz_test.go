package authz

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	stringadapter "github.com/casbin/casbin/v2/persist/string-adapter"

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

// The decision cache must not change an answer: every role against every
// object and action the policy names (and one it does not), asked twice,
// answers as the matcher does without a cache.
func TestCachedDecisionsMatchTheMatcher(t *testing.T) {
	e, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	modelText, _ := readPolicyFile("", "model.conf")
	policyText, _ := readPolicyFile("", "policy.csv")
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := casbin.NewEnforcer(m, stringadapter.NewAdapter(policyText))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := plain.GetPolicy()
	if err != nil {
		t.Fatal(err)
	}
	pairs := [][2]string{{"identity.orgs", "delete"}}
	for _, r := range rules {
		pairs = append(pairs, [2]string{r[1], r[2]})
	}
	allowed := 0
	for _, role := range append(slices.Clone(auth.AllRoles), auth.RoleService, "no_such_role") {
		for _, oa := range pairs {
			want, err := plain.Enforce(role, oa[0], oa[1])
			if err != nil {
				t.Fatal(err)
			}
			p := auth.Principal{UserID: "u", Roles: []string{role}}
			for range 2 {
				if got := e.Allowed(p, oa[0], oa[1]); got != want {
					t.Fatalf("%s %s %s: cached answer %v, matcher %v", role, oa[0], oa[1], got, want)
				}
			}
			if want {
				allowed++
			}
		}
	}
	if allowed == 0 || allowed == len(pairs)*(len(auth.AllRoles)+2) {
		t.Fatalf("%d of the decisions allowed: the table does not exercise both answers", allowed)
	}
}

func BenchmarkAllowed(b *testing.B) {
	e, err := Load("")
	if err != nil {
		b.Fatal(err)
	}
	p := auth.Principal{UserID: "u", Roles: []string{auth.RoleNGOCaseworker, auth.RoleFrontlineOfficer}}
	for b.Loop() {
		if !e.Allowed(p, "intake.cases", "read") {
			b.Fatal("denied")
		}
	}
}
