package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/services/identity"
)

// openIdentity opens the identity service for a command-line action,
// migrating the embedded default first (PostgreSQL needs `nrm migrate`).
// policiesDir overrides the embedded policies/ (roles.json), as serve's
// --policies does.
func openIdentity(ctx context.Context, st storage, policiesDir string, stderr io.Writer) (identity.Service, func(), error) {
	roles, err := identity.LoadRolePolicy(policiesDir)
	if err != nil {
		return nil, nil, err
	}
	kd, cfg, err := st.open(stderr)
	if err != nil {
		return nil, nil, err
	}
	if cfg.Engine() == db.SQLite {
		if err := db.Migrate(ctx, cfg, allServices...); err != nil {
			return nil, nil, err
		}
	}
	d, err := openCurrent(ctx, cfg, "identity")
	if err != nil {
		return nil, nil, err
	}
	svc, err := identity.New(identity.Config{DB: d, Keys: kd, Logger: log.NewNopLogger(), Roles: roles, Argon2: passwordHashing})
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return svc, func() { d.Close() }, nil
}

// openCurrent opens a service's database for a command, refusing one
// whose schema is behind this binary.
func openCurrent(ctx context.Context, cfg db.Config, name string) (*db.DB, error) {
	d, err := db.Open(ctx, cfg, name)
	if err != nil {
		return nil, err
	}
	if ok, err := d.SchemaCurrent(ctx); err != nil || !ok {
		d.Close()
		return nil, fmt.Errorf("the %s schema is not current: run `nrm migrate` first", name)
	}
	return d, nil
}

func cmdOrgsAdd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("orgs add", stderr)
	var st storage
	st.register(fs)
	var o identity.NewOrg
	fs.StringVar(&o.Name, "name", "", "organisation name (required)")
	fs.StringVar(&o.Kind, "kind", "", "organisation kind: "+strings.Join(identity.OrgKinds, ", "))
	fs.StringVar(&o.Region, "region", "", "region code, or abroad")
	if err := parseFlags(fs, args); err != nil {
		return usageError{err.Error()}
	}
	if o.Name == "" || o.Kind == "" {
		return usageError{"--name and --kind are required"}
	}
	svc, closeFn, err := openIdentity(ctx, st, "", stderr)
	if err != nil {
		return err
	}
	defer closeFn()
	org, err := svc.CreateOrg(auth.WithPrincipal(ctx, auth.System()), o)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, org.ID)
	return nil
}

func cmdUsersAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("users add", stderr)
	var st storage
	st.register(fs)
	var u identity.NewUser
	var roles listFlag
	fs.StringVar(&u.OrgID, "org", "", "organisation id (required)")
	fs.StringVar(&u.Email, "email", "", "email address (required)")
	fs.StringVar(&u.DisplayName, "name", "", "display name")
	fs.Var(&roles, "role", "role (repeatable): "+strings.Join(auth.AllRoles, ", "))
	policiesDir := fs.String("policies", "", "directory whose roles.json overrides the embedded policies/roles.json")
	if err := parseFlags(fs, args); err != nil {
		return usageError{err.Error()}
	}
	if u.OrgID == "" || u.Email == "" || len(roles) == 0 {
		return usageError{"--org, --email and at least one --role are required"}
	}
	u.Roles = roles
	if u.DisplayName == "" {
		u.DisplayName, _, _ = strings.Cut(u.Email, "@")
	}
	pw, err := readPassword(stdin)
	if err != nil {
		return err
	}
	u.Password = pw
	svc, closeFn, err := openIdentity(ctx, st, *policiesDir, stderr)
	if err != nil {
		return err
	}
	defer closeFn()
	user, uri, err := svc.CreateUser(auth.WithPrincipal(ctx, auth.System()), u)
	if err != nil {
		return err
	}
	// The enrolment page shows the secret to the holder of the password
	// and this ticket, handed to the user in person.
	tk, err := svc.IssueEnrolmentTicket(auth.WithPrincipal(ctx, auth.System()), user.ID)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, user.ID)
	fmt.Fprintln(stdout, uri)
	fmt.Fprintf(stdout, "ticket %s  until %s\n", tk.Ticket, tk.ExpiresAt.Format(time.RFC3339))
	return nil
}

// readPassword reads the first line of stdin (a password never travels as
// a flag, where other users of the machine could see it).
func readPassword(r io.Reader) (string, error) {
	if r == nil {
		return "", errors.New("password expected on standard input")
	}
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", errors.New("password expected on standard input")
	}
	return pw, nil
}
