package main

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// nrm audit verify --url checks a running deployment from outside,
// keeping the last verified checkpoint on disk, with documented exit
// codes: 0 intact, 1 tampered, 2 usage, 3 unreachable.
func TestAuditVerifyURL(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	keysDir := filepath.Join(root, "keys")
	s := startServer(t, "--keys", keysDir, "--data", filepath.Join(root, "data"), "--demo", "--checkpoint-interval", "1s")
	login(t, s.base, demoCredentials(t, s.stdout.String())["officer@police.demo"])
	verifier, err := note.NewVerifier(strings.TrimSpace(string(publicGet(t, s.base+"/api/v1/audit/public/key", 200))))
	if err != nil {
		t.Fatal(err)
	}
	first := waitCheckpoint(t, s.base, verifier, 1)
	state := filepath.Join(t.TempDir(), "trusted-checkpoint")

	verify := func(args ...string) (int, string) {
		t.Helper()
		var out, errb syncBuffer
		code := run(context.Background(), append([]string{"audit", "verify"}, args...), nil, &out, &errb)
		return code, out.String() + errb.String()
	}
	if code, out := verify("--url", s.base, "--trusted", state); code != 0 || !strings.Contains(out, "nothing trusted to compare with yet") {
		t.Fatalf("first run: %d %s", code, out)
	}
	kept, err := os.ReadFile(state)
	if err != nil {
		t.Fatalf("trusted checkpoint not kept: %v", err)
	}
	// Incrementally, with the key pinned: the log grew (the login of the
	// auditor below, and the reads) and is consistent.
	login(t, s.base, demoCredentials(t, s.stdout.String())["auditor@commission.demo"])
	waitCheckpoint(t, s.base, verifier, first.size+1)
	if code, out := verify("--url", s.base, "--trusted", state, "--verifier-key", filepath.Join(keysDir, "audit-checkpoint.pub")); code != 0 || !strings.Contains(out, "consistent with the trusted checkpoint") {
		t.Fatalf("second run: %d %s", code, out)
	}
	if b, _ := os.ReadFile(state); string(b) == string(kept) {
		t.Fatal("trusted checkpoint not advanced")
	}

	// A trusted checkpoint of the same origin signed by another key: the
	// deployment cannot show it (as after a key swap).
	skey, _, err := note.GenerateKey(nil, verifier.Name())
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := note.NewSigner(skey)
	n, err := note.Open(kept, note.VerifierList(verifier))
	if err != nil {
		t.Fatal(err)
	}
	forged, err := note.Sign(&note.Note{Text: n.Text}, signer)
	if err != nil {
		t.Fatal(err)
	}
	forgedState := filepath.Join(t.TempDir(), "forged")
	if err := os.WriteFile(forgedState, forged, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out := verify("--url", s.base, "--trusted", forgedState); code != 1 || !strings.Contains(out, "TAMPERED") {
		t.Fatalf("forged trusted checkpoint: %d %s", code, out)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"unreachable", []string{"--url", closed, "--trusted", state}, 3},
		{"not a URL", []string{"--url", "ftp://example"}, 2},
		{"with a database too", []string{"--url", s.base, "--database-url", "postgres://x@y/z"}, 2},
		{"two state files", []string{"--url", s.base, "--trusted", state, "--trusted", forgedState}, 2},
		{"verifier key without --url", []string{"--verifier-key", "x", "--keys", keysDir}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, out := verify(tc.args...); code != tc.want {
				t.Fatalf("exit %d, want %d: %s", code, tc.want, out)
			}
		})
	}
}
