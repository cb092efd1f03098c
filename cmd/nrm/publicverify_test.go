package main

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// An outside verifier checks a running deployment with the public audit
// routes and golang.org/x/mod/sumdb/tlog and note alone, as docs/audit.md
// describes: no project package is used below startServer and the demo
// credentials (which only make events happen).
func TestPublicAuditRoutesVerifyFromOutside(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s := startServer(t, "--keys", filepath.Join(root, "keys"), "--data", filepath.Join(root, "data"), "--demo", "--checkpoint-interval", "1s")
	creds := demoCredentials(t, s.stdout.String())
	login(t, s.base, creds["officer@police.demo"]) // events to log

	vkey := strings.TrimSpace(string(publicGet(t, s.base+"/api/v1/audit/public/key", 200)))
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatalf("verifier key %q: %v", vkey, err)
	}
	cp1 := waitCheckpoint(t, s.base, verifier, 1)

	// Inclusion of the first, a middle and the last leaf of that tree.
	for _, i := range []int64{0, cp1.size / 2, cp1.size - 1} {
		p := leafProof(t, s.base, i, 0)
		if p.Size != cp1.size || tlog.Hash(p.Root) != cp1.root {
			t.Fatalf("proof of %d is against size %d, root %x; checkpoint %d, %x", i, p.Size, p.Root, cp1.size, cp1.root)
		}
		if err := tlog.CheckRecord(hashes(t, p.Proof), p.Size, cp1.root, i, tlog.Hash(p.LeafHash)); err != nil {
			t.Fatalf("inclusion of leaf %d: %v", i, err)
		}
		forged := tlog.Hash(p.LeafHash)
		forged[0] ^= 1
		if tlog.CheckRecord(hashes(t, p.Proof), p.Size, cp1.root, i, forged) == nil {
			t.Fatal("a forged leaf hash verified")
		}
	}

	// The leaf encoding of docs/audit.md gives the published leaf hash of
	// an event an auditor can read.
	auditor := login(t, s.base, creds["auditor@commission.demo"])
	st, b := call(t, "GET", s.base+"/api/v1/audit/events?after=-1&limit=5", auditor, nil)
	var page struct {
		Events []map[string]any `json:"events"`
	}
	if st != 200 || json.Unmarshal(b, &page) != nil || len(page.Events) == 0 {
		t.Fatalf("events: %d %s", st, b)
	}
	for _, ev := range page.Events {
		i := int64(ev["index"].(float64))
		if i >= cp1.size {
			continue
		}
		if got, want := tlog.RecordHash(docLeaf(t, ev)), tlog.Hash(leafProof(t, s.base, i, 0).LeafHash); got != want {
			t.Fatalf("leaf %d: hash of the documented encoding %x, published %x", i, got, want)
		}
	}

	// A later checkpoint, consistent with the first.
	cp2 := waitCheckpoint(t, s.base, verifier, cp1.size+1)
	var c struct {
		From     int64    `json:"from"`
		To       int64    `json:"to"`
		FromRoot []byte   `json:"from_root"`
		ToRoot   []byte   `json:"to_root"`
		Proof    [][]byte `json:"proof"`
	}
	b = publicGet(t, fmt.Sprintf("%s/api/v1/audit/public/consistency?from=%d&to=%d", s.base, cp1.size, cp2.size), 200)
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	if tlog.Hash(c.FromRoot) != cp1.root || tlog.Hash(c.ToRoot) != cp2.root {
		t.Fatal("consistency proof roots differ from the signed checkpoints")
	}
	if err := tlog.CheckTree(hashes(t, c.Proof), cp2.size, cp2.root, cp1.size, cp1.root); err != nil {
		t.Fatalf("consistency %d -> %d: %v", cp1.size, cp2.size, err)
	}
	// Against an older size: the leaf is still proven.
	p := leafProof(t, s.base, 0, cp1.size)
	if err := tlog.CheckRecord(hashes(t, p.Proof), cp1.size, cp1.root, 0, tlog.Hash(p.LeafHash)); err != nil {
		t.Fatalf("inclusion at size %d: %v", cp1.size, err)
	}

	// Only signed sizes are served, and indexes are numbers.
	for _, u := range []string{
		fmt.Sprintf("/api/v1/audit/public/proofs/0?size=%d", cp2.size+1000),
		fmt.Sprintf("/api/v1/audit/public/consistency?from=1&to=%d", cp2.size+1000),
		"/api/v1/audit/public/proofs/7b0c6f1e-3d0a-4c55-9d7e-2a4f7c9e1b00",
		"/api/v1/audit/public/proofs/-1",
	} {
		publicGet(t, s.base+u, 400)
	}
	publicGet(t, fmt.Sprintf("%s/api/v1/audit/public/proofs/%d?size=%d", s.base, cp1.size, cp1.size), 409)
}

