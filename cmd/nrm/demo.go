package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/services/identity"
)

// demoOrg is an organisation of the demo data set and its users.
type demoOrg struct {
	key   string
	org   identity.NewOrg
	users []demoUser
}

type demoUser struct {
	email string
	name  string
	roles []string
}

var demoOrgs = []demoOrg{
	{"police", identity.NewOrg{Name: "Demo: Brigade nationale de police judiciaire, Casablanca", Kind: "police", Region: "MA-06"}, []demoUser{
		{"officer@police.demo", "Demo frontline officer", []string{auth.RoleFrontlineOfficer}},
		{"admin@police.demo", "Demo organisation admin", []string{auth.RoleOrgAdmin}},
	}},
	{"labour", identity.NewOrg{Name: "Demo: Labour inspectorate, Souss-Massa", Kind: "labour_inspectorate", Region: "MA-09"}, []demoUser{
		{"inspector@labour.demo", "Demo labour inspector", []string{auth.RoleFrontlineOfficer}},
	}},
	{"ngo-shelter", identity.NewOrg{Name: "Demo: Women's shelter association", Kind: "ngo", Region: "MA-06"}, []demoUser{
		{"caseworker@shelter.demo", "Demo shelter caseworker", []string{auth.RoleNGOCaseworker}},
	}},
	{"ngo-child", identity.NewOrg{Name: "Demo: Child protection association", Kind: "ngo", Region: "MA-01"}, []demoUser{
		{"caseworker@child.demo", "Demo child-protection caseworker", []string{auth.RoleNGOCaseworker}},
		{"guardian@child.demo", "Demo guardian", []string{auth.RoleGuardian}},
	}},
	{"authority", identity.NewOrg{Name: "Demo: Competent authority", Kind: "competent_authority", Region: "MA-04"}, []demoUser{
		{"decisions@authority.demo", "Demo decision maker", []string{auth.RoleDecisionMaker}},
		{"decisions2@authority.demo", "Demo second decision maker", []string{auth.RoleDecisionMaker}},
		{"desk@authority.demo", "Demo referral desk coordinator", []string{auth.RoleCoordinator}},
	}},
	{"commission", identity.NewOrg{Name: "Demo: National coordination commission", Kind: "commission", Region: "MA-04"}, []demoUser{
		{"analyst@commission.demo", "Demo commission analyst", []string{auth.RoleCommissionAnalyst}},
		{"auditor@commission.demo", "Demo auditor (data protection officer)", []string{auth.RoleAuditor}},
		{"sysadmin@commission.demo", "Demo system administrator", []string{auth.RoleSystemAdmin}},
	}},
	// An oversight body of its own, so that a review by an auditor of
	// another organisation than the one whose access is reviewed can be
	// shown.
	{"oversight", identity.NewOrg{Name: "Demo: Data protection authority", Kind: "oversight", Region: "MA-04"}, []demoUser{
		{"auditor@oversight.demo", "Demo auditor (data protection authority)", []string{auth.RoleAuditor}},
	}},
}

// demoCredentialsFile is written to the key directory, never to the data
// directory: a backup of the data must carry no working credentials.
const demoCredentialsFile = "demo-credentials.txt"

// seedDemo creates the demo organisations and users unless they exist, and
// prints (and keeps beside the keys, in keyDir) their credentials. It is for
// trying the system out: never use --demo with real data. dataDir, where
// earlier versions kept the file, is only cleaned of it.
func seedDemo(ctx context.Context, svc identity.Service, keyDir, dataDir string, stdout io.Writer) error {
	ctx = auth.WithPrincipal(ctx, auth.System())
	existing, err := svc.ListOrgs(ctx)
	if err != nil {
		return err
	}
	for _, o := range existing {
		if o.Name == demoOrgs[0].org.Name {
			b, err := readDemoCredentials(keyDir, dataDir)
			if err != nil {
				return err
			}
			if b == nil {
				fmt.Fprintln(stdout, "nrm: demo data already present; its credentials were printed when it was created")
				return nil
			}
			fmt.Fprint(stdout, string(b))
			return nil
		}
	}
	var out strings.Builder
	out.WriteString("Demo organisations and users (for trying NRM out only; never with real data)\n\n")
	for _, d := range demoOrgs {
		org, err := svc.CreateOrg(ctx, d.org)
		if err != nil {
			return fmt.Errorf("org %s: %w", d.key, err)
		}
		fmt.Fprintf(&out, "%s (%s, %s) id %s\n", d.org.Name, d.org.Kind, d.org.Region, org.ID)
		for _, u := range d.users {
			pw := rand.Text()
			user, uri, err := svc.CreateUser(ctx, identity.NewUser{
				OrgID: org.ID, Email: u.email, DisplayName: u.name, Roles: u.roles, Password: pw,
			})
			if err != nil {
				return fmt.Errorf("user %s: %w", u.email, err)
			}
			// The enrolment page wants the ticket an administrator hands
			// over; signing in with a code of the printed secret needs none.
			tk, err := svc.IssueEnrolmentTicket(ctx, user.ID)
			if err != nil {
				return fmt.Errorf("user %s: %w", u.email, err)
			}
			fmt.Fprintf(&out, "  %-28s %-20s password %s  id %s\n    totp %s\n    ticket %s  until %s\n",
				u.email, strings.Join(u.roles, ","), pw, user.ID, uri, tk.Ticket, tk.ExpiresAt.Format(time.RFC3339))
		}
	}
	if err := writeDemoCredentials(keyDir, []byte(out.String())); err != nil {
		return err
	}
	fmt.Fprint(stdout, out.String())
	return nil
}

// writeDemoCredentials writes the credentials to the key directory (mode
// 0600, replaced atomically).
func writeDemoCredentials(keyDir string, b []byte) error {
	f, err := os.CreateTemp(keyDir, ".demo-credentials-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", demoCredentialsFile, err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", demoCredentialsFile, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", demoCredentialsFile, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", demoCredentialsFile, err)
	}
	return os.Rename(f.Name(), filepath.Join(keyDir, demoCredentialsFile))
}

// readDemoCredentials returns the credentials kept in the key directory, or
// nil when there are none. A file left in the data directory by an earlier
// version is moved beside the keys.
func readDemoCredentials(keyDir, dataDir string) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(keyDir, demoCredentialsFile))
	if err == nil {
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read %s: %w", demoCredentialsFile, err)
	}
	if dataDir == "" {
		return nil, nil
	}
	old := filepath.Join(dataDir, demoCredentialsFile)
	b, err = os.ReadFile(old)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", old, err)
	}
	if err := writeDemoCredentials(keyDir, b); err != nil {
		return nil, err
	}
	if err := os.Remove(old); err != nil {
		return nil, fmt.Errorf("remove %s from the data directory: %w", demoCredentialsFile, err)
	}
	return b, nil
}
