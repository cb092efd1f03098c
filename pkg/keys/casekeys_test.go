package keys

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

const testCase = "6f1c2a9e-0b7d-4c1e-9a55-2f0e8d3b7c11"

func openCaseKeys(t *testing.T) (*Dir, *CaseKeys) {
	t.Helper()
	d, err := Open(filepath.Join(t.TempDir(), "keys"), "")
	if err != nil {
		t.Fatal(err)
	}
	return d, d.CaseKeys()
}

func TestCaseKeysLifecycle(t *testing.T) {
	d, ck := openCaseKeys(t)
	ring, err := ck.Ensure(testCase, "identity", "support")
	if err != nil {
		t.Fatal(err)
	}
	support, err := ring.Key("support")
	if err != nil || len(support) != 32 {
		t.Fatalf("support key: %v", err)
	}
	again, err := d.CaseKeys().Ensure(testCase, "support", "decision")
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := again.Key("support"); !bytes.Equal(k, support) {
		t.Fatal("Ensure replaced an existing key")
	}
	if got := again.Classes(); len(got) != 3 {
		t.Fatalf("classes %v, want identity, support, decision", got)
	}
	info, err := os.Stat(filepath.Join(d.Path(), caseKeysDir, testCase[:2], testCase[:8]))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("case key file: %v %v", err, info)
	}

	if err := ck.Destroy(testCase, "support"); err != nil {
		t.Fatal(err)
	}
	after, err := d.CaseKeys().Load(testCase)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := after.Key("support"); !errors.Is(err, ErrCaseKeyDestroyed) {
		t.Fatalf("destroyed key: %v, want ErrCaseKeyDestroyed", err)
	}
	if _, err := after.Key("identity"); err != nil {
		t.Fatalf("kept key: %v", err)
	}
	if _, err := after.Key("attachment"); !errors.Is(err, ErrNoCaseKey) {
		t.Fatalf("never-made key: %v, want ErrNoCaseKey", err)
	}
	if _, err := ck.Ensure(testCase, "support"); !errors.Is(err, ErrCaseKeyDestroyed) {
		t.Fatalf("Ensure of a destroyed class: %v, want ErrCaseKeyDestroyed", err)
	}
	// The destroyed key is nowhere in the store, in clear or in a stale file.
	filepath.WalkDir(filepath.Join(d.Path(), caseKeysDir), func(p string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, support) {
				t.Errorf("%s holds the destroyed key", p)
			}
		}
		return nil
	})

	empty, err := ck.Load("0a1b2c3d-0000-4000-8000-000000000000")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := empty.Key("support"); !errors.Is(err, ErrNoCaseKey) {
		t.Fatalf("case without a file: %v, want ErrNoCaseKey", err)
	}
}

func TestCaseKeysRefuseForeignFiles(t *testing.T) {
	d, ck := openCaseKeys(t)
	if _, err := ck.Ensure(testCase, "support"); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(d.Path(), caseKeysDir, testCase[:2], testCase[:8])
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	other := "6f99aa00-1111-4222-8333-444455556666"
	if err := os.WriteFile(filepath.Join(filepath.Dir(src), other[:8]), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ck.Load(other); !errors.Is(err, ErrBadCaseKeys) {
		t.Fatalf("file moved to another case: %v, want ErrBadCaseKeys", err)
	}
	d2, err := Open(filepath.Join(t.TempDir(), "other-keys"), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(d2.Path(), caseKeysDir, testCase[:2]), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d2.Path(), caseKeysDir, testCase[:2], testCase[:8]), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := d2.CaseKeys().Load(testCase); !errors.Is(err, ErrBadCaseKeys) {
		t.Fatalf("file under another master key: %v, want ErrBadCaseKeys", err)
	}
	for i := range raw {
		for _, only := range []bool{false, true} {
			if _, err := ck.decode(testCase, raw[:i], only); !errors.Is(err, ErrBadCaseKeys) {
				t.Fatalf("truncated at %d (one record only %v): %v", i, only, err)
			}
		}
	}
	if _, err := ck.Load("../../etc"); err == nil {
		t.Fatal("a path as case id was accepted")
	}
}

func TestCaseKeysConcurrentEnsure(t *testing.T) {
	_, ck := openCaseKeys(t)
	classes := []string{"identity", "support", "decision", "attachment"}
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			if _, err := ck.Ensure(testCase, classes[i%len(classes)]); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	ring, err := ck.Load(testCase)
	if err != nil {
		t.Fatal(err)
	}
	if got := ring.Classes(); len(got) != len(classes) {
		t.Fatalf("classes %v after concurrent Ensure, want %v", got, classes)
	}
}

// TestNewCaseBatches: concurrent new cases get distinct ids and their own
// keys, sharing batch files; destroying one case's class leaves its batch
// neighbours intact.
func TestNewCaseBatches(t *testing.T) {
	d, ck := openCaseKeys(t)
	const n = 64
	rings := make([]*CaseRing, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := ck.NewCase("identity", "support")
			if err != nil {
				t.Error(err)
			}
			rings[i] = r
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	seen := map[string]bool{}
	for _, r := range rings {
		if !validCaseID(r.CaseID()) || seen[r.CaseID()] {
			t.Fatalf("case id %q invalid or repeated", r.CaseID())
		}
		seen[r.CaseID()] = true
		got, err := d.CaseKeys().Load(r.CaseID())
		if err != nil {
			t.Fatal(err)
		}
		a, _ := got.Key("support")
		b, _ := r.Key("support")
		if len(a) != 32 || !bytes.Equal(a, b) {
			t.Fatalf("case %s: stored key differs from the one returned", r.CaseID())
		}
	}
	files := 0
	filepath.WalkDir(filepath.Join(d.Path(), caseKeysDir), func(_ string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			files++
		}
		return nil
	})
	t.Logf("%d concurrent new cases in %d batch files", n, files)
	if files < 1 || files > n {
		t.Fatalf("%d batch files for %d cases", files, n)
	}
	// A neighbour in the same batch keeps its keys when one case is purged.
	var victim, neighbour *CaseRing
	for _, a := range rings {
		for _, b := range rings {
			if a != b && a.CaseID()[:8] == b.CaseID()[:8] {
				victim, neighbour = a, b
			}
		}
	}
	if victim == nil {
		victim, neighbour = rings[0], rings[1]
	}
	if err := ck.Destroy(victim.CaseID(), "support"); err != nil {
		t.Fatal(err)
	}
	v, _ := ck.Load(victim.CaseID())
	if _, err := v.Key("support"); !errors.Is(err, ErrCaseKeyDestroyed) {
		t.Fatalf("destroyed: %v", err)
	}
	nb, _ := ck.Load(neighbour.CaseID())
	want, _ := neighbour.Key("support")
	if got, err := nb.Key("support"); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the neighbour lost its key: %v", err)
	}
}

