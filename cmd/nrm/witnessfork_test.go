package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// A deployment pushes its checkpoints to a witness run with nrm witness;
// an outside verifier, with the public routes, the witness and tlog/note
// alone, accepts the deployment's log as the witness saw it, and detects
// a fork: the operator, who holds the log's key, signs another tree of a
// witnessed size, which the witness refuses and the verifier tells apart.
func TestWitnessDetectsAForkedLog(t *testing.T) {
	w := startWitnessedServer(t)
	root, s, skey, vkey, wURL, logV, witV := w.root, w.server, w.logKey, w.logVKey, w.url, w.logV, w.witV
	if got := strings.TrimSpace(string(publicGet(t, s.base+"/api/v1/audit/public/key", 200))); got != vkey {
		t.Fatalf("the deployment serves key %q, want %q", got, vkey)
	}

	// The witness cosigns the deployment's checkpoints: both signatures.
	witnessed := waitWitnessed(t, wURL, logV, witV)
	latest := waitCheckpoint(t, s.base, logV, witnessed.size)
	if latest.size == witnessed.size && latest.root != witnessed.root {
		t.Fatal("the deployment and its witness disagree on an honest log")
	}
	if latest.size > witnessed.size {
		var c struct {
			FromRoot []byte   `json:"from_root"`
			ToRoot   []byte   `json:"to_root"`
			Proof    [][]byte `json:"proof"`
		}
		b := publicGet(t, fmt.Sprintf("%s/api/v1/audit/public/consistency?from=%d&to=%d", s.base, witnessed.size, latest.size), 200)
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(hashes(t, c.Proof), latest.size, latest.root, witnessed.size, witnessed.root); err != nil {
			t.Fatalf("the deployment's tree does not extend the witnessed one: %v", err)
		}
	}

	// The fork: another tree of the witnessed size, under the log's key.
	signer, _ := note.NewSigner(skey)
	var other tlog.Hash
	copy(other[:], "a different history of that size")
	forked, err := note.Sign(&note.Note{Text: fmt.Sprintf("nrm.local/audit\n%d\n%s\n", witnessed.size, base64.StdEncoding.EncodeToString(other[:]))}, signer)
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(forked, note.VerifierList(logV))
	if err != nil {
		t.Fatalf("the forged checkpoint is not validly signed: %v", err)
	}
	// Its signature alone cannot tell it apart; the witness's checkpoint can.
	if size, root := treeOf(t, n.Text); size == witnessed.size && root != witnessed.root {
		t.Logf("fork detected: two checkpoints of %d entries, roots %x and %x", size, root[:4], witnessed.root[:4])
	} else {
		t.Fatal("the verifier did not detect the fork")
	}
	// Pushed to the witness as a forked log would, it is refused, and the
	// witness keeps its checkpoint and the evidence.
	body := append([]byte(fmt.Sprintf("old %d\n\n", witnessed.size)), forked...)
	resp, err := http.Post(wURL+"/add-checkpoint", "text/plain", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("the witness answered %d to a fork, want 422", resp.StatusCode)
	}
	if after := waitWitnessed(t, wURL, logV, witV); after.size < witnessed.size || (after.size == witnessed.size && after.root != witnessed.root) {
		t.Fatalf("the witness moved to %d %x after the fork", after.size, after.root[:4])
	}
	if ev, _ := os.ReadDir(filepath.Join(root, "witness", "forks")); len(ev) != 1 {
		t.Fatalf("%d pieces of fork evidence, want 1", len(ev))
	}
}

// startWitness runs nrm witness and returns its URL and verifier key.
func startWitness(t *testing.T, state, logKey string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"witness", "--addr", "127.0.0.1:0", "--state", state, "--log-key", logKey}, nil, out, errb)
	}()
	t.Cleanup(func() { cancel(); <-done })
	re := regexp.MustCompile(`(?s)witness key (\S+)\nlistening on (http://\S+)`)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[2], m[1]
		}
	}
	t.Fatalf("witness did not start: %s", errb.String())
	return "", ""
}

// waitWitnessed returns the witness's checkpoint once it carries both the
// log's and the witness's signatures.
func waitWitnessed(t *testing.T, wURL string, logV, witV note.Verifier) signedTree {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(wURL + "/checkpoint")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			continue
		}
		n, err := note.Open(b, note.VerifierList(logV, witV))
		if err != nil || len(n.Sigs) != 2 {
			t.Fatalf("witnessed checkpoint: %v, %d signatures, want the log's and the witness's:\n%s", err, len(n.Sigs), b)
		}
		size, root := treeOf(t, n.Text)
		return signedTree{size: size, root: root}
	}
	t.Fatal("the witness cosigned nothing")
	return signedTree{}
}

func treeOf(t *testing.T, text string) (int64, tlog.Hash) {
	t.Helper()
	lines := strings.Split(text, "\n")
	if len(lines) < 4 {
		t.Fatalf("checkpoint body %q", text)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	h, herr := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || herr != nil || len(h) != tlog.HashSize {
		t.Fatalf("checkpoint body %q", text)
	}
	return size, tlog.Hash(h)
}

// witnessed is a deployment whose checkpoints a witness cosigns.
type witnessed struct {
	root, keysDir string
	server        *server
	logKey        string // the log's signer key (the operator holds it)
	logVKey       string // and its verifier key
	url, key      string // the witness and its verifier key
	logV, witV    note.Verifier
}

// startWitnessedServer makes the log's key first (so that the witness can
// be told it, as a deployment gives its witnesses GET
// /api/v1/audit/public/key), then a witness, then the deployment pushing
// its checkpoints to it.
func startWitnessedServer(t *testing.T) witnessed {
	t.Helper()
	w := witnessed{root: t.TempDir()}
	w.keysDir = filepath.Join(w.root, "keys")
	skey, vkey, err := note.GenerateKey(rand.Reader, "nrm.local/audit")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(w.keysDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.keysDir, "audit-checkpoint.key"), []byte(base64.StdEncoding.EncodeToString([]byte(skey))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.url, w.key = startWitness(t, filepath.Join(w.root, "witness"), vkey)
	w.server = startServer(t, "--keys", w.keysDir, "--data", filepath.Join(w.root, "data"), "--demo", "--witness", w.url+"/add-checkpoint", "--checkpoint-interval", "1s")
	w.logKey, w.logVKey = skey, vkey
	if w.logV, err = note.NewVerifier(vkey); err != nil {
		t.Fatal(err)
	}
	if w.witV, err = note.NewVerifier(w.key); err != nil {
		t.Fatalf("witness key %q: %v", w.key, err)
	}
	return w
}
