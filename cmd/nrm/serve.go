package main

import (
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	rungroup "github.com/oklog/run"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/audit"
	"github.com/nrm-project/nrm/services/intake"
)

//go:embed openapi.yaml
var openAPI []byte

type serveFlags struct {
	storage
	addr          string
	services      listFlag
	demo          bool
	policies      string
	checkpointDir string
	checkpointInt time.Duration
	witnesses     listFlag
	witnessKeys   listFlag
	auditOrigin   string
	audience      string
	shutdown      time.Duration
	rateAddress   float64
	rateUser      float64
	rateOrg       float64
	dupChecks     int
	dupBurst      int
	dupPerHour    int
	debugAddr     string
	metricsAddr   string
	purgeEvery    time.Duration
	gcPercent     int
	webIdle       time.Duration
	webAbsolute   time.Duration
	idemTTL       time.Duration
	reqTimeout    time.Duration
	auditBacklog  int64
	split         splitFlags
	edge          edgeFlags
}

// register defines the flags of nrm serve on fs.
func (f *serveFlags) register(fs *flag.FlagSet) {
	f.storage.register(fs)
	f.split.register(fs)
	f.edge.register(fs)
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen address")
	fs.Var(&f.services, "services", "services to run in this process (default: all); web: the pages alone, in a split deployment")
	fs.BoolVar(&f.demo, "demo", false, "add demo organisations and one user per role, and print their credentials")
	fs.StringVar(&f.policies, "policies", "", "directory whose files override the embedded policies/")
	fs.StringVar(&f.checkpointDir, "checkpoint-dir", "", "directory receiving a copy of every signed audit checkpoint (default: <keys>/checkpoints, off the data's storage)")
	fs.DurationVar(&f.checkpointInt, "checkpoint-interval", 10*time.Second, "sign an audit checkpoint this often when the log grew (and after every 1000 events): the longest a witness or an outside verifier waits to see an event")
	fs.Var(&f.witnessKeys, "witness-key", "a witness's verifier key, or a file holding it (repeatable): only cosignatures verifying under these keys are collected into the checkpoints (default: every signature line a witness answers, left to verifiers to check)")
	fs.Var(&f.witnesses, "witness", "witness for audit checkpoints: a directory, or a witness's add-checkpoint URL (https, or http on this machine; repeatable)")
	fs.StringVar(&f.auditOrigin, "audit-origin", "nrm.local/audit", "origin line of this deployment's audit checkpoints")
	fs.StringVar(&f.audience, "audience", "nrm", "audience of access tokens")
	fs.DurationVar(&f.shutdown, "shutdown-timeout", 30*time.Second, "how long in-flight requests may take to finish on shutdown")
	fs.Float64Var(&f.rateAddress, "rate-address", 50, "requests per second allowed per client address (bursts of 4x)")
	fs.Float64Var(&f.rateUser, "rate-user", 20, "requests per second allowed per signed-in user (bursts of 5x)")
	fs.Float64Var(&f.rateOrg, "rate-org", 200, "requests per second allowed per organisation (bursts of 5x)")
	fs.StringVar(&f.metricsAddr, "metrics-addr", "127.0.0.1:9090", "serve Prometheus /metrics on this address, apart from the public listener (empty: not at all); keep it on loopback or a private network")
	fs.StringVar(&f.debugAddr, "debug-addr", "", "if set, serve Go profiling (/debug/pprof) on this address; keep it on loopback")
	fs.DurationVar(&f.purgeEvery, "purge-every", 24*time.Hour, "destroy records past their retention period this often (as nrm cases purge); 0 leaves it to nrm cases purge")
	fs.IntVar(&f.dupBurst, "duplicate-check-burst", intake.DefaultDuplicateCheckBurst, "duplicate checks (registrations with identity data) a user may make at once")
	fs.IntVar(&f.dupPerHour, "duplicate-checks-per-hour", intake.DefaultDuplicateChecksPerHour, "duplicate checks per user per hour once the burst is spent")
	fs.IntVar(&f.dupChecks, "duplicate-checks-per-minute", 0, "if set, replaces the two above: a burst of this many, refilled at this many per minute")
	fs.IntVar(&f.gcPercent, "gc-percent", 200, "Go garbage collector target (as GOGC, which takes precedence when set): higher spends memory to save CPU")
	fs.DurationVar(&f.webIdle, "web-idle-timeout", 30*time.Minute, "the web pages sign a user out after this long without a request")
	fs.DurationVar(&f.reqTimeout, "request-timeout", kit.DefaultRequestTimeout, "budget of one request, covering its waits for database connections and locks: past it the answer is 503 with Retry-After (0: no deadline)")
	fs.Int64Var(&f.auditBacklog, "audit-backlog-limit", 50000, "/readyz answers 503 while more audit events than this wait in the outboxes (0: no limit)")
	fs.DurationVar(&f.webAbsolute, "web-session-lifetime", 12*time.Hour, "the web pages sign a user out this long after signing in, whatever their activity")
	fs.DurationVar(&f.idemTTL, "idempotency-ttl", idempotency.DefaultTTL, "how long an Idempotency-Key names the outcome of its request; expired keys are swept")
}

