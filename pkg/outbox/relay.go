package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/nrm-project/nrm/pkg/db"
)

// Handler receives a batch of messages of one topic, in sequence order.
// Delivery is at least once: a handler must be idempotent by Message.ID.
type Handler func(ctx context.Context, msgs []Message) error

// RelayOptions tune a Relay; zero values take the defaults.
type RelayOptions struct {
	BatchSize    int           // messages per handler call (256, at most 10000)
	PollInterval time.Duration // wait between passes when idle (200ms)
	MaxBackoff   time.Duration // longest wait after failures, before jitter (30s)
	Retention    time.Duration // how long delivered messages are kept after they were written (7 days)
	Linger       time.Duration // least time between passes started by wake-ups (20ms)
	ObserveEvery time.Duration // how often the backlog gauges are read and old messages swept (5s)
	Logger       log.Logger
	Registerer   prometheus.Registerer // nil registers no metrics
	Now          func() time.Time
}

const (
	backoffBase = time.Second
	// maxBatchSize keeps a batch's statement within SQLite's bound parameters.
	maxBatchSize = 10000
	// sweepEvery spaces the deletions of delivered messages.
	sweepEvery = time.Hour
	// shutdownGrace bounds how long a stopping relay waits for the batch in
	// flight before abandoning it (its rows are then delivered again).
	shutdownGrace = 10 * time.Second
)

// Relay delivers a service's outbox to one handler per topic, in sequence
// order per topic. On PostgreSQL any number of relays may run on the same
// outbox: a transaction-scoped advisory lock gives one of them a topic at a
// time (so order holds across replicas) until it has recorded the batch as
// delivered, by moving the topic's delivered mark. A crash before commit
// leaves the batch to be delivered again.
type Relay struct {
	db       *db.DB
	service  string
	handlers map[string]Handler
	topics   []string
	opts     RelayOptions
	logger   log.Logger
	metrics  *relayMetrics
	wakes    map[string]chan struct{} // per topic

	mu        sync.Mutex // one DeliverOnce or housekeeping pass at a time; guards the fields below
	gauged    map[string]bool
	unhandled map[string]bool
	observed  failureLog // under mu
	lastSweep time.Time

	streamsMu sync.Mutex
	streams   map[string]bool // topics whose sequence row exists

	cursors cursors // where scans of each topic start
}

// NewRelay returns a relay of service's outbox in d.
func NewRelay(d *db.DB, service string, handlers map[string]Handler, opts RelayOptions) *Relay {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 256
	}
	opts.BatchSize = min(opts.BatchSize, maxBatchSize)
	if opts.PollInterval <= 0 {
		opts.PollInterval = 200 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.Retention <= 0 {
		opts.Retention = 7 * 24 * time.Hour
	}
	if opts.Linger <= 0 {
		opts.Linger = 20 * time.Millisecond
	}
	if opts.ObserveEvery <= 0 {
		opts.ObserveEvery = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = log.NewNopLogger()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	hs := make(map[string]Handler, len(handlers))
	topics := make([]string, 0, len(handlers))
	for t, h := range handlers {
		if h != nil {
			hs[t] = h
			topics = append(topics, t)
		}
	}
	slices.Sort(topics)
	wakes := make(map[string]chan struct{}, len(topics))
	for _, t := range topics {
		wakes[t] = make(chan struct{}, 1)
	}
	return &Relay{
		db: d, service: service, handlers: hs, topics: topics, opts: opts,
		logger:  log.With(opts.Logger, "component", "outbox_relay", "service", service),
		metrics: newRelayMetrics(opts.Registerer, service),
		wakes:   wakes,
		gauged:  map[string]bool{}, unhandled: map[string]bool{}, streams: map[string]bool{},
	}
}

// Notify wakes the relay for a prompt delivery; it never blocks. Call it
// after committing a transaction that appended messages.
func (r *Relay) Notify() {
	for _, w := range r.wakes {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// Run delivers until ctx is done, then returns nil once the batches in
// flight are finished or abandoned; it leaves no row claimed. Each topic
// has its own loop, so a slow receiver (statistics) does not hold back
// another (the audit log).
func (r *Relay) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, topic := range r.topics {
		wg.Go(func() {
			var st failureLog
			r.every(ctx, r.wakes[topic], r.opts.PollInterval, func() {
				if _, err := r.drain(ctx, topic); ctx.Err() == nil {
					st.pass(r.logger, err, "outbox delivery failing; retrying", "outbox delivery recovered", "topic", topic)
				}
			})
		})
	}
	// The backlog query reads every undelivered row: not at polling pace.
	wg.Go(func() { r.every(ctx, nil, r.opts.ObserveEvery, func() { r.housekeeping(ctx) }) })
	wg.Wait()
	return nil
}

// every runs pass at once, then after each interval or wake-up, until
// ctx is done. A wake-up sooner than Linger after the last pass waits out
// the rest: under a stream of writes, each pass then carries the messages
// of many transactions instead of one, and its fixed cost (two
// transactions here, one at the receiver) is paid once for all of them.
func (r *Relay) every(ctx context.Context, wake <-chan struct{}, interval time.Duration, pass func()) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
			if wait := r.opts.Linger - time.Since(last); wait > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
		case <-timer.C:
		}
		last = time.Now()
		pass()
		if ctx.Err() != nil {
			return
		}
		timer.Reset(interval)
	}
}

