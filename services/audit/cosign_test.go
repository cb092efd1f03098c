package audit

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// testWitness cosigns whatever the log's key signed, answering the whole
// cosigned note or, after C2SP tlog-witness, the signature lines alone.
type testWitness struct {
	logKey    atomic.Value // string: the log's verifier key, set once the log exists
	signer    note.Signer
	vkey      string
	linesOnly bool
	answer    func(cosigned []byte) []byte // nil: the honest answer
}

func newTestWitness(t *testing.T, name string) *testWitness {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return &testWitness{signer: s, vkey: vkey}
}

func (w *testWitness) serve(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		logV, err := note.NewVerifier(w.logKey.Load().(string))
		if err != nil {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
			return
		}
		b, _ := io.ReadAll(r.Body)
		_, _, msg, err := DecodeWitnessRequest(b)
		if err != nil {
			http.Error(rw, "bad request", http.StatusBadRequest)
			return
		}
		n, err := note.Open(msg, note.VerifierList(logV))
		if err != nil {
			http.Error(rw, "not the log's", http.StatusForbidden)
			return
		}
		out, err := note.Sign(n, w.signer)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
			return
		}
		if w.linesOnly {
			out = out[len(msg):]
		}
		if w.answer != nil {
			out = w.answer(out)
		}
		_, _ = rw.Write(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// The log collects its witnesses' cosignatures into the checkpoint it
// serves (publicly, to auditors, with proofs) and into its copy outside the
// database; a verifier holding the witnesses' keys accepts it with as many
// cosignatures as it requires and no more.
func TestCheckpointCarriesWitnessCosignatures(t *testing.T) {
	t.Parallel()
	whole, lines := newTestWitness(t, "witness-a"), newTestWitness(t, "witness-b")
	lines.linesOnly = true
	stranger := newTestWitness(t, "witness-c")
	f := newFixture(t, dbtest.SQLite(t), func(c *Config) { c.Witnesses = []string{whole.serve(t), lines.serve(t)} })
	vkey := f.log.VerifierKey()
	whole.logKey.Store(vkey)
	lines.logKey.Store(vkey)
	f.append(t, "intake", 5)
	cp := f.checkpoint(t)

	served, err := f.log.PublicCheckpoint(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for where, msg := range map[string][]byte{"checkpoint returned": cp.Note, "public checkpoint": served} {
		if err := CheckCosignatures(msg, vkey, []string{whole.vkey, lines.vkey}, 2); err != nil {
			t.Errorf("%s: %v\n%s", where, err, msg)
		}
	}
	file, err := os.ReadFile(filepath.Join(f.cpDir, "5"))
	if err != nil || !bytes.Equal(file, served) {
		t.Errorf("the copy beside the checkpoints is not the cosigned checkpoint: %v\n%s", err, file)
	}
	stored, err := latestCheckpoint(f.ctx, f.db)
	if err != nil || strings.Contains(string(stored.Note), "witness-") {
		t.Errorf("cosignatures went into the database (%v): they live outside it", err)
	}
	if lp, err := f.log.LeafProof(f.ctx, 0, 0); err != nil || lp.Checkpoint != string(served) {
		t.Errorf("the inclusion proof's checkpoint lacks the cosignatures: %v", err)
	}

	var short *CosignatureError
	if err := CheckCosignatures(served, vkey, []string{whole.vkey, stranger.vkey}, 2); !errors.As(err, &short) || short.Have != 1 {
		t.Errorf("two required, one of them a witness that never cosigned: %v, want 1 of 2", err)
	}
	if err := CheckCosignatures(served, whole.vkey, []string{lines.vkey}, 1); err == nil {
		t.Error("a checkpoint accepted under a witness's key as the log's")
	}
}

// A cosignature line that does not verify under its witness's key is
// refused, whether the log was handed it or someone wrote it into the copy.
func TestForgedCosignatureIsRefused(t *testing.T) {
	t.Parallel()
	honest, forger := newTestWitness(t, "witness-a"), newTestWitness(t, "witness-a")
	f := newFixture(t, dbtest.SQLite(t), func(c *Config) { c.Witnesses = []string{honest.serve(t)} })
	vkey := f.log.VerifierKey()
	honest.logKey.Store(vkey)
	f.append(t, "intake", 3)
	cp := f.checkpoint(t)

	// The forger signs under the honest witness's name and key hash.
	forged := swapSignature(t, cp.Note, honest, forger)
	if err := CheckCosignatures(forged, vkey, []string{honest.vkey}, 1); err == nil {
		t.Fatal("a forged cosignature was accepted")
	}
	// Planted in the copy outside the database: the log serves what the
	// verifier refuses, never a checkpoint that passes.
	if err := os.WriteFile(filepath.Join(f.cpDir, "3"), forged, 0o644); err != nil {
		t.Fatal(err)
	}
	served, err := f.log.PublicCheckpoint(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckCosignatures(served, vkey, []string{honest.vkey}, 1); err == nil {
		t.Fatal("the planted cosignature verified")
	}

	// A witness answering for another checkpoint adds nothing.
	other := newTestWitness(t, "witness-d")
	other.answer = func([]byte) []byte { return []byte("nrm.local/audit\n1\nAAAA\n\n\u2014 witness-d AAAAAAAA\n") }
	g := newFixture(t, dbtest.SQLite(t), func(c *Config) { c.Witnesses = []string{other.serve(t)} })
	other.logKey.Store(g.log.VerifierKey())
	g.append(t, "intake", 2)
	if cp := g.checkpoint(t); strings.Contains(string(cp.Note), "witness-d") {
		t.Errorf("a cosignature of another checkpoint was collected:\n%s", cp.Note)
	}
}

// swapSignature replaces honest's signature line in msg with forger's
// signature of the same text, under honest's name and key hash.
func swapSignature(t *testing.T, msg []byte, honest, forger *testWitness) []byte {
	t.Helper()
	hv, err := note.NewVerifier(honest.vkey)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := forger.signer.Sign(noteText(msg))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.SplitAfter(string(msg), "\n") {
		if strings.HasPrefix(l, "\u2014 "+honest.signer.Name()+" ") {
			prefix := binary.BigEndian.AppendUint32(nil, hv.KeyHash())
			l = "\u2014 " + hv.Name() + " " + base64.StdEncoding.EncodeToString(append(prefix, sig...)) + "\n"
		}
		out = append(out, l)
	}
	return []byte(strings.Join(out, ""))
}

// Told its witnesses' keys, the log keeps only cosignatures that verify
// under them: a line of a key it was not given is dropped, and a witness
// answering with a forged line of another witness's key is not heard.
func TestCollectedCosignaturesVerifyUnderWitnessKeys(t *testing.T) {
	t.Parallel()
	a, b, z, forger := newTestWitness(t, "witness-a"), newTestWitness(t, "witness-b"), newTestWitness(t, "witness-z"), newTestWitness(t, "witness-a")
	// b adds a stranger's valid line to its own; forger signs as a.
	b.answer = func(cosigned []byte) []byte {
		out, err := note.Sign(&note.Note{Text: string(noteText(cosigned))}, z.signer)
		if err != nil {
			t.Error(err)
		}
		return append(cosigned, out[len(noteText(cosigned))+1:]...)
	}
	forger.answer = func(cosigned []byte) []byte { return swapSignature(t, cosigned, a, forger) }
	f := newFixture(t, dbtest.SQLite(t), func(c *Config) {
		c.Witnesses = []string{forger.serve(t), a.serve(t), b.serve(t)}
		c.WitnessKeys = []string{a.vkey, b.vkey}
	})
	for _, w := range []*testWitness{a, b, forger} {
		w.logKey.Store(f.log.VerifierKey())
	}
	f.append(t, "intake", 4)
	f.checkpoint(t)
	served, err := f.log.PublicCheckpoint(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckCosignatures(served, f.log.VerifierKey(), []string{a.vkey, b.vkey}, 2); err != nil {
		t.Errorf("the honest witnesses' cosignatures: %v\n%s", err, served)
	}
	if n := strings.Count(string(served), "\u2014 witness-a "); n != 1 {
		t.Errorf("%d signature lines of witness-a, want its own only:\n%s", n, served)
	}
	if strings.Contains(string(served), "witness-z") {
		t.Errorf("a line of a key the log was not given was collected:\n%s", served)
	}
	if _, err := New(Config{DB: f.db, Keys: f.keys, WitnessKeys: []string{"not a key"}}); err == nil {
		t.Error("a malformed witness key accepted")
	}
}
