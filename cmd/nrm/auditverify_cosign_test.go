package main

import (
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/nrm-project/nrm/pkg/keys"
)

// On the server side, --witness-key checks the checkpoint directory's
// latest copy and every trusted checkpoint: one without the required
// cosignature, or with a forged one, is refused.
func TestLocalVerifyRequiresCosignatures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	skey, _, err := note.GenerateKey(rand.Reader, "nrm.local/audit")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "audit-checkpoint.key"), []byte(base64.StdEncoding.EncodeToString([]byte(skey))+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	kd, err := keys.Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	logS, _ := note.NewSigner(skey)
	wkey, wvkey, _ := note.GenerateKey(rand.Reader, "witness-a")
	witS, _ := note.NewSigner(wkey)
	witV, _ := note.NewVerifier(wvkey)
	text := "nrm.local/audit\n3\n" + base64.StdEncoding.EncodeToString(make([]byte, 32)) + "\n"
	plain, err := note.Sign(&note.Note{Text: text}, logS)
	if err != nil {
		t.Fatal(err)
	}
	cosigned, err := note.Sign(&note.Note{Text: text}, logS, witS)
	if err != nil {
		t.Fatal(err)
	}
	forgerKey, _, _ := note.GenerateKey(rand.Reader, "witness-a")
	forger, _ := note.NewSigner(forgerKey)
	forged := forgeCosignature(t, cosigned, witV, forger)

	rule, err := cosignaturePolicy([]string{wvkey}, -1)
	if err != nil || rule.min != 1 {
		t.Fatalf("policy: %+v %v", rule, err)
	}
	cpDir := t.TempDir()
	write := func(b []byte) {
		if err := os.WriteFile(filepath.Join(cpDir, "latest"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(cosigned)
	if n, err := checkCosigned(kd, cpDir, nil, rule); err != nil || n != 1 {
		t.Errorf("cosigned latest copy: %d %v", n, err)
	}
	if _, err := checkCosigned(kd, cpDir, [][]byte{plain}, rule); err == nil {
		t.Error("a trusted checkpoint without the witness's cosignature passed")
	}
	write(forged)
	if _, err := checkCosigned(kd, cpDir, nil, rule); err == nil {
		t.Error("a forged cosignature passed")
	}
	if _, err := checkCosigned(kd, t.TempDir(), nil, rule); err == nil {
		t.Error("nothing to check passed")
	}
	if _, err := cosignaturePolicy([]string{"not a key"}, -1); err == nil {
		t.Error("a malformed witness key accepted")
	}
}