// BenchmarkNewCase measures a new case's keys, synced, from concurrent
// registrations (-cpu sets how many).
func BenchmarkNewCase(b *testing.B) {
	d, err := Open(filepath.Join(b.TempDir(), "keys"), "")
	if err != nil {
		b.Fatal(err)
	}
	ck := d.CaseKeys()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := ck.NewCase("identity", "support", "decision", "attachment"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCaseKeysLoad measures what a read adds: one file read and open.
func BenchmarkCaseKeysLoad(b *testing.B) {
	d, err := Open(filepath.Join(b.TempDir(), "keys"), "")
	if err != nil {
		b.Fatal(err)
	}
	ck := d.CaseKeys()
	r, err := ck.NewCase("identity", "support", "decision", "attachment")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ck.Load(r.CaseID()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCaseKeysLoadFullBatch is a read of a case registered under load,
// whose batch file holds the most cases: one record is opened, not all.
func BenchmarkCaseKeysLoadFullBatch(b *testing.B) {
	d, err := Open(filepath.Join(b.TempDir(), "keys"), "")
	if err != nil {
		b.Fatal(err)
	}
	ck := d.CaseKeys()
	batch := make([]*newCase, maxBatchCases)
	for i := range batch {
		batch[i] = &newCase{ring: &CaseRing{keys: map[string][]byte{}}}
		for _, class := range []string{"identity", "support", "decision", "attachment"} {
			batch[i].ring.keys[class] = bytes.Repeat([]byte{byte(i)}, caseKeySize)
		}
	}
	if err := ck.writeBatch(batch); err != nil {
		b.Fatal(err)
	}
	id := batch[maxBatchCases/2].ring.CaseID()
	for b.Loop() {
		r, err := ck.Load(id)
		if err != nil {
			b.Fatal(err)
		}
		if k, err := r.Key("support"); err != nil || k[0] != byte(maxBatchCases/2) {
			b.Fatal("wrong ring")
		}
	}
}

// TestNewCaseSpares: a batch file holds spares that later cases get at
// once, already durable (another reader of the directory finds their
// keys); when they run out a new file is written; spares of one class set
// never go to another.
func TestNewCaseSpares(t *testing.T) {
	d, ck := openCaseKeys(t)
	classes := []string{"identity", "support"}
	files := func() int {
		n := 0
		filepath.WalkDir(filepath.Join(d.Path(), caseKeysDir), func(_ string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				n++
			}
			return nil
		})
		return n
	}
	first, err := ck.NewCase(classes...)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{first.CaseID(): true}
	for i := range spareCases {
		r, err := ck.NewCase(classes...)
		if err != nil {
			t.Fatal(err)
		}
		if seen[r.CaseID()] || r.CaseID()[:batchIDLen] != first.CaseID()[:batchIDLen] {
			t.Fatalf("spare %d: case id %s repeated or outside the first batch %s", i, r.CaseID(), first.CaseID()[:batchIDLen])
		}
		seen[r.CaseID()] = true
		got, err := d.CaseKeys().Load(r.CaseID())
		if err != nil {
			t.Fatal(err)
		}
		for _, class := range classes {
			a, _ := got.Key(class)
			b, _ := r.Key(class)
			if len(a) != caseKeySize || !bytes.Equal(a, b) {
				t.Fatalf("spare %d: stored %s key differs from the one returned", i, class)
			}
		}
	}
	if n := files(); n != 1 {
		t.Fatalf("%d files for 1+%d cases, want 1", n, spareCases)
	}
	next, err := ck.NewCase(classes...)
	if err != nil {
		t.Fatal(err)
	}
	if n := files(); n != 2 || seen[next.CaseID()] {
		t.Fatalf("after the spares ran out: %d files (want 2), id repeated: %v", n, seen[next.CaseID()])
	}
	other, err := ck.NewCase("decision")
	if err != nil {
		t.Fatal(err)
	}
	if n := files(); n != 3 {
		t.Fatalf("another class set took a spare: %d files, want 3", n)
	}
	if got := other.Classes(); len(got) != 1 || got[0] != "decision" {
		t.Fatalf("classes %v, want [decision]", got)
	}
}
