package identity

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/log"
)

// TestRefusalsLoggedPerWindow: every refused sign-in of a flood was a log
// line. They are counted, and told once per window.
func TestRefusalsLoggedPerWindow(t *testing.T) {
	var buf bytes.Buffer
	logger := log.NewLogfmtLogger(&buf)
	var r refusalLog
	at := time.Date(2026, 12, 6, 21, 0, 0, 0, time.UTC)
	for i := range 1000 {
		r.add(logger, "Login", at.Add(time.Duration(i)*time.Millisecond))
	}
	if buf.Len() != 0 {
		t.Fatalf("refusals logged within the window: %q", buf.String())
	}
	r.add(logger, "Refresh", at.Add(refusalWindow))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "Login=1000") || !strings.Contains(lines[0], "Refresh=1") {
		t.Fatalf("want one line counting 1000 Login and 1 Refresh refusals, got %q", buf.String())
	}
}
