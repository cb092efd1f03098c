package audit

import (
	"context"
	"sync"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/outbox"
)

// secondReplica returns another audit service over its own connections to
// f's database, with the same keys: a second replica.
func secondReplica(t *testing.T, f *fixture) *Log {
	t.Helper()
	d, err := db.Open(context.Background(), f.e.Config, "audit")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	cfg := f.cfg
	cfg.DB, cfg.Registerer = d, nil
	l, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func alertsOf(t *testing.T, l *Log, action string) []Entry {
	t.Helper()
	aud := auth.WithPrincipal(context.Background(), auth.Principal{UserID: "aud", Roles: []string{auth.RoleAuditor}})
	p, err := l.Alerts(aud, Query{Limit: maxLimit})
	if err != nil {
		t.Fatal(err)
	}
	var out []Entry
	for _, e := range p.Events {
		if e.Action == action {
			out = append(out, e)
		}
	}
	return out
}

// Attack: an insider spreads a burst of denials over two replicas of the
// audit service so that neither sees the threshold. The log is the window:
// the burst raises exactly one alert, at the threshold, not before.
func TestDenialBurstAcrossReplicasAlertsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.Postgres(t), func(c *Config) { c.DenialThreshold = 6 })
	a, b := f.log, secondReplica(t, f)
	ctx := auth.WithPrincipal(f.ctx, auth.Principal{UserID: "u-77", OrgID: "o-1", Roles: []string{auth.RoleNGOCaseworker}})
	deny := func(l *Log) {
		t.Helper()
		if err := l.RecordDenial(ctx, "audit.events", "read", ""); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 { // three on a, two on b: below the threshold together
		deny([]*Log{a, b}[i%2])
	}
	if got := alertsOf(t, b, ActionDenialSpike); len(got) != 0 {
		t.Fatalf("alerts below the threshold: %+v", got)
	}
	deny(b) // the sixth denial, three on each replica
	got := alertsOf(t, a, ActionDenialSpike)
	if len(got) != 1 || got[0].ObjectID != "u-77" {
		t.Fatalf("denial spikes = %+v, want one for u-77", got)
	}
	for i := range 4 { // more within the window: no second alert
		deny([]*Log{a, b}[i%2])
	}
	if got := alertsOf(t, b, ActionDenialSpike); len(got) != 1 {
		t.Fatalf("denial spikes = %d after more denials in the window, want still 1", len(got))
	}
}

// Attack: a bulk read spread over replicas, the two halves appended at the
// same time (reads logged by two services, each relayed to another
// replica). Neither replica holds the threshold's worth, and the alert is
// raised once.
func TestBulkReadAcrossReplicasAlertsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, dbtest.Postgres(t), func(c *Config) { c.BulkReadThreshold = 15 })
	a, b := f.log, secondReplica(t, f)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for l, source := range map[*Log]string{a: "intake", b: "referral"} {
		msgs := f.next(t, source, 10) // reads by u-1
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, m := range msgs {
				if err := l.Append(f.ctx, []outbox.Message{m}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got := alertsOf(t, a, ActionBulkRead)
	if len(got) != 1 || got[0].ObjectID != "u-1" {
		t.Fatalf("bulk-read alerts = %+v, want one for u-1", got)
	}
}
