package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	rungroup "github.com/oklog/run"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/mtls"
	"github.com/nrm-project/nrm/services/audit"
	"github.com/nrm-project/nrm/services/identity"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/referral/notices"
	"github.com/nrm-project/nrm/services/stats"
	"github.com/nrm-project/nrm/services/web"
)

// In a split deployment the web pages run as a service of their own
// (--services web): no database and no internal listener, since nobody
// calls the pages. The pages call each service's public API over mutual
// TLS, on the service's internal listener, with the signed-in user's
// token; the callee hands a call from the web's certificate to its public
// routes only (webForward), so the web never reaches an internal endpoint
// as a user: those list their callers, and the web is none of them.

// webService is the name of the pages in --services and in certificates.
const webService = "web"

// webOnly reports whether the process runs the pages alone.
func webOnly(local []string) bool { return len(local) == 1 && local[0] == webService }

// clientAddrHeader carries the browser's address from the web to the
// callee, believed only from the web's certificate (webForward).
const clientAddrHeader = "X-Forwarded-For"

// webTransport sends a page's call to a peer (mtls.Peer: timeouts, retries
// of safe calls, a circuit breaker per instance), naming the browser's
// address and the request id of the page.
type webTransport struct{ peer *mtls.Peer }

func (t webTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if a := kit.ClientAddr(r.Context()); a != "" {
		r.Header.Set(clientAddrHeader, a)
	}
	if id := kit.RequestID(r.Context()); id != "" && r.Header.Get(kit.RequestIDHeader) == "" {
		r.Header.Set(kit.RequestIDHeader, id)
	}
	return t.peer.Do(r)
}

// webForward is the public API of the services in this process, answered
// on the internal listener to the web's certificate alone, as the user
// whose token the call carries (the public routes check it, rate-limit and
// audit as for any API call). The browser's address the web names stands
// for the caller's, for rate limits and audit.
func webForward(public http.Handler, logger log.Logger) http.Handler {
	enc := kit.ErrorEncoder(logger)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !slices.Contains(mtls.Callers(r), webService) {
			level.Warn(logger).Log("msg", "internal call refused", "route", "public API", "callers", strings.Join(mtls.Callers(r), ","))
			enc(r.Context(), errCallerNotAllowed, w)
			return
		}
		addr := r.Header.Get(clientAddrHeader)
		r.Header.Del(clientAddrHeader)
		if net.ParseIP(addr) != nil {
			r.RemoteAddr = net.JoinHostPort(addr, "0")
		}
		public.ServeHTTP(w, r)
	})
}

// webPages builds the pages over the services' clients, each reached
// through hc[service] at base[service].
func webPages(f serveFlags, kd *keys.Dir, base map[string]string, hc map[string]*http.Client, logger log.Logger) (http.Handler, error) {
	id, err := identity.NewClient(base["identity"], "", hc["identity"])
	if err != nil {
		return nil, err
	}
	cases, err := intake.NewClient(base["intake"], hc["intake"])
	if err != nil {
		return nil, err
	}
	refs, err := referral.NewClient(base["referral"], hc["referral"])
	if err != nil {
		return nil, err
	}
	sts, err := stats.NewClient(base["stats"], hc["stats"])
	if err != nil {
		return nil, err
	}
	// The auditors' pages check checkpoints with the verifier key kept
	// beside the signing key, and compare them with the witness directories.
	au, err := audit.NewClient(base["audit"], hc["audit"])
	if err != nil {
		return nil, err
	}
	vkey, err := os.ReadFile(filepath.Join(kd.Path(), audit.PubFile))
	if err != nil {
		// audit writes it at its first start: a key directory exported
		// before that has none.
		level.Warn(logger).Log("msg", "no audit verifier key: the auditors' pages cannot check checkpoint signatures",
			"want", audit.PubFile, "hint", "copy it from audit's key directory")
	}
	roles, err := identity.LoadRolePolicy(f.policies)
	if err != nil {
		return nil, err
	}
	inbox, err := notices.NewClient(base["referral"], hc["referral"])
	if err != nil {
		return nil, err
	}
	return web.New(web.Config{
		Identity: id, Cases: cases, Referrals: refs, Stats: sts, Notices: inbox, Rights: cases, Guardians: cases,
		Audit: au, EmergencyAccess: cases, Accounts: id, Directory: refs, KeyRings: cases, Roles: roles,
		AuditVerifierKey: strings.TrimSpace(string(vkey)), Witnesses: f.witnesses,
		SessionKey:  kd.Subkey(keys.PurposeWebSession),
		IdleTimeout: f.webIdle, AbsoluteTimeout: f.webAbsolute,
		Logger: log.With(logger, "service", "web"),
	})
}

