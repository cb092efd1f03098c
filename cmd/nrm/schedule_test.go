package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/stats"
)

// The scheduler republishes a closed period as soon as release control
// allows: an hour later, not the next day.
func TestScheduledReleasesRepublishWithinADay(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t, dbtest.SQLite(t), "stats")
	st, err := stats.New(stats.Config{DB: d})
	if err != nil {
		t.Fatal(err)
	}
	ctx := auth.WithPrincipal(context.Background(), auth.ServicePrincipal("stats"))
	send := func(prefix string, n int) {
		t.Helper()
		var msgs []outbox.Message
		for i := range n {
			e := facts.Event{ID: fmt.Sprintf("%s-%d", prefix, i), Type: facts.Registered, CaseKey: fmt.Sprintf("%s-%d", prefix, i),
				Month: "2026-10", IdentifiedMonth: "2026-10", Region: "MA-01", AgeGroup: "adult", ExploitationTypes: []string{"labour"}}
			b, _ := json.Marshal(e)
			msgs = append(msgs, outbox.Message{ID: e.ID, Source: "intake", Seq: int64(i + 1), Topic: facts.Topic, Payload: b})
		}
		if err := st.Receive(ctx, msgs); err != nil {
			t.Fatal(err)
		}
	}
	morning := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	send("a", 20)
	if _, err := st.CreateRelease(ctx, stats.ReleaseSpec{Name: scheduledReleaseName("2026-10", morning), Period: "2026-10"}); err != nil {
		t.Fatal(err)
	}
	send("b", 12) // late registrations of October, enough to publish again
	later := morning.Add(time.Hour)
	if _, err := st.CreateRelease(ctx, stats.ReleaseSpec{Name: scheduledReleaseName("2026-10", later), Period: "2026-10"}); err != nil {
		t.Fatalf("a release an hour later: %v", err)
	}
}

// Late records of an older closed month (not the latest) are republished
// by the scheduler, with its quarter, once release control allows; the
// periods without changes since their release are left alone.
func TestSchedulerRepublishesOlderClosedPeriods(t *testing.T) {
	t.Parallel()
	d := dbtest.Open(t, dbtest.SQLite(t), "stats")
	st, err := stats.New(stats.Config{DB: d})
	if err != nil {
		t.Fatal(err)
	}
	ctx := auth.WithPrincipal(context.Background(), auth.ServicePrincipal("stats"))
	seq := int64(0)
	send := func(prefix, month string, n int) {
		t.Helper()
		var msgs []outbox.Message
		for i := range n {
			seq++
			e := facts.Event{ID: fmt.Sprintf("%s-%d", prefix, i), Type: facts.Registered, CaseKey: fmt.Sprintf("%s-%d", prefix, i),
				Month: month, IdentifiedMonth: month, Region: "MA-01", AgeGroup: "adult", ExploitationTypes: []string{"labour"}}
			b, _ := json.Marshal(e)
			msgs = append(msgs, outbox.Message{ID: e.ID, Source: "intake", Seq: seq, Topic: facts.Topic, Payload: b})
		}
		if err := st.Receive(ctx, msgs); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []string{"2026-07", "2026-08", "2026-09", "2026-10"} {
		send("early-"+m, m, 20)
	}
	sys := &system{stats: st, logger: log.NewNopLogger()}
	first := time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)
	sys.scheduleReleasesAt(ctx, first)
	send("late-aug", "2026-08", 12) // late registrations of August
	sys.scheduleReleasesAt(ctx, first.Add(time.Hour))
	count := func(period string) int {
		t.Helper()
		rs, err := st.Releases(ctx, period)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range rs {
			if r.Period == period {
				n++
			}
		}
		return n
	}
	for period, want := range map[string]int{"2026-08": 2, "2026-Q3": 2, "2026-10": 1, "2026-07": 1, "2026-09": 1} {
		if got := count(period); got != want {
			t.Errorf("%s released %d times, want %d", period, got, want)
		}
	}
}
