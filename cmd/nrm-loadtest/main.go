// Command nrm-loadtest drives a running nrm server over HTTP and reports
// throughput and latency percentiles: registrations, case reads, the
// officer's pages, or a login flood beside real sign-ins. It is a tool
// for benchmarks (deploy/bench), kept out of the production binary: a
// server never carries the code that floods it.
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

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one load test and returns the process exit code: 0 done,
// 1 failed requests or an unreachable server, 2 a mistake in the flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	err := cmdLoadtest(ctx, args, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "nrm-loadtest: %v\n", err)
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

func newFlagSet(stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("nrm-loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args and refuses stray arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}
