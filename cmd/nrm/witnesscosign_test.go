package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// A deployment collects its witness's cosignature into the checkpoint it
// serves; nrm audit verify --url --witness-key accepts it with that
// witness's key, refuses it when a required witness did not cosign, and
// refuses a cosignature planted in the checkpoint copies by someone without
// the witness's key.
func TestCheckpointCosignedByWitness(t *testing.T) {
	t.Parallel()
	w := startWitnessedServer(t)
	keysDir, s, wKey, logV, witV := w.keysDir, w.server, w.key, w.logV, w.witV

	cosigned := waitCosigned(t, s.base, logV, witV)
	verify := func(args ...string) (int, string) {
		t.Helper()
		var out, errb syncBuffer
		code := run(context.Background(), append([]string{"audit", "verify", "--url", s.base}, args...), nil, &out, &errb)
		return code, out.String() + errb.String()
	}
	if code, out := verify("--witness-key", wKey); code != 0 || !strings.Contains(out, "witnessed") {
		t.Fatalf("cosigned by the witness: %d %s", code, out)
	}
	_, otherKey, _ := note.GenerateKey(rand.Reader, "another-witness")
	if code, out := verify("--witness-key", wKey, "--witness-key", otherKey); code != 1 || !strings.Contains(out, "1 valid cosignatures") {
		t.Fatalf("two witnesses required, one cosigned: %d %s, want 1", code, out)
	}
	if code, out := verify("--witness-key", wKey, "--witness-key", otherKey, "--min-cosignatures", "1"); code != 0 {
		t.Fatalf("one of two required: %d %s", code, out)
	}
	if code, out := verify("--witness-key", wKey, "--min-cosignatures", "2"); code != 2 {
		t.Fatalf("more cosignatures required than keys given: %d %s, want 2", code, out)
	}

	// Someone who can write the checkpoint copies, but lacks the witness's
	// key, replaces its cosignature with one of their own making.
	size := treeSizeOf(t, cosigned, logV)
	forgerKey, _, _ := note.GenerateKey(rand.Reader, witV.Name())
	forger, _ := note.NewSigner(forgerKey)
	for attempt := 0; ; attempt++ {
		forged := forgeCosignature(t, cosigned, witV, forger)
		if err := os.WriteFile(filepath.Join(keysDir, "checkpoints", strconv.FormatInt(size, 10)), forged, 0o644); err != nil {
			t.Fatal(err)
		}
		served := publicGet(t, s.base+"/api/v1/audit/public/checkpoint", 200)
		if string(served) == string(forged) {
			break
		}
		if attempt == 20 {
			t.Fatalf("the deployment does not serve the planted copy:\n%s", served)
		}
		// A newer checkpoint came: plant beside that one.
		cosigned = waitCosigned(t, s.base, logV, witV)
		size = treeSizeOf(t, cosigned, logV)
	}
	if code, out := verify("--witness-key", wKey); code != 1 || !strings.Contains(out, "TAMPERED") {
		t.Fatalf("forged cosignature: %d %s, want 1", code, out)
	}
}

// waitCosigned polls the public checkpoint until it carries the log's and
// the witness's valid signatures.
func waitCosigned(t *testing.T, base string, logV, witV note.Verifier) []byte {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(base + "/api/v1/audit/public/checkpoint")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			continue
		}
		n, err := note.Open(b, note.VerifierList(logV, witV))
		if err != nil {
			t.Fatalf("served checkpoint: %v\n%s", err, b)
		}
		if len(n.Sigs) == 2 {
			return b
		}
	}
	t.Fatal("the deployment never served a checkpoint cosigned by its witness")
	return nil
}

func treeSizeOf(t *testing.T, msg []byte, logV note.Verifier) int64 {
	t.Helper()
	n, err := note.Open(msg, note.VerifierList(logV))
	if err != nil {
		t.Fatal(err)
	}
	size, _ := treeOf(t, n.Text)
	return size
}

// forgeCosignature replaces witV's signature line in msg with forger's
// signature of the same text under witV's name and key hash.
func forgeCosignature(t *testing.T, msg []byte, witV note.Verifier, forger note.Signer) []byte {
	t.Helper()
	text := msg[:strings.LastIndex(string(msg), "\n\n")+1]
	sig, err := forger.Sign(text)
	if err != nil {
		t.Fatal(err)
	}
	prefix := "\u2014 " + witV.Name() + " "
	var out strings.Builder
	for _, l := range strings.SplitAfter(string(msg), "\n") {
		if strings.HasPrefix(l, prefix) {
			l = prefix + base64.StdEncoding.EncodeToString(append(binary.BigEndian.AppendUint32(nil, witV.KeyHash()), sig...)) + "\n"
		}
		out.WriteString(l)
	}
	return []byte(out.String())
}
