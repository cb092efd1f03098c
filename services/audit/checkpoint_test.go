package audit

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

func TestCheckpointPublishedEverywhere(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		posted []string
	)
	ws := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		posted = append(posted, string(b))
		mu.Unlock()
	}))
	t.Cleanup(ws.Close)
	witnessDir := t.TempDir()
	f := newFixture(t, dbtest.SQLite(t), func(c *Config) {
		c.Witnesses = []string{witnessDir, ws.URL}
		c.HTTPClient = ws.Client()
		c.Origin = "example.org/nrm/audit"
	})
	f.append(t, "intake", 7)
	cp := f.checkpoint(t)
	body := "example.org/nrm/audit\n7\n"
	if !strings.HasPrefix(string(cp.Note), body) || !strings.Contains(string(cp.Note), "\n\n— example.org/nrm/audit ") {
		t.Errorf("checkpoint note not in C2SP form:\n%s", cp.Note)
	}
	for _, p := range []string{filepath.Join(f.cpDir, "7"), filepath.Join(f.cpDir, "latest"), filepath.Join(witnessDir, "7")} {
		b, err := os.ReadFile(p)
		if err != nil || string(b) != string(cp.Note) {
			t.Errorf("%s: %v, want the checkpoint", filepath.Base(p), err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(posted) != 1 || posted[0] != "old 0\n\n"+string(cp.Note) {
		t.Errorf("witness received %q, want the checkpoint once, after old 0", posted)
	}
	if _, err := OpenCheckpoint(cp.Note, f.log.VerifierKey()); err != nil {
		t.Errorf("OpenCheckpoint: %v", err)
	}
}

func TestCheckpointerRunsEveryNEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.SQLite(t), func(c *Config) {
		c.CheckpointEvery = 5
		c.CheckpointInterval = time.Hour
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.log.Checkpointer().Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	f.append(t, "intake", 6)
	deadline := time.Now().Add(20 * time.Second)
	for {
		cp, err := latestCheckpoint(f.ctx, f.db)
		if err == nil && cp.Size == 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of size 6 after 6 events with CheckpointEvery 5 (last: %v)", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestAlertsOnDenialSpikeAndBulkReads(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, func(c *Config) { c.DenialThreshold, c.BulkReadThreshold = 3, 10 })
		ctx := auth.WithPrincipal(f.ctx, auth.Principal{UserID: "u-77", OrgID: "o-1", Roles: []string{auth.RoleNGOCaseworker}})
		for range 3 {
			if err := f.log.RecordDenial(ctx, "audit.events", "read", ""); err != nil {
				t.Fatal(err)
			}
		}
		f.append(t, "intake", 9) // reads by u-1, below the threshold
		aud := auth.WithPrincipal(f.ctx, auth.Principal{UserID: "aud", Roles: []string{auth.RoleAuditor}})
		p, err := f.log.Alerts(aud, Query{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) != 1 || p.Events[0].Action != ActionDenialSpike || p.Events[0].ObjectID != "u-77" {
			t.Fatalf("alerts = %+v, want one denial spike for u-77", p.Events)
		}
		f.append(t, "intake", 1) // the tenth read
		p, err = f.log.Alerts(aud, Query{})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) != 2 || p.Events[1].Action != ActionBulkRead || p.Events[1].ObjectID != "u-1" {
			t.Fatalf("alerts = %+v, want a bulk-read alert for u-1", p.Events)
		}
		if got := testutil.ToFloat64(f.log.metrics.alerts.WithLabelValues("denial_spike")); got != 1 {
			t.Errorf("denial spike counter = %v, want 1", got)
		}
	})
}
