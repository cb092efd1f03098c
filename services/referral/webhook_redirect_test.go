package referral

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nrm-project/nrm/pkg/db/dbtest"
)

// TestWebhookDoesNotFollowRedirects: a provider's webhook answers with a
// redirect to an address the URL rules would refuse (here another
// loopback service, standing for an internal one). Nothing reaches it:
// the redirect is a failed delivery, retried later, never followed.
func TestWebhookDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, e dbtest.Engine) {
		for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
			t.Run(http.StatusText(status), func(t *testing.T) {
				ev := newEnv(t, e)
				internal := &receiver{}
				target := httptest.NewServer(internal)
				t.Cleanup(target.Close)
				hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, target.URL+"/admin/internal", status)
				}))
				t.Cleanup(hook.Close)
				in := shelter("MA-06", 5)
				in.WebhookURL = hook.URL + "/nrm-hook"
				prov := ev.provider(t, in)
				ev.refer(t, ev.adult("MA-06", 0), "emergency", prov)
				res, err := ev.sweeper(t).SweepOnce(t.Context(), ev.clock.Now())
				if err != nil {
					t.Fatal(err)
				}
				if internal.count() != 0 {
					t.Fatalf("the redirect was followed: %d requests reached its target", internal.count())
				}
				if res.Delivered != 0 {
					t.Fatalf("a redirect counted as delivered")
				}
			})
		}
	})
}
