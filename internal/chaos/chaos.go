package chaos

import (
	"context"
	"errors"
	"fmt"
	"github.com/nrm-project/nrm/internal/democreds"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nrm-project/nrm/internal/pgcluster"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/fault"
)

// Engines.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Config is one run on one engine.
type Config struct {
	Engine string
	// Bin is an nrm binary built with -tags chaos (the fault hooks).
	Bin string
	// Kills is the number of SIGKILL rounds, each after a random stretch
	// of load within LoadBetween.
	Kills       int
	LoadBetween [2]time.Duration
	// PGRestarts is the number of pg_ctl restart -m immediate (PostgreSQL).
	PGRestarts int
	// AuditStall and DiskFill are how long each fault lasts (0: none).
	AuditStall time.Duration
	DiskFill   time.Duration
	// Clients is the number of concurrent load clients.
	Clients int
	// Seed fixes the order of the faults, the moments of the kills and
	// the registrations' attributes.
	Seed uint64
	// Settle is how long the checks wait for the outboxes to deliver.
	Settle time.Duration
	// Keep leaves the working directory (data, keys, server log).
	Keep bool
	// Progress receives one line per step.
	Progress io.Writer
}

// Run runs the suite on one engine and returns its summary; the error is
// for a suite that could not run (the summary says what failed).
func Run(ctx context.Context, cfg Config) (sum *Summary, err error) {
	if cfg.Engine != SQLite && cfg.Engine != Postgres {
		return nil, fmt.Errorf("chaos: engine %q (want sqlite or postgres)", cfg.Engine)
	}
	if cfg.Clients <= 0 {
		cfg.Clients = 6
	}
	if cfg.LoadBetween[1] <= cfg.LoadBetween[0] {
		cfg.LoadBetween = [2]time.Duration{time.Second, 3 * time.Second}
	}
	if cfg.Settle <= 0 {
		cfg.Settle = time.Minute
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	began := time.Now()
	rng := rand.New(rand.NewPCG(cfg.Seed, 1))
	sum = &Summary{Engine: cfg.Engine, Seed: cfg.Seed, Status: map[string]int{}}
	say := func(format string, a ...any) {
		fmt.Fprintf(cfg.Progress, "chaos %s %6.1fs: %s\n", cfg.Engine, time.Since(began).Seconds(), fmt.Sprintf(format, a...))
	}

	work, err := os.MkdirTemp("", "nrm-chaos-"+cfg.Engine+"-")
	if err != nil {
		return nil, err
	}
	sum.WorkDir = work
	defer func() {
		if !cfg.Keep {
			_ = os.RemoveAll(work)
		}
	}()
	keys, data, faults := filepath.Join(work, "keys"), filepath.Join(work, "data"), filepath.Join(work, "faults")
	for _, d := range []string{data, faults} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return nil, err
		}
	}
	logf, err := os.Create(filepath.Join(work, "server.log"))
	if err != nil {
		return nil, err
	}
	defer logf.Close()

	st := &stage{cfg: cfg, sum: sum, faults: faults, data: data, keys: keys, say: say}
	storage := []string{"--data", data}
	switch cfg.Engine {
	case SQLite:
		if cfg.DiskFill > 0 && mountTmpfs(data, 512<<20) {
			st.tmpfs = true
			defer unmount(data)
		}
	case Postgres:
		say("starting a private PostgreSQL cluster")
		c, err := pgcluster.Start(ctx, pgcluster.Options{Settings: map[string]string{"max_connections": "200"}})
		if err != nil {
			return nil, err
		}
		defer c.Stop()
		st.cluster = c
		if _, err := c.Psql(ctx, "postgres", "CREATE DATABASE nrm_chaos"); err != nil {
			return nil, err
		}
		st.dbURL = c.URL("nrm_chaos")
		if out, code, err := nrm(ctx, cfg.Bin, nil, "migrate", "--database-url", st.dbURL, "--keys", keys, "--data", data); err != nil || code != 0 {
			return nil, fmt.Errorf("chaos: nrm migrate: exit %d %v: %s", code, err, out)
		}
		storage = []string{"--database-url", st.dbURL, "--data", data}
	}
	port, err := pgcluster.FreePort()
	if err != nil {
		return nil, err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	st.srv = &server{bin: cfg.Bin, args: serveArgs(port, storage, keys), env: []string{fault.DirEnv + "=" + faults}, log: logf, base: base}
	say("starting nrm on %s", base)
	if err := st.srv.start(ctx); err != nil {
		return nil, err
	}
	defer st.srv.kill()

	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	credFile := filepath.Join(keys, "demo-credentials.txt")
	officerCred, err := democreds.Find(credFile, "officer@police.demo")
	if err != nil {
		return nil, err
	}
	auditorCred, err := democreds.Find(credFile, "auditor@commission.demo")
	if err != nil {
		return nil, err
	}
	st.officer = &session{cred: officerCred, base: base, client: client}
	st.auditor = &session{cred: auditorCred, base: base, client: client}
	if _, err := st.officer.bearer(ctx); err != nil {
		return nil, err
	}
	st.led = newLedger(fmt.Sprintf("%x", rng.Uint32()))

	if err := st.probeIdempotency(ctx); err != nil {
		return nil, err
	}
	say("idempotency keys: %s", sum.Idempotency)

	if err := st.faultsUnderLoad(ctx, rng); err != nil {
		return sum, err
	}
	say("load stopped: %d registrations acknowledged, %d reads acknowledged", len(st.led.acked), len(st.led.reads))
	if err := st.check(ctx); err != nil {
		return sum, err
	}
	sum.Seconds = time.Since(began).Seconds()
	return sum, nil
}