// DeliverOnce delivers every due message of every handled topic and
// refreshes the metrics. It returns how many messages were delivered; a
// failed topic is retried after a backoff, and its error is returned.
func (r *Relay) DeliverOnce(ctx context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	total := 0
	var errs []error
	for _, topic := range r.topics {
		n, err := r.drain(ctx, topic)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	if ctx.Err() == nil {
		if err := r.observe(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}

// drain numbers and delivers topic's messages until none is due, or one
// fails.
func (r *Relay) drain(ctx context.Context, topic string) (int, error) {
	total := 0
	for ctx.Err() == nil {
		numbered, err := r.number(ctx, topic)
		if err != nil {
			return total, err
		}
		n, more, err := r.deliverBatch(ctx, topic)
		total += n
		if err != nil {
			return total, err
		}
		if !more && numbered < numberChunk {
			break
		}
	}
	return total, nil
}

// deliverBatch delivers one batch of topic; more reports a full batch.
func (r *Relay) deliverBatch(ctx context.Context, topic string) (n int, more bool, err error) {
	bctx, cancel := batchContext(ctx)
	defer cancel()
	if r.db.Engine == db.Postgres {
		return r.deliverLocked(bctx, topic)
	}
	return r.deliverSingle(bctx, topic)
}

// deliverLocked reads, delivers and records a batch in one transaction.
// The topic's advisory lock, held to the end of the transaction, makes
// this relay the topic's only deliverer, so order holds across replicas.
func (r *Relay) deliverLocked(ctx context.Context, topic string) (int, bool, error) {
	tx, err := r.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, fmt.Errorf("outbox: relay %s: %s: begin: %w", r.service, topic, err)
	}
	defer tx.Rollback()
	var mine bool
	if err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock($1)`,
		lockKey(r.service, topic)).Scan(&mine); err != nil {
		return 0, false, fmt.Errorf("outbox: relay %s: %s: lock: %w", r.service, topic, err)
	}
	if !mine {
		return 0, false, nil // another replica is delivering this topic
	}
	st, msgs, more, err := r.claim(ctx, tx, topic)
	if err != nil || len(msgs) == 0 {
		return 0, false, err
	}
	failure, err := r.settle(ctx, tx, topic, st, msgs, r.call(ctx, topic, msgs))
	if err != nil {
		return 0, false, err
	}
	if err := tx.Commit(); err != nil {
		return 0, false, fmt.Errorf("outbox: relay %s: %s: commit: %w", r.service, topic, err)
	}
	return r.account(topic, msgs, more, failure)
}

// deliverSingle is the SQLite path. SQLite has one writer, so the batch is
// read outside a write transaction and recorded after the handler returns:
// the database stays writable while the handler runs.
func (r *Relay) deliverSingle(ctx context.Context, topic string) (int, bool, error) {
	st, msgs, more, err := r.claim(ctx, r.db.DB, topic)
	if err != nil || len(msgs) == 0 {
		return 0, false, err
	}
	herr := r.call(ctx, topic, msgs)
	var failure error
	err = r.db.Tx(ctx, func(tx *sql.Tx) (err error) {
		failure, err = r.settle(ctx, tx, topic, st, msgs, herr)
		return err
	})
	if err != nil {
		return 0, false, err
	}
	return r.account(topic, msgs, more, failure)
}

// lockKey is the advisory lock of one service's topic; services share a
// PostgreSQL database, so the service is part of the key.
func lockKey(service, topic string) int64 {
	return db.AdvisoryLockKey("outbox/" + service + "/" + topic)
}

// batchContext detaches the batch in flight from ctx, so that stopping
// finishes it, but abandons it shutdownGrace after ctx is done.
func batchContext(ctx context.Context) (context.Context, context.CancelFunc) {
	bctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(shutdownGrace, cancel) })
	return bctx, func() { stop(); cancel() }
}

// failureLog logs a repeated pass once per change of state: the first
// failure (with its error) and the recovery (with the failed passes in
// between), not every failed pass: while a database was down the relay
// warned five times a second.
type failureLog struct{ failed int }

func (f *failureLog) pass(logger log.Logger, err error, failing, recovered string, kv ...any) {
	switch {
	case err != nil && f.failed == 0:
		f.failed = 1
		level.Warn(logger).Log(append([]any{"msg", failing, "err", err}, kv...)...)
	case err != nil:
		f.failed++
	case f.failed > 0:
		level.Info(logger).Log(append([]any{"msg", recovered, "failed_passes", f.failed}, kv...)...)
		f.failed = 0
	}
}
