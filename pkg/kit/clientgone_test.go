package kit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/log"
)

// A request its client abandoned fails with whatever the store returned
// for the canceled context: that is neither a server defect (500, an
// error line) nor a refusal the client must see. A timed-out request
// stays an outage, and an answer the service chose stays that answer.
func TestAbandonedRequestIsNotAServerError(t *testing.T) {
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	timedOut, cancel2 := context.WithTimeout(context.Background(), -time.Second)
	defer cancel2()
	storeErr := fmt.Errorf("intake: read case: %w", errors.New("pq: canceling statement due to user request"))
	for _, tc := range []struct {
		name    string
		ctx     context.Context
		err     error
		status  int
		outcome string
		errLine bool
	}{
		{"client gone, store error", gone, storeErr, http.StatusServiceUnavailable, OutcomeClientGone, false},
		{"client gone, context error", gone, fmt.Errorf("begin: %w", context.Canceled), http.StatusServiceUnavailable, OutcomeClientGone, false},
		{"client gone, a refusal", gone, ErrNotFound, http.StatusNotFound, CodeNotFound, false},
		{"timed out", timedOut, fmt.Errorf("acquire: %w", context.DeadlineExceeded), http.StatusServiceUnavailable, CodeUnavailable, true},
		{"client here, defect", context.Background(), storeErr, http.StatusInternalServerError, CodeInternal, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logged bytes.Buffer
			logger := log.NewLogfmtLogger(&logged)
			w := httptest.NewRecorder()
			ErrorEncoder(logger)(tc.ctx, tc.err, w)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d", w.Code, tc.status)
			}
			if got := Outcome(tc.ctx, tc.err); got != tc.outcome {
				t.Errorf("outcome %q, want %q", got, tc.outcome)
			}
			if got := strings.Contains(logged.String(), "request failed"); got != tc.errLine {
				t.Errorf("failure line logged = %v, want %v: %s", got, tc.errLine, logged.String())
			}
			var calls bytes.Buffer
			LogCalls(log.NewLogfmtLogger(&calls))(tc.ctx, "Get", time.Now(), tc.err)
			if !strings.Contains(calls.String(), "outcome="+tc.outcome) {
				t.Errorf("call line %q lacks outcome=%s", calls.String(), tc.outcome)
			}
			if tc.outcome == OutcomeClientGone && strings.Contains(calls.String(), "err=") {
				t.Errorf("call line of an abandoned request carries the error: %s", calls.String())
			}
		})
	}
}
