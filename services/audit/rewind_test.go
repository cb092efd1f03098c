package audit

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// loseTail removes the log's entries from index n on, with their MACs and
// hashes, as a failover to a replica that had not received them would:
// their commit was acknowledged, then lost.
func (f *fixture) loseTail(t *testing.T, n int64) {
	t.Helper()
	a := f.admin(t)
	for _, s := range []struct {
		stmt string
		from int64
	}{
		{`DELETE FROM events WHERE idx >= $1`, n},
		{`DELETE FROM leaf_macs WHERE idx >= $1`, n},
		{`DELETE FROM hashes WHERE idx >= $1`, tlog.StoredHashIndex(0, n)},
	} {
		if _, err := a.Exec(s.stmt, s.from); err != nil {
			t.Fatalf("%s: %v", s.stmt, err)
		}
	}
	if got := f.size(t); got != n {
		t.Fatalf("log of %d entries after the loss, want %d", got, n)
	}
}

// TestAppendAfterTheLogLostItsTail: the database loses the last batch
// this process appended (acknowledged, then lost in a failover), another
// replica appends other events in its place, and this process appends
// again. The hashes it computes must build on the entries the database
// holds, not on those it remembers writing: the log verifies.
func TestAppendAfterTheLogLostItsTail(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name        string
		others, own int // events the other replica, then this process, append after the loss
	}{
		// The next append's first entry pairs with the other replica's.
		{"fewer entries than remembered", 1, 1},
		// As many entries as were lost, and the next append completes a
		// subtree over them.
		{"as many entries, other events", 4, 8},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
				f := newFixture(t, e, nil)
				f.append(t, "intake", 4)
				f.checkpoint(t)
				f.append(t, "intake", 4) // indices 4 to 7, lost below
				f.loseTail(t, 4)

				other := secondReplica(t, f)
				if err := other.Append(f.ctx, f.next(t, "referral", tc.others)); err != nil {
					t.Fatal(err)
				}
				f.append(t, "intake", tc.own) // after a gap: the lost numbers
				f.checkpoint(t)
				if n := testutil.ToFloat64(f.log.metrics.divergences); n != 1 {
					t.Errorf("%v losses counted, want 1", n)
				}
				if n := testutil.ToFloat64(other.metrics.divergences); n != 0 {
					t.Errorf("the other replica counted %v losses, want 0", n)
				}

				rep, err := Verify(f.ctx, f.db, VerifyOptions{Keys: f.keys})
				if err != nil {
					t.Fatalf("Verify after the append that followed the loss: %v", err)
				}
				// 4 kept, the other replica's, a gap event and this process's.
				if want := int64(4 + tc.others + 1 + tc.own); rep.Size != want {
					t.Errorf("verified %d entries, want %d", rep.Size, want)
				}
			})
		})
	}
}