type signedTree struct {
	size int64
	root tlog.Hash
}

// waitCheckpoint polls the public checkpoint until one of at least min
// leaves is published, checks its signature and origin, and parses it.
func waitCheckpoint(t *testing.T, base string, v note.Verifier, min int64) signedTree {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for {
		resp, err := http.Get(base + "/api/v1/audit/public/checkpoint")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 200 {
			n, err := note.Open(b, note.VerifierList(v))
			if err != nil {
				t.Fatalf("checkpoint signature: %v\n%s", err, b)
			}
			lines := strings.Split(n.Text, "\n")
			if len(lines) < 4 || lines[0] != v.Name() {
				t.Fatalf("checkpoint body %q: want the origin %q first", n.Text, v.Name())
			}
			size, err := strconv.ParseInt(lines[1], 10, 64)
			h, herr := base64.StdEncoding.DecodeString(lines[2])
			if err != nil || herr != nil || len(h) != tlog.HashSize {
				t.Fatalf("checkpoint body %q", n.Text)
			}
			if size >= min {
				return signedTree{size: size, root: tlog.Hash(h)}
			}
		} else if resp.StatusCode != 404 {
			t.Fatalf("checkpoint: %d %s", resp.StatusCode, b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint of %d leaves or more", min)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

type publicLeafProof struct {
	Index    int64    `json:"index"`
	Size     int64    `json:"size"`
	LeafHash []byte   `json:"leaf_hash"`
	Root     []byte   `json:"root"`
	Proof    [][]byte `json:"proof"`
}

func leafProof(t *testing.T, base string, index, size int64) publicLeafProof {
	t.Helper()
	u := fmt.Sprintf("%s/api/v1/audit/public/proofs/%d", base, index)
	if size > 0 {
		u += "?size=" + strconv.FormatInt(size, 10)
	}
	b := publicGet(t, u, 200)
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for k := range raw {
		switch k {
		case "index", "size", "leaf_hash", "root", "proof", "checkpoint":
		default:
			t.Fatalf("public proof carries %q: %s", k, b) // never the event
		}
	}
	var p publicLeafProof
	if err := json.Unmarshal(b, &p); err != nil || p.Index != index || len(p.LeafHash) != tlog.HashSize {
		t.Fatalf("proof %s: %v", b, err)
	}
	return p
}

func publicGet(t *testing.T, u string, want int) []byte {
	t.Helper()
	resp, err := http.Get(u) // no token
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d %s, want %d", u, resp.StatusCode, b, want)
	}
	return b
}

func hashes(t *testing.T, bs [][]byte) []tlog.Hash {
	t.Helper()
	out := make([]tlog.Hash, len(bs))
	for i, b := range bs {
		if len(b) != tlog.HashSize {
			t.Fatalf("proof hash of %d bytes", len(b))
		}
		out[i] = tlog.Hash(b)
	}
	return out
}

// docLeaf encodes an event as docs/audit.md says, from its JSON alone.
func docLeaf(t *testing.T, ev map[string]any) []byte {
	t.Helper()
	str := func(k string) string { s, _ := ev[k].(string); return s }
	at, err := time.Parse(time.RFC3339Nano, str("time"))
	if err != nil {
		t.Fatal(err)
	}
	seq, _ := ev["seq"].(float64)
	b := []byte("nrm-audit-v1\n")
	b = binary.BigEndian.AppendUint64(b, uint64(at.UnixMicro()))
	b = binary.BigEndian.AppendUint64(b, uint64(int64(seq)))
	for _, k := range []string{"id", "source", "actor_user", "actor_org", "actor_role", "action",
		"object_type", "object_id", "outcome", "request_id", "client_hash"} {
		b = binary.BigEndian.AppendUint16(b, uint16(len(str(k))))
		b = append(b, str(k)...)
	}
	return b
}

// The public routes count against the per-address rate limit like every
// route: a stranger cannot make the server compute proofs without bound.
func TestPublicAuditRoutesAreRateLimited(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	s := startServer(t, "--keys", filepath.Join(root, "keys"), "--data", filepath.Join(root, "data"), "--rate-address", "0.01")
	limited := 0
	for range 20 { // a burst of 4 is allowed, then one request per 100 s
		resp, err := http.Get(s.base + "/api/v1/audit/public/proofs/0")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited < 15 {
		t.Fatalf("%d of 20 requests refused, want at least 15", limited)
	}
}