// serveWeb runs the pages alone, their peers reached over mutual TLS.
func serveWeb(ctx context.Context, f serveFlags, p *peers, logger log.Logger, stdout, stderr io.Writer) error {
	if f.split.internalAddr != "" {
		return usageError{"the web pages have no internal listener: nobody calls them (drop --internal-addr)"}
	}
	kd, _, err := f.storage.open(stderr)
	if err != nil {
		return err
	}
	if err := checkServiceKeys(kd, []string{webService}); err != nil {
		return err
	}
	base, hc := map[string]string{}, map[string]*http.Client{}
	for _, n := range needs[webService] {
		c := p.clients[n]
		// The peer's own timeout bounds each attempt; the request's
		// deadline (--request-timeout) bounds the whole.
		base[n], hc[n] = c.Base(), &http.Client{Transport: webTransport{c}}
	}
	pages, err := webPages(f, kd, base, hc, logger)
	if err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	rl := kit.NewRateLimits(f.rateAddress, f.rateUser, f.rateOrg)
	reg.MustRegister(rl.Rejected)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", kit.Health)
	mux.HandleFunc("GET /readyz", kit.ReadyWithin(p.checks([]string{webService}), max(3*time.Second, f.reqTimeout), func(name string, err error) {
		level.Warn(logger).Log("msg", "not ready", "check", name, "err", err)
	}))
	mux.HandleFunc("/api/", kit.NotFound)
	mux.HandleFunc("/internal/", kit.NotFound)
	mux.Handle("/", pages)
	metrics := kit.NewHTTPMetrics(reg)
	handler := f.edge.proxies.RequestContext(kit.Deadline(f.reqTimeout, kit.SecurityHeaders(rl.HTTP(
		kit.JSONErrors(metrics.Instrument(mux))))))

	ln, err := f.edge.listen(f.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	var g rungroup.Group
	g.Add(func() error {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}, func(error) {
		sctx, cancel := context.WithTimeout(context.Background(), f.shutdown)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	if f.metricsAddr != "" {
		mln, err := net.Listen("tcp", f.metricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("metrics listener: %w", err)
		}
		fmt.Fprintf(stdout, "nrm: metrics on http://%s/metrics\n", mln.Addr().String())
		msrv := &http.Server{Handler: metricsMux(reg), ReadHeaderTimeout: 10 * time.Second}
		g.Add(func() error {
			if err := msrv.Serve(mln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		}, func(error) { _ = msrv.Close() })
	}
	g.Add(func() error {
		<-ctx.Done()
		level.Info(logger).Log("msg", "shutting down")
		return nil
	}, func(error) {})
	level.Info(logger).Log("msg", "listening", "addr", ln.Addr().String(), "service", webService)
	fmt.Fprintf(stdout, "nrm: listening on %s://%s\n", f.edge.scheme(), ln.Addr().String())
	fmt.Fprintf(stdout, "nrm: web pages at %s://%s/ (sign in with a user's email, password and authenticator code)\n", f.edge.scheme(), ln.Addr().String())
	return g.Run()
}
