package witness

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/nrm-project/nrm/services/audit"
)

const origin = "example.org/nrm/audit"

// testLog is an in-memory Merkle tree signed like the audit log.
type testLog struct {
	t      *testing.T
	signer note.Signer
	vkey   string
	hashes []tlog.Hash
	size   int64
}

func newTestLog(t *testing.T) *testLog {
	skey, vkey, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return &testLog{t: t, signer: s, vkey: vkey}
}

func (l *testLog) append(n int, tag string) {
	for i := range n {
		hs, err := tlog.StoredHashes(l.size, []byte(fmt.Sprintf("%s-%d", tag, i)), tlog.HashReaderFunc(l.read))
		if err != nil {
			l.t.Fatal(err)
		}
		l.hashes = append(l.hashes, hs...)
		l.size++
	}
}

func (l *testLog) read(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = l.hashes[x]
	}
	return out, nil
}

// checkpoint signs the current tree with signer (nil: the log's key).
func (l *testLog) checkpoint(signer note.Signer) []byte {
	root, err := tlog.TreeHash(l.size, tlog.HashReaderFunc(l.read))
	if err != nil {
		l.t.Fatal(err)
	}
	if signer == nil {
		signer = l.signer
	}
	msg, err := note.Sign(&note.Note{Text: fmt.Sprintf("%s\n%d\n%s\n", origin, l.size, base64.StdEncoding.EncodeToString(root[:]))}, signer)
	if err != nil {
		l.t.Fatal(err)
	}
	return msg
}

func (l *testLog) proof(from int64) []tlog.Hash {
	p, err := tlog.ProveTree(l.size, from, tlog.HashReaderFunc(l.read))
	if err != nil {
		l.t.Fatal(err)
	}
	return p
}

func newWitness(t *testing.T, logKey, dir string) (*Witness, note.Verifier) {
	skey, vkey, err := note.GenerateKey(rand.Reader, "witness.example.org")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	w, err := New(Config{LogKey: logKey, Signer: s, StateDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return w, v
}

// The witness cosigns a log that only grows, and refuses, with evidence
// kept, a fork: another tree of a witnessed size, or a tree that does not
// extend the witnessed one.
func TestWitnessCosignsGrowthAndRefusesForks(t *testing.T) {
	l := newTestLog(t)
	dir := t.TempDir()
	w, wv := newWitness(t, l.vkey, dir)
	logV, _ := note.NewVerifier(l.vkey)

	l.append(5, "a")
	first := l.checkpoint(nil)
	cosigned, err := w.Add(0, nil, first)
	if err != nil {
		t.Fatalf("first checkpoint: %v", err)
	}
	n, err := note.Open(cosigned, note.VerifierList(logV, wv))
	if err != nil || len(n.Sigs) != 2 {
		t.Fatalf("cosigned note: %v, %d signatures, want the log's and the witness's", err, len(n.Sigs))
	}

	l.append(4, "b")
	if _, err := w.Add(5, l.proof(5), l.checkpoint(nil)); err != nil {
		t.Fatalf("a consistent extension: %v", err)
	}
	var conflict *ConflictError
	if _, err := w.Add(5, l.proof(5), l.checkpoint(nil)); !errors.As(err, &conflict) || conflict.Size != 9 {
		t.Fatalf("a stale old size: %v, want a conflict naming 9", err)
	}
	if _, err := w.Add(9, nil, l.checkpoint(nil)); err != nil {
		t.Fatalf("the same checkpoint again: %v", err)
	}

	// A fork: the same key signs another tree of 9 entries.
	other := newTestLog(t)
	other.signer, other.vkey = l.signer, l.vkey
	other.append(9, "forged")
	if _, err := w.Add(9, nil, other.checkpoint(nil)); !errors.Is(err, ErrFork) {
		t.Fatalf("two trees of one size: %v, want ErrFork", err)
	}
	// A rewritten history growing past it: no consistency proof holds.
	other.append(3, "more")
	if _, err := w.Add(9, other.proof(9), other.checkpoint(nil)); !errors.Is(err, ErrFork) {
		t.Fatalf("a rewritten history: %v, want ErrFork", err)
	}
	if ev, _ := os.ReadDir(filepath.Join(dir, "forks")); len(ev) != 2 {
		t.Fatalf("%d pieces of fork evidence, want 2", len(ev))
	}

	// Another key's checkpoint is refused.
	stranger := newTestLog(t)
	stranger.append(12, "x")
	if _, err := w.Add(9, nil, stranger.checkpoint(nil)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("another key: %v, want ErrBadSignature", err)
	}

	// The state survives a restart, and still refuses the fork.
	w2, _ := newWitness(t, l.vkey, dir)
	if !bytes.Contains(w2.Latest(), []byte("\n9\n")) {
		t.Fatalf("after restart the witness holds %q", w2.Latest())
	}
	other2 := newTestLog(t)
	other2.signer, other2.vkey = l.signer, l.vkey
	other2.append(9, "forged-again")
	if _, err := w2.Add(9, nil, other2.checkpoint(nil)); !errors.Is(err, ErrFork) {
		t.Fatalf("fork after restart: %v", err)
	}
}

// The HTTP routes map each outcome to its status.
func TestWitnessHTTP(t *testing.T) {
	l := newTestLog(t)
	w, _ := newWitness(t, l.vkey, t.TempDir())
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	post := func(body []byte) (int, string) {
		resp, err := http.Post(srv.URL+AddPath, "text/plain", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.String()
	}
	if resp, _ := http.Get(srv.URL + CheckpointPath); resp.StatusCode != 404 {
		t.Fatalf("nothing witnessed: %d", resp.StatusCode)
	}
	l.append(3, "a")
	if st, b := post(audit.EncodeWitnessRequest(0, nil, l.checkpoint(nil))); st != 200 || !strings.Contains(b, "— witness.example.org ") {
		t.Fatalf("add: %d %s", st, b)
	}
	l.append(2, "b")
	if st, b := post(audit.EncodeWitnessRequest(0, nil, l.checkpoint(nil))); st != 409 || strings.TrimSpace(b) != "3" {
		t.Fatalf("stale size: %d %q, want 409 naming 3", st, b)
	}
	if st, _ := post([]byte("garbage")); st != 400 {
		t.Fatalf("garbage: %d", st)
	}
	forged := newTestLog(t)
	forged.append(5, "x")
	if st, _ := post(audit.EncodeWitnessRequest(3, l.proof(3), forged.checkpoint(nil))); st != 403 {
		t.Fatalf("another key: %d", st)
	}
	fork := newTestLog(t)
	fork.signer, fork.vkey = l.signer, l.vkey
	fork.append(3, "forged")
	if st, _ := post(audit.EncodeWitnessRequest(3, nil, fork.checkpoint(nil))); st != 422 {
		t.Fatalf("fork: %d, want 422", st)
	}
}
