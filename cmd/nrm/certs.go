package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/mtls"
)

// cmdCerts creates a deployment CA (unless the directory holds one) and a
// certificate per service process, for a test or small split deployment.
func cmdCerts(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("certs", stderr)
	var (
		out      string
		services listFlag
		hosts    listFlag
		validity time.Duration
	)
	fs.StringVar(&out, "out", "./nrm-certs", "directory of the CA and the certificates (created 0700, files 0600)")
	fs.Func("service", "a process's services, NAME[+NAME] (repeatable; default: one certificate per service)", func(v string) error {
		services = append(services, strings.Split(v, ",")...)
		return nil
	})
	fs.Var(&hosts, "host", "a further DNS name or IP address in every certificate (repeatable)")
	fs.DurationVar(&validity, "validity", 365*24*time.Hour, "how long the service certificates are valid")
	if err := parseFlags(fs, args); err != nil {
		return usageError{err.Error()}
	}
	if len(services) == 0 {
		services = append(slices.Clone(allServices), webService)
	}
	var bundles [][]string
	for _, s := range services {
		names := strings.Split(s, "+")
		if err := checkSplit(names); err != nil {
			return err
		}
		bundles = append(bundles, names)
	}
	if err := mtls.Issue(out, bundles, hosts, validity, time.Now()); err != nil {
		return err
	}
	for _, b := range bundles {
		fmt.Fprintf(stdout, "%s/%s.crt\n", out, mtls.BundleName(b))
	}
	fmt.Fprintf(stderr, "nrm: keep %s/%s off the services' hosts: give each process ca.crt and its own certificate and key.\n", out, mtls.CAKeyFile)
	return nil
}
