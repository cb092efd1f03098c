package keys

import (
	"bytes"
	"path/filepath"
	"sync"
	"testing"
)

// Processes started together on one key directory (the replicas of a
// split deployment, or nrm keys export run for each service at once)
// write into it at the same moment. Each writer goes through a temporary
// file of its own: every one of them succeeds, and every reader sees a
// whole file or none.
func TestWritersStartedTogether(t *testing.T) {
	const writers = 16
	together := func(t *testing.T, fn func(i int) error) {
		t.Helper()
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = fn(i)
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("writer %d: %v", i, err)
			}
		}
	}
	for round := range 20 {
		root := t.TempDir()
		full := filepath.Join(root, "keys")

		// A fresh directory opened by all at once: one master key, whole.
		dirs := make([]*Dir, writers)
		together(t, func(i int) (err error) { dirs[i], err = Open(full, ""); return err })
		if t.Failed() {
			t.Fatalf("round %d: opening a new key directory together failed", round)
		}
		for _, d := range dirs[1:] {
			if !bytes.Equal(d.Subkey(PurposeWrap), dirs[0].Subkey(PurposeWrap)) {
				t.Fatalf("round %d: writers started together hold different master keys", round)
			}
		}

		// One service's keys exported by all at once, while others open
		// the exported directory.
		out := filepath.Join(root, "stats")
		if err := Export(dirs[0], out, []Purpose{PurposeClientAddress}, nil, nil); err != nil {
			t.Fatal(err)
		}
		together(t, func(i int) error {
			if i%2 == 0 {
				_, err := Open(out, "")
				return err
			}
			return Export(dirs[i], out, []Purpose{PurposeClientAddress}, map[string]string{"db-password:x_stats": "pw"}, nil)
		})
		if t.Failed() {
			t.Fatalf("round %d: exporting into one directory together failed", round)
		}
	}
}
