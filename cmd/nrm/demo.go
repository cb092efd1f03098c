package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/referral"
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

const demoCredentialsFile = "demo-credentials.txt"

// seedDemo creates the demo organisations and users unless they exist, and
// prints (and keeps beside the data) their credentials. It is for trying the
// system out: never use --demo with real data.
func seedDemo(ctx context.Context, svc identity.Service, dataDir string, stdout io.Writer) error {
	ctx = auth.WithPrincipal(ctx, auth.System())
	existing, err := svc.ListOrgs(ctx)
	if err != nil {
		return err
	}
	for _, o := range existing {
		if o.Name == demoOrgs[0].org.Name {
			b, err := os.ReadFile(filepath.Join(dataDir, demoCredentialsFile))
			if err != nil {
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
			fmt.Fprintf(&out, "  %-28s %-20s password %s  id %s\n    totp %s\n",
				u.email, strings.Join(u.roles, ","), pw, user.ID, uri)
		}
	}
	if dataDir != "" {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dataDir, demoCredentialsFile), []byte(out.String()), 0o600); err != nil {
			return err
		}
	}
	fmt.Fprint(stdout, out.String())
	return nil
}

// demoProviders are the provider directory entries of the demo's service
// organisations, so that a referral from the pages finds candidates.
var demoProviders = map[string]referral.ProviderInput{
	"Demo: Women's shelter association": {
		Name: "Demo: Women's shelter association", Region: "MA-06", Regions: []string{"MA-04", "MA-06", "MA-07"},
		Genders: []string{"female"}, AcceptsAdults: true, AcceptsDependants: true, Languages: []string{"ar", "fr", "en"},
		Availability: "24/7", Active: true,
		Services: []referral.ServicePlaces{{Service: "shelter", Places: 12}, {Service: "psychosocial", Places: 20}, {Service: "legal_aid", Places: 10}},
	},
	"Demo: Child protection association": {
		Name: "Demo: Child protection association", Region: "MA-01", Regions: identity.DefaultRegions,
		Genders: []string{"female", "male", "other", "unknown"}, AcceptsChildren: true, AcceptsDependants: true,
		Languages: []string{"ar", "fr", "en"}, Availability: "24/7", Active: true,
		Services: []referral.ServicePlaces{{Service: "child_protection", Places: 15}, {Service: "shelter", Places: 8}, {Service: "family_tracing", Places: 5}},
	},
}

// seedDemoProviders puts the demo's providers in the directory (again on
// each start: the entries are replaced, which keeps them as shown here).
func seedDemoProviders(ctx context.Context, ids identity.Service, refs referral.Service) error {
	ctx = auth.WithPrincipal(ctx, auth.System())
	orgs, err := ids.ListOrgs(ctx)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		if p, ok := demoProviders[o.Name]; ok {
			if _, err := refs.PutProvider(ctx, o.ID, p); err != nil {
				return fmt.Errorf("provider %s: %w", o.Name, err)
			}
		}
	}
	return nil
}
