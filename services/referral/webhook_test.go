package referral

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/services/referral/webhooks"
)

type hit struct {
	body                         []byte
	signature, header, timestamp string
}

// receiver is a provider's webhook endpoint that fails its first fail
// requests with 503 and records everything it is sent.
type receiver struct {
	mu   sync.Mutex
	fail int
	hits []hit
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.hits = append(rc.hits, hit{body: b, signature: r.Header.Get(webhooks.SignatureHeader), header: r.Header.Get(webhooks.DeliveryHeader),
		timestamp: r.Header.Get(webhooks.TimestampHeader)})
	if len(rc.hits) <= rc.fail {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.hits)
}

func (rc *receiver) last() hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.hits[len(rc.hits)-1]
}

func (ev *env) hookedProvider(t *testing.T, rc *receiver) string {
	t.Helper()
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	in := shelter("MA-06", 5)
	in.WebhookURL = srv.URL + "/nrm-hook"
	return ev.provider(t, in)
}

// TestWebhookSignedRetriedWithBackoff: an offer reaches the provider as a
// signed body of codes only; failures wait 30 s, then 60 s, before the
// next attempt, on a fixed clock.
func TestWebhookSignedRetriedWithBackoff(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		rc := &receiver{fail: 2}
		prov := ev.hookedProvider(t, rc)
		caseID := ev.adult("MA-06", 1, "ar")
		r := ev.refer(t, caseID, "emergency", prov)
		start := ev.clock.Now()
		steps := []struct {
			name      string
			at        time.Duration
			hits      int
			delivered int
		}{
			{"first attempt fails", 0, 1, 0},
			{"no retry before 30 s", 29 * time.Second, 1, 0},
			{"second attempt at 30 s fails", 30 * time.Second, 2, 0},
			{"no retry before another 60 s", 89 * time.Second, 2, 0},
			{"third attempt at 90 s is delivered", 90 * time.Second, 3, 1},
			{"never sent again", time.Hour, 3, 0},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				res, err := ev.sweeper(t).SweepOnce(t.Context(), start.Add(st.at))
				if err != nil {
					t.Fatal(err)
				}
				if rc.count() != st.hits || res.Delivered != st.delivered {
					t.Fatalf("%d requests, %d delivered; want %d and %d", rc.count(), res.Delivered, st.hits, st.delivered)
				}
			})
		}
		h := rc.last()
		secret := webhooks.Secret(ev.keys.Subkey(keys.PurposeWebhook), prov, 1)
		t.Run("signature verifies with the provider's secret only", func(t *testing.T) {
			if h.signature != webhooks.Sign(secret, h.timestamp, h.body) {
				t.Fatalf("signature %q does not verify", h.signature)
			}
			if h.signature == webhooks.Sign(webhooks.Secret(ev.keys.Subkey(keys.PurposeWebhook), event.NewID(), 1), h.timestamp, h.body) {
				t.Fatal("another provider's secret verifies it too")
			}
			if h.signature == webhooks.Sign(secret, h.timestamp, append(append([]byte(nil), h.body...), ' ')) {
				t.Fatal("a changed body verifies")
			}
			if h.header == "" {
				t.Fatal("no delivery id")
			}
		})
		t.Run("body holds codes only", func(t *testing.T) {
			var got map[string]any
			if err := json.Unmarshal(h.body, &got); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"referral_id": r.ID, "event": "offered", "service": "shelter", "urgency": "emergency"}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			for k := range got {
				if _, ok := want[k]; !ok && k != "deadline" && k != "sent_at" {
					t.Errorf("unexpected field %q", k)
				}
			}
			for _, secret := range []string{caseID, ev.police, "female", "adult", "MA-06", `"ar"`} {
				if strings.Contains(string(h.body), secret) {
					t.Errorf("body holds %q: %s", secret, h.body)
				}
			}
		})
	})
}

// TestWebhookGivesUpAfterMaxAttempts: a provider that never answers is
// tried webhooks.MaxAttempts times, each after its backoff, then left alone.
func TestWebhookGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	rc := &receiver{fail: 1 << 30}
	prov := ev.hookedProvider(t, rc)
	r := ev.refer(t, ev.adult("MA-06", 0), "normal", prov)
	if _, err := ev.s.Withdraw(ev.officer(), r.ID, WithdrawInput{}); err != nil { // a second delivery: "withdrawn"
		t.Fatal(err)
	}
	at := ev.clock.Now()
	for n := range webhooks.MaxAttempts {
		if _, err := ev.sweeper(t).SweepOnce(t.Context(), at); err != nil {
			t.Fatal(err)
		}
		if got := rc.count(); got != 2*(n+1) {
			t.Fatalf("attempt %d: %d requests, want %d", n+1, got, 2*(n+1))
		}
		at = at.Add(webhooks.Backoff(n))
	}
	if _, err := ev.sweeper(t).SweepOnce(t.Context(), at.Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := rc.count(); got != 2*webhooks.MaxAttempts {
		t.Fatalf("%d requests after giving up, want %d", got, 2*webhooks.MaxAttempts)
	}
	var failed int
	if err := ev.db.QueryRow(`SELECT COUNT(*) FROM webhook_deliveries WHERE failed_at IS NOT NULL`).Scan(&failed); err != nil {
		t.Fatal(err)
	}
	if failed != 2 {
		t.Fatalf("%d deliveries marked failed, want 2", failed)
	}
}

// A provider without a webhook is told in the app only.
func TestNoWebhookNoDelivery(t *testing.T) {
	t.Parallel()
	ev := newEnv(t, dbtest.SQLite(t))
	prov := ev.provider(t, shelter("MA-06", 5))
	ev.refer(t, ev.adult("MA-06", 0), "normal", prov)
	var n int
	if err := ev.db.QueryRow(`SELECT COUNT(*) FROM webhook_deliveries`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	ns, err := ev.s.Notifications(as(prov, auth.RoleNGOCaseworker), 0)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 || len(ns) != 1 || ns[0].Event != "offered" {
		t.Fatalf("%d deliveries, notifications %+v", n, ns)
	}
}