// stage is one run's state.
type stage struct {
	cfg     Config
	sum     *Summary
	srv     *server
	cluster *pgcluster.Cluster
	dbURL   string
	tmpfs   bool
	faults  string
	data    string
	keys    string
	officer *session
	auditor *session
	led     *ledger
	say     func(string, ...any)
}

// probeIdempotency registers one case twice with the same key and body:
// the same id twice means the server honours Idempotency-Key.
func (st *stage) probeIdempotency(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(st.cfg.Seed, 2))
	op := st.led.newOp(rng)
	op.probe = true
	var ids [2]string
	for i := range ids {
		st.led.register(ctx, st.officer, op, time.Minute, "probe")
		if op.ackID == "" {
			return fmt.Errorf("chaos: the first registration failed (%s)", op.refused)
		}
		ids[i] = op.ackID
		if i == 0 {
			op.ackID = ""
			st.led.mu.Lock()
			st.led.acked = st.led.acked[:0]
			st.led.mu.Unlock()
		}
	}
	st.sum.IdempotencySupported = ids[0] == ids[1]
	st.sum.Idempotency = "not supported (a key sent twice made two cases; duplicates are reported, not asserted)"
	if st.sum.IdempotencySupported {
		st.sum.Idempotency = "supported (a key sent twice returned the first case; duplicates must be 0)"
	}
	op.extraIDs = []string{ids[0]}
	if st.sum.IdempotencySupported {
		op.extraIDs = nil
	}
	return nil
}

// faultsUnderLoad runs the load and, in an order drawn from the seed,
// the kills and the other faults, each after a random stretch of load.
func (st *stage) faultsUnderLoad(ctx context.Context, rng *rand.Rand) error {
	steps := make([]string, 0, st.cfg.Kills+4)
	for range st.cfg.Kills {
		steps = append(steps, "kill")
	}
	if st.cluster != nil {
		for range st.cfg.PGRestarts {
			steps = append(steps, "pg-restart")
		}
	}
	if st.cfg.AuditStall > 0 {
		steps = append(steps, "audit-stall")
	}
	if st.cfg.DiskFill > 0 {
		steps = append(steps, "disk-fill")
	}
	rng.Shuffle(len(steps), func(i, j int) { steps[i], steps[j] = steps[j], steps[i] })

	loadCtx, stopLoad := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		st.led.run(loadCtx, ctx, st.officer, st.cfg.Clients, st.cfg.Seed, 90*time.Second)
	}()
	defer func() { stopLoad(); <-done }()

	lo, hi := st.cfg.LoadBetween[0], st.cfg.LoadBetween[1]
	for _, step := range steps {
		if err := sleep(ctx, lo+time.Duration(rng.Int64N(int64(hi-lo)))); err != nil {
			return err
		}
		if err := st.restartIfGone(ctx); err != nil {
			return err
		}
		if err := st.inject(ctx, rng, step); err != nil {
			return err
		}
	}
	if err := sleep(ctx, lo); err != nil {
		return err
	}
	stopLoad()
	st.say("waiting for registrations in flight to be acknowledged or given up")
	<-done
	return st.restartIfGone(ctx)
}

