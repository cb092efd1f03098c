package referral

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/services/referral/directory"
)

// replicaOf starts another referral service over its own connections to
// ev's database, following directory changes as nrm serve does.
func replicaOf(t *testing.T, ev *env, d *db.DB) *service {
	t.Helper()
	changes := directory.NewChanges(d, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- changes.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	cfg := ev.config()
	cfg.DB, cfg.Directory = d, changes
	s, err := newService(cfg)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !changes.Live() {
		if time.Now().After(deadline) {
			t.Fatal("the replica does not follow directory changes")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return s
}

// A provider's capacity changed on replica A is seen by replica B's
// routing promptly, though B's snapshot of the directory was fresh and,
// while changes are followed, would otherwise live directory.SharedTTL.
func TestCapacityChangeReachesTheOtherReplica(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.Postgres(t))
	dA, err := db.Open(context.Background(), ev.engine.Config, "referral")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dA.Close() })
	a, b := replicaOf(t, ev, dA), replicaOf(t, ev, ev.db)
	full := ev.provider(t, shelter("MA-06", 0))
	caseID := ev.adult("MA-06", 0, "ar")
	routed := func(s *service) bool {
		t.Helper()
		cs, err := s.Route(ev.officer(), RouteQuery{CaseID: caseID, Service: "shelter"})
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(cs, func(c Candidate) bool { return c.OrgID == full })
		return i >= 0 && cs[i].Rank > 0
	}
	if routed(b) { // b's snapshot: no room
		t.Fatal("a provider without places was ranked")
	}
	caseworker := auth.WithPrincipal(context.Background(), auth.Principal{UserID: "cw", OrgID: full, Roles: []string{auth.RoleNGOCaseworker}})
	if _, err := a.SetCapacity(caseworker, full, "shelter", 3); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for !routed(b) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("replica b still routes on the old capacity")
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("seen by the other replica after %v", time.Since(start))
}
