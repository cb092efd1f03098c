// Command nrm is the one binary of the national referral mechanism: it
// serves every service (or a chosen few), migrates databases, and
// administers organisations, users, keys and the audit log.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: nrm <command> [flags]

commands:
  serve         run the services (all in one process by default)
  migrate       bring the databases to the current schema
  orgs add      add an organisation; prints its id
  users add     add a user (password on stdin); prints its id, TOTP URI and enrolment ticket
  users check   list users who cannot sign in: roles that do not fit their organisation's
                kind (policies/roles.json), rows failing their integrity check (exit 1 if any)
  keys rotate   give an organisation a new identity and re-wrap its cases (--org ID)
  keys rekey    seal an organisation's cases again under new keys, destroying the old identity (--org ID)
  keys export   write a service's own key directory for a split deployment: its subkeys,
                key files and database password, no master key (--service NAME --out DIR)
  audit verify  verify the tamper-evident audit log, or with --url a running
                deployment from outside (exit 1 tampered, 2 usage, 3 unreachable)
  witness       witness a deployment's audit log: cosign its checkpoints while the log
                only grows, keep evidence of a fork (--state DIR --log-key KEY)
  cases purge   destroy records past their retention period (run daily)
  certs         create a deployment CA and a certificate per service, for mutual TLS
                between the services of a split deployment (--out DIR)
  totp          print the current one-time code of an otpauth:// URI (stdin or argument)

Run "nrm <command> -h" for the flags of a command. Every flag can also be
set as an NRM_* environment variable (--database-url is NRM_DATABASE_URL,
or NRM_DATABASE_URL_FILE naming a file that holds it).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch cmd, rest := args[0], args[1:]; {
	case cmd == "serve":
		err = cmdServe(ctx, rest, stdout, stderr)
	case cmd == "migrate":
		err = cmdMigrate(ctx, rest, stdout, stderr)
	case cmd == "orgs" && len(rest) > 0 && rest[0] == "add":
		err = cmdOrgsAdd(ctx, rest[1:], stdout, stderr)
	case cmd == "users" && len(rest) > 0 && rest[0] == "add":
		err = cmdUsersAdd(ctx, rest[1:], stdin, stdout, stderr)
	case cmd == "users" && len(rest) > 0 && rest[0] == "check":
		return cmdUsersCheck(ctx, rest[1:], stdout, stderr)
	case cmd == "keys" && len(rest) > 0:
		err = cmdKeys(ctx, rest[0], rest[1:], stdout, stderr)
	case cmd == "cases" && len(rest) > 0 && rest[0] == "purge":
		err = cmdCasesPurge(ctx, rest[1:], stdout, stderr)
	case cmd == "totp":
		err = cmdTOTP(ctx, rest, stdin, stdout, stderr)
	case cmd == "audit" && len(rest) > 0 && rest[0] == "verify":
		return cmdAuditVerify(ctx, rest[1:], stdout, stderr)
	case cmd == "certs":
		err = cmdCerts(ctx, rest, stdout, stderr)
	case cmd == "witness":
		err = cmdWitness(ctx, rest, stdout, stderr)
	case cmd == "help" || cmd == "-h" || cmd == "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "nrm: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "nrm: %v\n", err)
		var u usageError
		if errors.As(err, &u) {
			return 2
		}
		return 1
	}
	return 0
}

// usageError is a mistake in the command line (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
