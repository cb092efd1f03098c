package kit

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

func TestClientAddrBehindTrustedProxies(t *testing.T) {
	t.Parallel()
	tp, err := ParseTrustedProxies([]string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, peer string
		xff        []string
		want       string
	}{
		{"no header", "198.51.100.1:4000", nil, "198.51.100.1"},
		{"untrusted peer's header ignored", "198.51.100.1:4000", []string{"203.0.113.9"}, "198.51.100.1"},
		{"trusted proxy", "10.1.2.3:4000", []string{"203.0.113.9"}, "203.0.113.9"},
		{"client's own entries left of the proxy's are ignored", "10.1.2.3:4000", []string{"1.1.1.1, 203.0.113.9"}, "203.0.113.9"},
		{"a chain of trusted proxies", "10.1.2.3:4000", []string{"1.1.1.1, 203.0.113.9, 192.0.2.7, 10.9.9.9"}, "203.0.113.9"},
		{"several header lines", "10.1.2.3:4000", []string{"1.1.1.1", "203.0.113.9, 10.9.9.9"}, "203.0.113.9"},
		{"port and IPv6", "[2001:db8::1]:4000", []string{"[2001:db8:1::5]:1234, 203.0.113.9:80"}, "203.0.113.9"},
		{"all trusted: the first hop", "10.1.2.3:4000", []string{"10.0.0.5, 10.0.0.6"}, "10.0.0.5"},
		{"garbage stops at the last trusted hop", "10.1.2.3:4000", []string{"1.1.1.1, not-an-ip, 10.0.0.6"}, "10.0.0.6"},
		{"empty header", "10.1.2.3:4000", []string{""}, "10.1.2.3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.peer
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := tp.ClientAddr(r); got != c.want {
				t.Fatalf("client address %q, want %q", got, c.want)
			}
		})
	}
	if _, err := ParseTrustedProxies([]string{"10.0.0.0/33"}); err == nil {
		t.Fatal("a bad network was accepted")
	}
}

// limitedServer is the per-address limit behind RequestContext as nrm
// serve stacks them: a burst of 5 and (nearly) no refill.
func limitedServer(tp TrustedProxies) http.Handler {
	rl := &RateLimits{Address: NewLimiter(0.001, 5, 100), Rejected: NewRateLimits(1, 1, 1).Rejected}
	return tp.RequestContext(rl.HTTP(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {})))
}

func hit(h http.Handler, peer, xff string) int {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = peer
	if xff != "" {
		r.Header.Set("X-Forwarded-For", xff)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

// Attack: a client floods with a new forged X-Forwarded-For on every
// request to get a fresh per-address budget each time. From a peer that
// is not a trusted proxy the header is ignored and the flood is limited.
func TestForgedForwardedForDoesNotDodgeTheAddressLimit(t *testing.T) {
	t.Parallel()
	tp, _ := ParseTrustedProxies([]string{"10.0.0.0/8"})
	h := limitedServer(tp)
	limited := 0
	for i := range 20 {
		if hit(h, "198.51.100.1:4000", "203.0.113."+strconv.Itoa(i)) == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 15 {
		t.Fatalf("%d of 20 forged requests limited, want 15 (a burst of 5)", limited)
	}
	// The same forgery through the trusted proxy: the proxy's appended
	// entry (the real client) is what counts.
	h = limitedServer(tp)
	limited = 0
	for i := range 20 {
		if hit(h, "10.0.0.1:4000", "203.0.113."+strconv.Itoa(i)+", 198.51.100.1") == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited != 15 {
		t.Fatalf("%d of 20 forged requests through the proxy limited, want 15", limited)
	}
}

// Behind a trusted ingress every client has its own budget: a flood from
// one does not throttle the others.
func TestClientsBehindATrustedProxyAreLimitedApart(t *testing.T) {
	t.Parallel()
	tp, _ := ParseTrustedProxies([]string{"10.0.0.0/8"})
	h := limitedServer(tp)
	for range 10 {
		hit(h, "10.0.0.1:4000", "198.51.100.1")
	}
	if c := hit(h, "10.0.0.1:4000", "198.51.100.1"); c != http.StatusTooManyRequests {
		t.Fatalf("the flooding client: %d, want 429", c)
	}
	if c := hit(h, "10.0.0.1:4000", "198.51.100.2"); c != http.StatusOK {
		t.Fatalf("another client behind the same ingress: %d, want 200", c)
	}
	// Without the proxy trusted, everyone behind it shares one budget.
	h = limitedServer(nil)
	for range 10 {
		hit(h, "10.0.0.1:4000", "198.51.100.1")
	}
	if c := hit(h, "10.0.0.1:4000", "198.51.100.2"); c != http.StatusTooManyRequests {
		t.Fatalf("untrusted proxy: %d, want 429 (one budget for the proxy's address)", c)
	}
}
