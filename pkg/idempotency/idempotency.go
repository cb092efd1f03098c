package idempotency

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/kit"
)

// DefaultTTL is how long a key names its outcome unless configured.
const DefaultTTL = 24 * time.Hour

// SweepEvery is how often, at most, a store deletes expired records.
const SweepEvery = 10 * time.Minute

// Outcome is what a record keeps of a request's answer: its status, its
// code (empty for a success) and the ids of what it created or changed,
// from which the answer is rebuilt.
type Outcome struct {
	Status int
	Code   string
	IDs    []string
}

// ID returns the outcome's first id, or "".
func (o Outcome) ID() string {
	if len(o.IDs) == 0 {
		return ""
	}
	return o.IDs[0]
}

// Config configures a Store.
type Config struct {
	// TTL is how long a key names its outcome (DefaultTTL when zero).
	TTL time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Store keeps the records of one service's keyed requests, in its
// database's idempotency_keys table.
type Store struct {
	db       *db.DB
	mac      []byte
	ttl      time.Duration
	now      func() time.Time
	inflight sync.Map // key MAC -> struct{}: requests being carried out here
	swept    atomic.Int64
}

// New returns the store of d, with macKey the subkey for its HMACs
// (keys.PurposeIdempotency).
func New(d *db.DB, macKey []byte, cfg Config) *Store {
	s := &Store{db: d, mac: macKey, ttl: cfg.TTL, now: cfg.Now}
	if s.ttl <= 0 {
		s.ttl = DefaultTTL
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// TTL returns how long a key names its outcome.
func (s *Store) TTL() time.Duration { return s.ttl }

// pending is the record a keyed request writes in its transaction.
type pending struct {
	op, keyMAC, bodyMAC string
}

type pendingCtx struct{ s *Store }

func (s *Store) sum(parts ...string) string {
	m := hmac.New(sha256.New, s.mac)
	for _, p := range parts {
		fmt.Fprintf(m, "%d:", len(p))
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil))
}

// Record writes, in the write's transaction tx, the outcome of the keyed
// request ctx carries out for s: status and the ids it created or changed.
// Without a keyed request it does nothing. A second request with the same
// key committed first makes it fail (the key's unique index), and the
// transaction with it.
func (s *Store) Record(ctx context.Context, tx Execer, status int, ids ...string) error {
	if s == nil {
		return nil
	}
	p, ok := ctx.Value(pendingCtx{s}).(*pending)
	if !ok {
		return nil
	}
	return s.insert(ctx, tx, p, Outcome{Status: status, IDs: ids})
}

// Do carries out the request req of operation op with write, at most once
// per caller and key when ctx carries a key (see package doc). write must
// call s.Record in its transaction; replay rebuilds the answer of an
// earlier outcome. req is the whole request (path ids included): its
// canonical JSON is what "the same request" means.
func Do[T any](ctx context.Context, s *Store, op string, req any,
	write func(context.Context) (T, error), replay func(context.Context, Outcome) (T, error)) (T, error) {
	var zero T
	key, ok, err := KeyFrom(ctx)
	if !ok || s == nil {
		return write(ctx)
	}
	if err != nil {
		return zero, err
	}
	who, ok := auth.FromContext(ctx)
	if !ok {
		return write(withoutKey(ctx))
	}
	body, err := json.Marshal(req)
	if err != nil {
		return zero, fmt.Errorf("idempotency: %s: %w", op, err)
	}
	p := &pending{op: op, keyMAC: s.sum("key", op, who.UserID, key), bodyMAC: s.sum("body", op, string(body))}
	clear(body)
	if _, busy := s.inflight.LoadOrStore(p.keyMAC, struct{}{}); busy {
		return zero, ErrKeyInUse
	}
	defer s.inflight.Delete(p.keyMAC)
	s.sweepIfDue(ctx)
	if o, found, err := s.earlier(ctx, p); err != nil || found {
		if err != nil {
			return zero, err
		}
		return replay(withoutKey(ctx), o)
	}
	v, err := write(context.WithValue(withoutKey(ctx), pendingCtx{s}, p))
	if err == nil || kit.AsError(err).Status < http.StatusInternalServerError {
		return v, err
	}
	// The write failed on the database's side: another process may have
	// recorded the same key first (the insert then failed on its unique
	// index), or the commit happened and only its answer was lost. The
	// record, if it is there now, is the outcome.
	if o, found, lerr := s.earlier(ctx, p); lerr == nil && found {
		return replay(withoutKey(ctx), o)
	}
	return zero, err
}

// earlier returns the outcome recorded for p's key: found only when it is
// unexpired; ErrKeyReused when it was recorded for another request.
func (s *Store) earlier(ctx context.Context, p *pending) (Outcome, bool, error) {
	r, found, err := s.find(ctx, p.keyMAC)
	if err != nil || !found {
		return Outcome{}, false, err
	}
	if r.expiresAt <= s.now().Unix() {
		return Outcome{}, false, s.forget(ctx, p.keyMAC)
	}
	if !hmac.Equal([]byte(r.bodyMAC), []byte(p.bodyMAC)) {
		return Outcome{}, false, ErrKeyReused
	}
	return r.outcome, true, nil
}

// sweepIfDue deletes the expired records when the last sweep is older
// than SweepEvery; one caller at a time does it, a failure is retried
// with a later request.
func (s *Store) sweepIfDue(ctx context.Context) {
	now := s.now().UnixNano()
	last := s.swept.Load()
	if now-last < int64(SweepEvery) || !s.swept.CompareAndSwap(last, now) {
		return
	}
	if _, err := s.Sweep(ctx); err != nil {
		s.swept.Store(last)
	}
}
