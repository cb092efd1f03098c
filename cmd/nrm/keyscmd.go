package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

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
	if verb == "export" {
		return cmdKeysExport(ctx, args, stdout, stderr)
	}
	if verb != "rotate" && verb != "rekey" {
		return usageError{"usage: nrm keys rotate|rekey --org ID, or nrm keys export --service NAME --out DIR"}
	}
	fs := newFlagSet("keys "+verb, stderr)
	var st storage
	st.register(fs)
	policies := fs.String("policies", "", "directory whose workflow.json overrides the embedded policies/workflow.json")
	var org string
	fs.StringVar(&org, "org", "", "organisation id (required)")
	if err := parseFlags(fs, args); err != nil {
		return usageError{err.Error()}
	}
	if org == "" {
		return usageError{"--org is required"}
	}
	admin, closeAll, err := openIntakeAdmin(ctx, st, *policies, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
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

// openIntakeAdmin opens intake's administration (key ring, retention) for
// a command run beside the server, with the deployment's workflow policy
// (its retention periods) from policiesDir.
func openIntakeAdmin(ctx context.Context, st storage, policiesDir string, stderr io.Writer) (*intake.Admin, func(), error) {
	workflow, err := intake.LoadWorkflowPolicy(policiesDir)
	if err != nil {
		return nil, nil, err
	}
	kd, cfg, err := st.open(stderr)
	if err != nil {
		return nil, nil, err
	}
	dbs := map[string]*db.DB{}
	closeAll := func() {
		for _, d := range dbs {
			d.Close()
		}
	}
	for _, name := range []string{"identity", "intake"} {
		d, err := openCurrent(ctx, cfg, name)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		dbs[name] = d
	}
	idSvc, err := identity.New(identity.Config{DB: dbs["identity"], Keys: kd, Logger: log.NewNopLogger(), Argon2: passwordHashing})
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	in, err := intake.New(intake.Config{DB: dbs["intake"], Keys: kd, Orgs: intakeOrgs{newOrgDirectory(idSvc)},
		Workflow: workflow, Logger: log.NewNopLogger()})
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	return in.Admin, closeAll, nil
}

// cmdCasesPurge runs `nrm cases purge`: records past their retention
// period (and not under a legal hold) are destroyed with their keys; the
// sealed minimal decision record stays. Run it from a daily schedule.
func cmdCasesPurge(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("cases purge", stderr)
	var st storage
	st.register(fs)
	policies := fs.String("policies", "", "directory whose workflow.json (retention periods) overrides the embedded one")
	if err := parseFlags(fs, args); err != nil {
		return usageError{err.Error()}
	}
	admin, closeAll, err := openIntakeAdmin(ctx, st, *policies, stderr)
	if err != nil {
		return err
	}
	defer closeAll()
	rep, err := admin.Purge(ctx, time.Now())
	if err != nil {
		return err
	}
	b, _ := json.Marshal(rep)
	fmt.Fprintf(stdout, "purged: %s\n", b)
	return nil
}