// publicAPI are the API routes that take no bearer token (security: []
// in openapi.yaml); every other one refuses a request without a token
// before reading its body.
var publicAPI = []string{"/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/enrolment",
	"/api/v1/auth/password-reset", "/api/v1/auth/keys", audit.PublicPrefix}

// noAllocProfiles turns allocation profiling off once per process.
var noAllocProfiles sync.Once

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	var f serveFlags
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return usageError{err.Error()}
	}
	if err := f.edge.check(); err != nil {
		return err
	}
	if f.checkpointInt <= 0 {
		return usageError{"--checkpoint-interval must be positive"}
	}
	if f.webIdle <= 0 || f.webAbsolute <= 0 {
		return usageError{"web session timeouts must be positive"}
	}
	// Every read unwraps its keys with age, which allocates a 64 KiB chunk
	// buffer: at the default of 100 the collector took about a tenth of
	// the server's CPU under load. The live heap is small, so a few times
	// more of it costs little memory.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(f.gcPercent)
	}
	// Allocation profiles are of use only where the profiler is served:
	// the runtime's sampling of allocation stacks took about 1.5% of the
	// server's CPU under registration load.
	// The rate is a process-wide variable the runtime reads as it
	// allocates: set once, before serving (tests run several servers in
	// one process).
	if f.debugAddr == "" {
		noAllocProfiles.Do(func() { runtime.MemProfileRate = 0 })
	}
	if f.rateAddress <= 0 || f.rateUser <= 0 || f.rateOrg <= 0 {
		return usageError{"rate limits must be positive"}
	}
	var local []string // nil: every service, in this process
	if len(f.services) > 0 && !sameSet(f.services, allServices) {
		if err := checkSplit(f.services); err != nil {
			return err
		}
		local = f.services
		if slices.Contains(local, webService) && !webOnly(local) {
			return usageError{"the web pages run in a process of their own (--services web)"}
		}
	}

	logger := log.NewJSONLogger(log.NewSyncWriter(stderr))
	logger = log.With(logger, "ts", log.DefaultTimestampUTC, "caller", log.DefaultCaller)
	var peers *peers
	if local != nil {
		var err error
		if peers, err = newPeers(local, f.split, logger); err != nil {
			return err
		}
		if webOnly(local) {
			return serveWeb(ctx, f, peers, logger, stdout, stderr)
		}
	}

	kd, cfg, err := f.storage.open(stderr)
	if err != nil {
		return err
	}
	if err := checkServiceKeys(kd, local); err != nil {
		return err
	}
	if f.reqTimeout > 0 {
		cfg.LockWait = f.reqTimeout // a lock wait never outlasts a request
	}
	cfg.Logger = logger
	if cfg.Engine() == db.SQLite {
		if err := db.Migrate(ctx, cfg, allServices...); err != nil {
			return err
		}
	} else {
		level.Info(logger).Log("msg", "using PostgreSQL", "url", redact(cfg.URL))
	}
	if f.checkpointDir == "" {
		f.checkpointDir = checkpointDirDefault(kd.Path())
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	sys, err := buildSystem(ctx, systemConfig{
		flags: f, keys: kd, db: cfg, logger: logger, registry: reg, local: local, peers: peers,
	})
	if err != nil {
		return err
	}
	defer sys.Close()
	// Until the revocation list is loaded no token can be checked (every
	// request would get 503): load it before listening when it can be.
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	if err := sys.revocations.Poll(pctx); err != nil {
		level.Warn(logger).Log("msg", "revocation list not loaded yet; requests get 503 until it is", "err", err)
	}
	cancel()

	if f.demo && sys.identityLocal {
		if err := seedDemo(ctx, sys.identity, kd.Path(), f.data, stdout); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if sys.referral != nil {
			if err := seedDemoDirectory(ctx, sys.identity, sys.referral); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
		}
	}

	rl := kit.NewRateLimits(f.rateAddress, f.rateUser, f.rateOrg)
	reg.MustRegister(rl.Rejected)
	mux := http.NewServeMux()
	sys.mount(mux, rl)
	// What an outside verifier needs, without signing in (rate-limited per
	// address like every route).
	if sys.audit != nil {
		mux.Handle(audit.PublicPrefix, audit.MakePublicHandler(audit.MakePublicEndpoints(sys.audit), log.With(logger, "service", "audit")))
	}
	mux.HandleFunc("GET /healthz", kit.Health)
	mux.HandleFunc("GET /readyz", kit.ReadyWithin(append(sys.readiness(f.auditBacklog), peers.checks(local)...), max(3*time.Second, f.reqTimeout), func(name string, err error) {
		level.Warn(logger).Log("msg", "not ready", "check", name, "err", err)
	}))
	mux.HandleFunc("GET /openapi.yaml", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		_, _ = w.Write(openAPI)
	})
	mux.HandleFunc("/api/", kit.NotFound)
	mux.HandleFunc("/internal/", kit.NotFound)
	if local == nil { // the pages call every service (split: web pages are not served)
		pages, err := webHandler(f, kd, mux, logger)
		if err != nil {
			return err
		}
		mux.Handle("/", pages)
	} else {
		mux.HandleFunc("/", kit.NotFound)
	}
	metrics := kit.NewHTTPMetrics(reg)
	handler := f.edge.proxies.RequestContext(kit.Deadline(f.reqTimeout, kit.SecurityHeaders(rl.HTTP(
		kit.BearerFirst(publicAPI, mux, kit.JSONErrors(metrics.Instrument(mux)))))))

	ln, err := f.edge.listen(f.addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
	}
	var mln net.Listener
	if f.metricsAddr != "" {
		if mln, err = net.Listen("tcp", f.metricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("metrics listener: %w", err)
		}
		fmt.Fprintf(stdout, "nrm: metrics on http://%s/metrics\n", mln.Addr().String())
	}
	level.Info(logger).Log("msg", "listening", "addr", ln.Addr().String(), "engine", cfg.Engine())
	fmt.Fprintf(stdout, "nrm: listening on %s://%s\n", f.edge.scheme(), ln.Addr().String())
	if local == nil {
		fmt.Fprintf(stdout, "nrm: web pages at %s://%s/ (sign in with a user's email, password and authenticator code)\n", f.edge.scheme(), ln.Addr().String())
	}

	var g rungroup.Group
	if local != nil {
		if err := sys.serveInternal(&g, f.split.internalAddr, peers, handler, logger, stdout); err != nil {
			ln.Close()
			return err
		}
	}
	{
		g.Add(func() error {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		}, func(error) {
			sctx, cancel := context.WithTimeout(context.Background(), f.shutdown)
			defer cancel()
			_ = srv.Shutdown(sctx) // in-flight requests finish
		})
	}
	if f.metricsAddr != "" {
		// Metrics tell an outsider how the system is used (routes, error
		// codes, backlogs): never on the public listener.
		msrv := &http.Server{Handler: metricsMux(reg), ReadHeaderTimeout: 10 * time.Second}
		g.Add(func() error {
			if err := msrv.Serve(mln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		}, func(error) { _ = msrv.Close() })
	}
	if f.debugAddr != "" {
		dln, err := net.Listen("tcp", f.debugAddr)
		if err != nil {
			return err
		}
		dsrv := &http.Server{Handler: debugMux(), ReadHeaderTimeout: 10 * time.Second}
		g.Add(func() error {
			if err := dsrv.Serve(dln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		}, func(error) { _ = dsrv.Close() })
	}
	bg, cancelBG := context.WithCancel(context.Background())
	for _, actor := range sys.background() {
		g.Add(func() error { return actor(bg) }, func(error) { cancelBG() })
	}
	{
		g.Add(func() error {
			<-ctx.Done()
			level.Info(logger).Log("msg", "shutting down")
			return nil
		}, func(error) {})
	}
	err = g.Run()
	cancelBG()
	return err
}

func sameSet(a, b []string) bool {
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	for _, s := range b {
		if !slices.Contains(a, s) {
			return false
		}
	}
	return true
}

// metricsMux serves the Prometheus metrics of reg, and nothing else.
func metricsMux(reg *prometheus.Registry) *http.ServeMux {
	m := http.NewServeMux()
	m.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return m
}

// debugMux serves the Go profiler, on its own listener only.
func debugMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("/debug/pprof/", pprof.Index)
	m.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	m.HandleFunc("/debug/pprof/profile", pprof.Profile)
	m.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	m.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return m
}

// witnessKeyValues returns the --witness-key values, a file's content in
// place of its path.
func (f *serveFlags) witnessKeyValues() []string {
	var out []string
	for _, k := range f.witnessKeys {
		if b, err := os.ReadFile(k); err == nil {
			k = strings.TrimSpace(string(b))
		}
		out = append(out, k)
	}
	return out
}
