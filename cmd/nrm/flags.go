package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// envName returns the environment variable of a flag: --database-url is
// NRM_DATABASE_URL.
func envName(flagName string) string {
	return "NRM_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// secretFlags may also be given as NRM_*_FILE, a path to a file holding
// the value (for container secrets), and are redacted when printed.
var secretFlags = map[string]bool{"database-url": true}

// parseFlags parses args, then fills every flag not given on the command
// line from its NRM_* variable (or NRM_*_FILE for secrets).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] || err != nil {
			return
		}
		name := envName(f.Name)
		if v, ok := os.LookupEnv(name); ok {
			err = f.Value.Set(v)
			return
		}
		if secretFlags[f.Name] {
			if p, ok := os.LookupEnv(name + "_FILE"); ok {
				b, rerr := os.ReadFile(p)
				if rerr != nil {
					err = fmt.Errorf("%s_FILE: %w", name, rerr)
					return
				}
				err = f.Value.Set(strings.TrimSpace(string(b)))
			}
		}
	})
	return err
}

// redact returns a database URL without its password, for logs.
func redact(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		rest := u[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			cred := rest[:at]
			if c := strings.Index(cred, ":"); c >= 0 {
				return u[:i+3] + cred[:c] + ":REDACTED" + rest[at:]
			}
		}
	}
	return u
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("nrm "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}
