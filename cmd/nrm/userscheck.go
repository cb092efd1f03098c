package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/nrm-project/nrm/pkg/auth"
)

// cmdUsersCheck lists the users who cannot sign in because their roles
// do not fit their organisation's kind (policies/roles.json; after an
// upgrade that introduced or tightened the table) or their row fails its
// integrity check. It returns the exit code: 0 none, 1 some, 2 usage.
func cmdUsersCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("users check", stderr)
	var st storage
	st.register(fs)
	policiesDir := fs.String("policies", "", "directory whose roles.json overrides the embedded policies/roles.json")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "nrm: %v\n", err)
		return 2
	}
	svc, closeFn, err := openIdentity(ctx, st, *policiesDir, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "nrm: %v\n", err)
		return 1
	}
	defer closeFn()
	ctx = auth.WithPrincipal(ctx, auth.System())
	orgs, err := svc.ListOrgs(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "nrm: %v\n", err)
		return 1
	}
	kinds := map[string]string{}
	for _, o := range orgs {
		kinds[o.ID] = o.Kind
	}
	users, err := svc.ListUsers(ctx, "")
	if err != nil {
		fmt.Fprintf(stderr, "nrm: %v\n", err)
		return 1
	}
	n := 0
	for _, u := range users {
		if len(u.Problems) == 0 {
			continue
		}
		n++
		fmt.Fprintf(stdout, "%s  %s  org %s (%s)  roles %s  status %s  problems %s\n",
			u.ID, u.Email, u.OrgID, kinds[u.OrgID], strings.Join(u.Roles, ","), u.Status, strings.Join(u.Problems, ","))
	}
	if n == 0 {
		fmt.Fprintf(stdout, "all %d users can sign in\n", len(users))
		return 0
	}
	fmt.Fprintf(stdout, "%d of %d users cannot sign in until a system administrator disables them and creates "+
		"accounts that fit (see docs/roles.md)\n", n, len(users))
	return 1
}
