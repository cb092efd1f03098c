package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/services/stats"
)

// The scheduler republishes a closed period as soon as release control
// allows: an hour later, not the next day.
func TestScheduledReleasesRepublishWithinADay(t *testing.T) {
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