// restartIfGone restarts a server that exited by itself (a crash the
// suite did not cause is counted).
func (st *stage) restartIfGone(ctx context.Context) error {
	select {
	case <-st.srv.exited:
		st.sum.UnexpectedExits++
		st.say("nrm exited by itself: restarting")
		st.srv.cmd = nil
		return st.srv.start(ctx)
	default:
		return nil
	}
}

func (st *stage) inject(ctx context.Context, rng *rand.Rand, step string) error {
	switch step {
	case "kill":
		st.srv.kill()
		st.sum.Kills++
		down := time.Duration(rng.Int64N(int64(500 * time.Millisecond)))
		st.say("SIGKILL %d; restarting in %s", st.sum.Kills, down.Round(time.Millisecond))
		if err := sleep(ctx, down); err != nil {
			return err
		}
		t := time.Now()
		if err := st.srv.start(ctx); err != nil {
			return err
		}
		st.sum.RestartSeconds = append(st.sum.RestartSeconds, time.Since(t).Seconds())
	case "pg-restart":
		st.say("PostgreSQL: pg_ctl restart -m immediate")
		if err := st.cluster.Restart(ctx, "immediate"); err != nil {
			return err
		}
		st.sum.PGRestarts++
	case "audit-stall":
		on, off := st.touch(fault.AuditStall), st.untouch(fault.AuditStall)
		how := "fault hook"
		if st.cluster != nil {
			role, _ := db.RoleName(st.dbURL, "audit")
			on = func() error {
				_, err := st.cluster.Psql(ctx, "nrm_chaos", `REVOKE INSERT ON audit.events FROM "`+role+`"`)
				return err
			}
			off = func() error {
				_, err := st.cluster.Psql(context.WithoutCancel(ctx), "nrm_chaos", `GRANT INSERT ON audit.events TO "`+role+`"`)
				return err
			}
			how = "INSERT on audit.events revoked from " + role
		}
		st.say("audit stall for %s (%s)", st.cfg.AuditStall, how)
		st.sum.AuditStall = how
		if err := st.during(ctx, st.cfg.AuditStall, on, off); err != nil {
			return err
		}
		st.sum.AuditStalls++
	case "disk-fill":
		on, off := st.touch(fault.DiskFull), st.untouch(fault.DiskFull)
		how := "fault hook (writing transactions fail with ENOSPC)"
		if st.tmpfs {
			var release func()
			on = func() (err error) {
				t := time.Now()
				release, err = fillDisk(st.data)
				st.say("disk filled in %s", time.Since(t).Round(time.Millisecond))
				return err
			}
			off = func() error { release(); return nil }
			how = "tmpfs under the data directory filled by a ballast file"
		}
		st.say("disk full for %s (%s)", st.cfg.DiskFill, how)
		st.sum.DiskFill = how
		if err := st.during(ctx, st.cfg.DiskFill, on, off); err != nil {
			return err
		}
		st.sum.DiskFills++
	}
	return nil
}

// during turns a fault on for d under load, then off (also when ctx ends).
func (st *stage) during(ctx context.Context, d time.Duration, on, off func() error) error {
	if err := on(); err != nil {
		return err
	}
	err := sleep(ctx, d)
	return errors.Join(err, off())
}

func (st *stage) touch(p fault.Point) func() error {
	return func() error { return os.WriteFile(filepath.Join(st.faults, string(p)), nil, 0o600) }
}

func (st *stage) untouch(p fault.Point) func() error {
	return func() error { return os.Remove(filepath.Join(st.faults, string(p))) }
}
