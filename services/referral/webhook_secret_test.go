package referral

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/event"
)

// verify checks a delivery as a provider would with the secret it was
// shown: HMAC-SHA256 over the timestamp header, a dot and the body.
func verify(secretHex string, h hit) bool {
	key, err := hex.DecodeString(secretHex)
	if err != nil || h.timestamp == "" {
		return false
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(h.timestamp + "." + string(h.body)))
	return hmac.Equal([]byte(h.signature), []byte("sha256="+hex.EncodeToString(m.Sum(nil))))
}

// TestProviderVerifiesWebhooks: the secret is shown once, when the webhook
// is set; deliveries verify with it; a rotation (audited, the provider's
// own managers only) shows a new one, and the old one stops verifying.
func TestProviderVerifiesWebhooks(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		ev := newEnv(t, e)
		rc := &receiver{}
		hook := httptest.NewServer(rc)
		t.Cleanup(hook.Close)
		prov := event.NewID()
		tok := tokens{
			"admin": {UserID: event.NewID(), OrgID: prov, Roles: []string{auth.RoleOrgAdmin}},
			"other": {UserID: event.NewID(), OrgID: event.NewID(), Roles: []string{auth.RoleOrgAdmin}},
		}
		srv := ev.server(t, tok)
		in := shelter("MA-06", 5)
		in.WebhookURL = hook.URL + "/nrm-hook"

		st, body := call(t, srv.URL, srv.Client(), "admin", "PUT", "/api/v1/providers/"+prov, in)
		secret, _ := body["webhook_secret"].(string)
		if st != http.StatusOK || len(secret) != 64 {
			t.Fatalf("creation: %d, secret %q", st, secret)
		}
		t.Run("shown once", func(t *testing.T) {
			for _, path := range []string{"/api/v1/providers/" + prov, "/api/v1/providers"} {
				_, b := call(t, srv.URL, srv.Client(), "admin", "GET", path, nil)
				if raw := mustJSON(t, b); strings.Contains(raw, secret) || strings.Contains(raw, "webhook_secret") {
					t.Fatalf("%s shows the secret again", path)
				}
			}
			if _, b := call(t, srv.URL, srv.Client(), "admin", "PUT", "/api/v1/providers/"+prov, in); b["webhook_secret"] != nil {
				t.Fatal("an update shows the secret again")
			}
		})
		deliver := func(t *testing.T) hit {
			t.Helper()
			before := rc.count()
			ev.refer(t, ev.adult("MA-06", 0), "normal", prov)
			if _, err := ev.sweeper(t).SweepOnce(t.Context(), ev.clock.Now()); err != nil {
				t.Fatal(err)
			}
			if rc.count() != before+1 {
				t.Fatalf("%d deliveries", rc.count()-before)
			}
			return rc.last()
		}
		t.Run("a delivery verifies", func(t *testing.T) {
			h := deliver(t)
			if _, err := strconv.ParseInt(h.timestamp, 10, 64); err != nil {
				t.Fatalf("timestamp %q", h.timestamp)
			}
			if !verify(secret, h) {
				t.Fatal("the delivery does not verify with the secret shown")
			}
			h.timestamp = strconv.FormatInt(ev.clock.Now().Unix()+3600, 10)
			if verify(secret, h) {
				t.Fatal("a changed timestamp verifies")
			}
		})
		t.Run("another organisation cannot rotate", func(t *testing.T) {
			if st, _ := call(t, srv.URL, srv.Client(), "other", "POST", "/api/v1/providers/"+prov+"/webhook-secret", nil); st != http.StatusForbidden {
				t.Fatalf("status %d", st)
			}
		})
		t.Run("rotation", func(t *testing.T) {
			st, body := call(t, srv.URL, srv.Client(), "admin", "POST", "/api/v1/providers/"+prov+"/webhook-secret", nil)
			fresh, _ := body["webhook_secret"].(string)
			if st != http.StatusOK || len(fresh) != 64 || fresh == secret {
				t.Fatalf("rotation: %d %v", st, body)
			}
			h := deliver(t)
			if verify(secret, h) || !verify(fresh, h) {
				t.Fatal("after rotation the old secret verifies or the new one does not")
			}
			var n int
			if err := ev.db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE topic = 'audit' AND payload LIKE '%referral.provider.webhook_secret.rotate%' AND payload LIKE '%"outcome":"allowed"%' AND payload LIKE '%` + prov + `%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Fatalf("%d rotation events", n)
			}
		})
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
