package webhooks

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

// TestWebhookDocExample: the worked example in docs/webhooks.md is what
// Sign produces, and the page shows it.
func TestWebhookDocExample(t *testing.T) {
	t.Parallel()
	const (
		secret = "6f1c0d0a4c7e2b9f3a5d8e1c2b4a6f8e0d1c3b5a7f9e2d4c6b8a0f1e3d5c7b9a"
		ts     = "1796580000"
		body   = `{"referral_id":"0b8f5d3e-6a1c-4f2b-9d7e-3c5a1b2f4e6d","event":"offered","service":"shelter","urgency":"emergency","deadline":"2026-12-06T20:00:00Z","sent_at":"2026-12-06T18:00:00Z"}`
		want   = "sha256=ddd87827af5925b63be11c4956de4b110e4c0f85ec093fcfe8145294205b82bc"
	)
	key, err := hex.DecodeString(secret)
	if err != nil {
		t.Fatal(err)
	}
	if got := Sign(key, ts, []byte(body)); got != want {
		t.Fatalf("Sign gives %s, the docs say %s", got, want)
	}
	doc, err := os.ReadFile("../../../docs/webhooks.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{secret, ts, body, want, SignatureHeader, TimestampHeader, DeliveryHeader} {
		if !strings.Contains(string(doc), s) {
			t.Errorf("docs/webhooks.md lacks %q", s)
		}
	}
}
