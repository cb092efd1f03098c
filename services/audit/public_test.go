package audit

import (
	"errors"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// The public routes serve only trees a checkpoint signed, prove leaves by
// index with their hash, and do not grow the log.
func TestPublicProofs(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		f := newFixture(t, e, nil)
		if _, err := f.log.PublicCheckpoint(f.ctx); !errors.Is(err, ErrNoCheckpoint) {
			t.Fatalf("checkpoint of an empty log: %v", err)
		}
		f.append(t, "intake", 6)
		cp6 := f.checkpoint(t)
		f.append(t, "intake", 4)
		cp10 := f.checkpoint(t)
		f.append(t, "intake", 3) // not signed yet
		size := f.size(t)

		for _, i := range []int64{0, 5, 9} {
			p, err := f.log.LeafProof(f.ctx, i, 0)
			if err != nil {
				t.Fatalf("LeafProof(%d): %v", i, err)
			}
			if p.Size != 10 || tlog.Hash(p.Root) != cp10.Root || p.Checkpoint != string(cp10.Note) {
				t.Fatalf("LeafProof(%d) against size %d, want the latest checkpoint's", i, p.Size)
			}
			proof := make(tlog.RecordProof, len(p.Proof))
			for j, h := range p.Proof {
				proof[j] = tlog.Hash(h)
			}
			if err := tlog.CheckRecord(proof, 10, cp10.Root, i, tlog.Hash(p.LeafHash)); err != nil {
				t.Fatalf("leaf %d: %v", i, err)
			}
		}
		if p, err := f.log.LeafProof(f.ctx, 2, 6); err != nil || tlog.Hash(p.Root) != cp6.Root {
			t.Fatalf("LeafProof at size 6: %v", err)
		}
		for _, tc := range []struct {
			name        string
			index, size int64
			want        error
		}{
			{"leaf not yet signed", 11, 0, ErrNotCovered},
			{"size beyond the latest checkpoint", 0, 11, ErrBadPublicSize},
			{"negative index", -1, 0, ErrBadPublicSize},
		} {
			if _, err := f.log.LeafProof(f.ctx, tc.index, tc.size); !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			}
		}
		c, err := f.log.PublicConsistency(f.ctx, 6, 10)
		if err != nil || tlog.Hash(c.FromRoot) != cp6.Root || tlog.Hash(c.ToRoot) != cp10.Root {
			t.Fatalf("PublicConsistency: %v", err)
		}
		if _, err := f.log.PublicConsistency(f.ctx, 6, 11); !errors.Is(err, ErrBadPublicSize) {
			t.Fatalf("consistency beyond the latest checkpoint: %v", err)
		}
		if f.size(t) != size {
			t.Fatalf("public reads grew the log from %d to %d", size, f.size(t))
		}
	})
}
