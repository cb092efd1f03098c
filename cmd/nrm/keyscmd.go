package main

import (
	"context"
	"fmt"
	"io"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/intake"
)

// cmdKeys runs `nrm keys rotate --org ID` (a new identity for the
// organisation, every wrap re-wrapped to it) or `nrm keys rekey --org ID`
// (sections sealed again under new data keys, the old identity destroyed).
// Both run case by case while the server keeps serving.
func cmdKeys(ctx context.Context, verb string, args []string, stdout, stderr io.Writer) error {
	if verb != "rotate" && verb != "rekey" {
		return usageError{"usage: nrm keys rotate|rekey --org ID"}
	}
	fs := newFlagSet("keys "+verb, stderr)
	var st storage
	st.register(fs)
	var org string
	fs.StringVar(&org, "org", "", "organisation id (required)")
	if err := parseFlags(fs, args); err != nil {
		return usageError{err.Error()}
	}
	if org == "" {
		return usageError{"--org is required"}
	}
	kd, cfg, err := st.open(stderr)
	if err != nil {
		return err
	}
	dbs := map[string]*db.DB{}
	defer func() {
		for _, d := range dbs {
			d.Close()
		}
	}()
	for _, name := range []string{"identity", "intake"} {
		d, err := db.Open(ctx, cfg, name)
		if err != nil {
			return err
		}
		dbs[name] = d
		if ok, err := d.SchemaCurrent(ctx); err != nil || !ok {
			return fmt.Errorf("the %s schema is not current: run `nrm migrate` first", name)
		}
	}
	idSvc, err := identity.New(identity.Config{DB: dbs["identity"], Keys: kd, Logger: log.NewNopLogger()})
	if err != nil {
		return err
	}
	admin, err := intake.NewAdmin(intake.Config{DB: dbs["intake"], Keys: kd, Orgs: intakeOrgs{newOrgDirectory(idSvc)}, Logger: log.NewNopLogger()})
	if err != nil {
		return err
	}
	var n int
	if verb == "rotate" {
		n, err = admin.RotateOrg(ctx, org)
	} else {
		n, err = admin.RekeyOrg(ctx, org)
	}
	if err != nil {
		return err
	}
	what := map[string]string{"rotate": "wraps re-wrapped", "rekey": "cases sealed again"}[verb]
	fmt.Fprintf(stdout, "%s: %d %s; the organisation's previous identity is destroyed\n", verb, n, what)
	return nil
}
