// Command nrm-chaos runs the fault suite (internal/chaos) on one engine or
// both: it builds nrm with the fault hooks, kills it under load, restarts
// a private PostgreSQL cluster, stalls the audit log and fills the disk,
// then checks that nothing acknowledged was lost and no read went
// unaudited. It prints a table and a JSON summary, and exits 1 when an
// invariant was broken, 2 on a mistake in the flags.
//
//	nrm-chaos --short                      # the CI form (about a minute)
//	nrm-chaos --engine both --kills 12     # the long form (make chaos)
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/nrm-project/nrm/internal/chaos"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("nrm-chaos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		engine     = fs.String("engine", "both", "sqlite, postgres or both")
		short      = fs.Bool("short", false, "the CI form: 2 kills per engine, 1 PostgreSQL restart, 1 audit stall, no disk fill, short stretches of load, engines at the same time")
		kills      = fs.Int("kills", 12, "SIGKILL rounds per engine")
		pgRestarts = fs.Int("pg-restarts", 2, "pg_ctl restart -m immediate rounds (PostgreSQL)")
		stall      = fs.Duration("audit-stall", 5*time.Second, "how long the audit log refuses events (0: not at all)")
		diskFill   = fs.Duration("disk-fill", 4*time.Second, "how long the disk stays full (0: not at all)")
		minLoad    = fs.Duration("load-min", 1500*time.Millisecond, "shortest stretch of load before a fault")
		maxLoad    = fs.Duration("load-max", 5*time.Second, "longest stretch of load before a fault")
		clients    = fs.Int("clients", 6, "concurrent load clients")
		seed       = fs.Uint64("seed", uint64(time.Now().UnixNano()), "seed of the fault order, kill moments and registrations")
		settle     = fs.Duration("settle", 90*time.Second, "how long the checks wait for the outboxes to deliver")
		bin        = fs.String("nrm", "", "nrm binary built with -tags chaos (default: built from this module)")
		jsonOut    = fs.String("json", "", "also write the JSON summary to this file")
		keep       = fs.Bool("keep", false, "keep the working directories (data, keys, server log)")
		parallel   = fs.Bool("parallel", false, "run the engines at the same time (--short does)")
	)
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "nrm-chaos: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	engines := []string{*engine}
	if *engine == "both" {
		engines = []string{chaos.SQLite, chaos.Postgres}
	}
	for _, e := range engines {
		if e != chaos.SQLite && e != chaos.Postgres {
			fmt.Fprintf(stderr, "nrm-chaos: --engine must be sqlite, postgres or both\n")
			return 2
		}
	}
	if *short {
		*kills, *pgRestarts, *stall, *diskFill, *parallel = 2, 1, 3*time.Second, 0, true
		*minLoad, *maxLoad, *clients, *settle = time.Second, 2500*time.Millisecond, 4, 45*time.Second
	}
	if *minLoad <= 0 || *maxLoad <= *minLoad {
		fmt.Fprintf(stderr, "nrm-chaos: want 0 < --load-min < --load-max\n")
		return 2
	}
	tmp, err := os.MkdirTemp("", "nrm-chaos-bin-")
	if err != nil {
		fmt.Fprintf(stderr, "nrm-chaos: %v\n", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	if *bin == "" {
		*bin = filepath.Join(tmp, "nrm")
		fmt.Fprintf(stderr, "nrm-chaos: go build -tags chaos ./cmd/nrm\n")
		if err := build(ctx, *bin); err != nil {
			fmt.Fprintf(stderr, "nrm-chaos: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "nrm-chaos: seed %d (--seed %d repeats the fault order)\n", *seed, *seed)
	type result struct {
		sum *chaos.Summary
		err error
	}
	results := make([]result, len(engines))
	var wg sync.WaitGroup
	for i, e := range engines {
		one := func() {
			sum, err := chaos.Run(ctx, chaos.Config{
				Engine: e, Bin: *bin, Kills: *kills, PGRestarts: *pgRestarts,
				AuditStall: *stall, DiskFill: *diskFill, LoadBetween: [2]time.Duration{*minLoad, *maxLoad},
				Clients: *clients, Seed: *seed + uint64(i), Settle: *settle, Keep: *keep, Progress: stderr,
			})
			results[i] = result{sum, err}
		}
		if *parallel {
			wg.Go(one)
		} else {
			one()
		}
	}
	wg.Wait()
	var sums []*chaos.Summary
	failed := false
	for i, r := range results {
		if r.err != nil {
			fmt.Fprintf(stderr, "nrm-chaos: %s: %v\n", engines[i], r.err)
			failed = true
		}
		if r.sum == nil {
			continue
		}
		if r.err == nil {
			if v := r.sum.Violations(); len(v) > 0 {
				failed = true
				r.sum.Failures = append(v, r.sum.Failures...)
			}
		}
		sums = append(sums, r.sum)
	}
	chaos.PrintTable(stdout, sums)
	b, _ := json.MarshalIndent(sums, "", "  ")
	fmt.Fprintf(stdout, "%s\n", b)
	if *jsonOut != "" {
		err := os.MkdirAll(filepath.Dir(*jsonOut), 0o755)
		if err == nil {
			err = os.WriteFile(*jsonOut, append(b, '\n'), 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "nrm-chaos: %v\n", err)
		}
	}
	if failed {
		fmt.Fprintf(stderr, "nrm-chaos: FAILED\n")
		return 1
	}
	fmt.Fprintf(stderr, "nrm-chaos: passed (lost 0, unaudited 0, audit verified, statistics equal)\n")
	return 0
}

// build builds nrm with the fault hooks from the module this command
// belongs to.
func build(ctx context.Context, out string) error {
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" || strings.TrimSpace(string(gomod)) == os.DevNull {
		return fmt.Errorf("run from inside the nrm module, or give --nrm (%v)", err)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "chaos", "-o", out, "./cmd/nrm")
	cmd.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}
