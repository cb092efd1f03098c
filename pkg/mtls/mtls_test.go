package mtls

import (
	"crypto/tls"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// deployment issues a CA and certificates for the services in a
// temporary directory.
func deployment(t *testing.T, services ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "certs")
	var bundles [][]string
	for _, s := range services {
		bundles = append(bundles, strings.Split(s, "+"))
	}
	if err := Issue(dir, bundles, []string{"127.0.0.1"}, time.Hour, time.Now()); err != nil {
		t.Fatal(err)
	}
	return dir
}

func load(t *testing.T, dir, name string) *Identity {
	t.Helper()
	id, err := Load(dir, strings.Split(name, "+"))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// serve starts an internal listener of id answering the callers' names.
func serve(t *testing.T, id *Identity, h http.HandlerFunc) (*httptest.Server, string) {
	t.Helper()
	if h == nil {
		h = func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, strings.Join(Callers(r), ",")) }
	}
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = id.ServerConfig()
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, srv.URL
}

// A further host name cannot make a certificate speak for another service.
func TestHostsCannotNameAService(t *testing.T) {
	err := Issue(t.TempDir(), [][]string{{"stats"}}, []string{"intake.nrm.internal"}, time.Hour, time.Now())
	if err == nil {
		t.Fatal("stats' certificate issued with intake's name")
	}
}

func TestFilesArePrivate(t *testing.T) {
	dir := deployment(t, "intake", "audit+stats")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 6 {
		t.Fatalf("%d files, want the CA, intake and audit+stats, each a certificate and a key", len(entries))
	}
	for _, e := range entries {
		fi, _ := e.Info()
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", e.Name(), fi.Mode().Perm())
		}
	}
	if id := load(t, dir, "stats+audit"); strings.Join(id.Services, ",") != "audit,stats" {
		t.Fatalf("bundle names %v", id.Services)
	}
}

// The callee reads the calling service from its certificate; a caller
// without one, or with one of another deployment's CA, is refused at the
// handshake; a callee presenting another service's certificate is
// refused by the caller.
func TestMutualTLS(t *testing.T) {
	dir := deployment(t, "intake", "referral", "stats")
	_, url := serve(t, load(t, dir, "intake"), nil)
	get := func(cfg *tls.Config) (string, error) {
		hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: cfg}}
		resp, err := hc.Get(url)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b), nil
	}
	if got, err := get(load(t, dir, "referral").ClientConfig("intake")); err != nil || got != "referral" {
		t.Fatalf("referral calling intake: %q %v", got, err)
	}
	noCert := load(t, dir, "referral").ClientConfig("intake")
	noCert.Certificates = nil
	if got, err := get(noCert); err == nil {
		t.Fatalf("a caller without a certificate was answered %q", got)
	}
	other := deployment(t, "referral")
	foreign := load(t, other, "referral").ClientConfig("intake")
	foreign.RootCAs = load(t, dir, "referral").ClientConfig("intake").RootCAs
	if got, err := get(foreign); err == nil {
		t.Fatalf("a certificate of another CA was answered %q", got)
	}
	// Stats answering where intake was expected: the caller refuses it.
	_, statsURL := serve(t, load(t, dir, "stats"), nil)
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: load(t, dir, "referral").ClientConfig("intake")}}
	if resp, err := hc.Get(statsURL); err == nil {
		resp.Body.Close()
		t.Fatal("a peer presenting stats' certificate was taken for intake")
	}
}

func newTestPeer(t *testing.T, dir string, addrs []string) *Peer {
	t.Helper()
	p, err := NewPeer(load(t, dir, "referral"), "intake", addrs, PeerOptions{Timeout: 2 * time.Second, Trip: 3, OpenFor: time.Hour, RetryPause: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func send(t *testing.T, p *Peer, method string) (int, error) {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(`{"a":1}`)
	}
	req, _ := http.NewRequest(method, p.Base()+"/x", body)
	resp, err := p.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// A safe call is retried on a 503, a write is not; after Trip failures in
// a row the circuit opens and calls fail fast as 503 without reaching
// the peer.
func TestPeerRetriesSafeCallsAndBreaks(t *testing.T) {
	dir := deployment(t, "intake", "referral")
	var hits atomic.Int32
	_, url := serve(t, load(t, dir, "intake"), func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	p := newTestPeer(t, dir, []string{url})
	if st, err := send(t, p, http.MethodPost); err != nil || st != 503 || hits.Load() != 1 {
		t.Fatalf("POST: %d %v after %d attempts, want one attempt answered 503", st, err, hits.Load())
	}
	hits.Store(0)
	if st, err := send(t, p, http.MethodGet); !(st == 503 || errors.Is(err, kit.ErrUnavailable)) || hits.Load() != 2 {
		t.Fatalf("GET: %d %v after %d attempts; want 503 after two (the third failure in a row opens the circuit)", st, err, hits.Load())
	}
	if !p.Open() {
		t.Fatal("circuit closed after three failures in a row")
	}
	hits.Store(0)
	_, err := send(t, p, http.MethodGet)
	if !errors.Is(err, kit.ErrUnavailable) || hits.Load() != 0 {
		t.Fatalf("with the circuit open: %v after %d attempts, want 503 without a call", err, hits.Load())
	}
	if err := p.Ready(t.Context(), "/ready"); err == nil {
		t.Fatal("a peer whose circuit is open is ready")
	}
}

// A write goes to the next replica when the first refuses the connection
// (nothing was sent).
func TestPeerFailsOverWhenNothingWasSent(t *testing.T) {
	dir := deployment(t, "intake", "referral")
	var hits atomic.Int32
	_, url := serve(t, load(t, dir, "intake"), func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) == `{"a":1}` {
			hits.Add(1)
		}
		w.WriteHeader(http.StatusCreated)
	})
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	down := "https://" + ln.Addr().String()
	ln.Close()
	p := newTestPeer(t, dir, []string{down, url})
	for range 4 {
		if st, err := send(t, p, http.MethodPost); err != nil || st != 201 {
			t.Fatalf("POST with one replica down: %d %v", st, err)
		}
	}
	if hits.Load() != 4 {
		t.Fatalf("%d writes arrived whole, want 4", hits.Load())
	}
}
