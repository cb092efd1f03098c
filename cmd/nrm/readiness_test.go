package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/kit"
)

// testSystem builds the services as nrm serve would with args (storage
// flags and more), without serving them or starting their background
// loops, so a test drives the relays and faults itself.
func testSystem(t *testing.T, args ...string) *system {
	t.Helper()
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	kd, cfg, err := f.storage.open(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	sys, err := buildSystem(context.Background(), systemConfig{
		flags: f, keys: kd, db: cfg, logger: log.NewNopLogger(), registry: prometheus.NewRegistry(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sys.Close)
	return sys
}

// readyz runs the checks as /readyz does, with a budget that suits a
// loaded test machine rather than its 3 s: 503 and the failing checks,
// or 200.
func readyz(t *testing.T, checks []kit.Check) (int, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var failing []string
	for _, c := range checks {
		if err := c.Fn(ctx); err != nil {
			t.Logf("%s: %v", c.Name, err)
			failing = append(failing, c.Name)
		}
	}
	if len(failing) > 0 {
		return http.StatusServiceUnavailable, failing
	}
	return http.StatusOK, nil
}

// Readiness waits for the revocation list, falls when a database refuses
// writes (a full disk, through the write probe's fault hook) or when the
// audit events waiting in the outboxes pass the bound, and comes back
// once the cause is gone, without a restart.
func TestReadinessMeansARequestCanBeServed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		_, args := engineArgs(t, e)
		sys := testSystem(t, args...)
		ctx := context.Background()
		checks := sys.readiness(3)

		if st, failing := readyz(t, checks); st != http.StatusServiceUnavailable || !slices.Equal(failing, []string{"revocations"}) {
			t.Fatalf("before the revocation list is loaded: %d %v", st, failing)
		}
		if err := sys.revocations.Poll(ctx); err != nil {
			t.Fatal(err)
		}
		if st, failing := readyz(t, checks); st != http.StatusOK {
			t.Fatalf("loaded: %d %v", st, failing)
		}

		// A full disk under intake.
		sys.dbs["intake"].SetWriteFault(func() error { return fmt.Errorf("write: %w", syscall.ENOSPC) })
		if st, failing := readyz(t, checks); st != http.StatusServiceUnavailable || !slices.Equal(failing, []string{"writes:intake"}) {
			t.Fatalf("disk full: %d %v", st, failing)
		}
		sys.dbs["intake"].SetWriteFault(nil)
		if st, failing := readyz(t, checks); st != http.StatusOK {
			t.Fatalf("disk freed: %d %v", st, failing)
		}

		// The audit log stops taking events: they pile up in the outbox.
		for i := range 4 {
			if err := sys.intakeDen.RecordDenial(ctx, "case", "read", fmt.Sprintf("00000000-0000-4000-8000-%012d", i)); err != nil {
				t.Fatal(err)
			}
		}
		if st, failing := readyz(t, checks); st != http.StatusServiceUnavailable || !slices.Equal(failing, []string{"audit_backlog"}) {
			t.Fatalf("audit backlog over the bound: %d %v", st, failing)
		}
		for _, r := range sys.relays {
			if _, err := r.DeliverOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if st, failing := readyz(t, checks); st != http.StatusOK {
			t.Fatalf("audit backlog delivered: %d %v", st, failing)
		}
	})
}

// A valid token is never refused with 401 just after a restart: the
// server loads the revocation list before serving, and answers 503 with
// Retry-After (never 401) while it cannot.
func TestNo401ForAValidTokenAfterARestart(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		_, args := engineArgs(t, e)
		s := startServer(t, append(args, "--demo")...)
		officer := login(t, s.base, demoCredentials(t, s.stdout.String())["officer@police.demo"])
		for round := range 3 {
			if code := s.stop(); code != 0 {
				t.Fatalf("stop: %d %s", code, s.stderr.String())
			}
			s = startServer(t, args...)
			deadline := time.Now().Add(20 * time.Second)
			for {
				st, h, b := callWithHeader(t, "GET", s.base+"/api/v1/me", officer, nil)
				if st == http.StatusOK {
					break
				}
				if st != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
					t.Fatalf("restart %d: a valid token got %d %s", round, st, b)
				}
				if time.Now().After(deadline) {
					t.Fatalf("restart %d: still 503 after 20 s", round)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	})
}
