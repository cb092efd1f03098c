package outbox

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A relay whose database is gone logs that once, not at every pass (five
// times a second per topic).
func TestRelayLogsAnOutageOnce(t *testing.T) {
	t.Parallel()
	d := openOutbox(t, dbtest.SQLite(t))
	var logs lockedBuffer
	r := NewRelay(d, testService, map[string]Handler{"audit": newReceiver().Handle},
		RelayOptions{PollInterval: 10 * time.Millisecond, Logger: log.NewLogfmtLogger(&logs)})
	d.Close() // every pass now fails
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_ = r.Run(ctx)
	if n := strings.Count(logs.String(), "outbox delivery failing"); n != 1 {
		t.Fatalf("outage logged %d times, want once:\n%s", n, logs.String())
	}
}

// The state is logged at each change: down, recovered, down again.
func TestFailureLogOncePerChange(t *testing.T) {
	var b bytes.Buffer
	logger := log.NewLogfmtLogger(&b)
	var f failureLog
	down := errors.New("down")
	for _, err := range []error{nil, down, down, down, nil, nil, down, nil} {
		f.pass(logger, err, "failing", "recovered")
	}
	got := strings.Count(b.String(), "msg=failing") + strings.Count(b.String(), "msg=recovered")
	if got != 4 || !strings.Contains(b.String(), "failed_passes=3") {
		t.Fatalf("logged:\n%s", b.String())
	}
}
