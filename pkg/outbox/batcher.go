package outbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
)

// Batcher commits messages that must be durable before the caller goes
// on (the audit event of a read, written before any personal data is
// decrypted), sharing one transaction among the callers that arrive while
// the previous one commits: group commit. Each caller still returns only
// once its own messages are committed, or with the error that stopped
// them. Under load this takes the outbox sequence lock, and the commit's
// flush to disk, once per batch instead of once per read.
type Batcher struct {
	db     *db.DB
	outbox *Outbox
	// Timeout bounds one batch's transaction (default 10 s).
	Timeout time.Duration

	mu      sync.Mutex
	busy    bool // a leader is committing
	pending []*batchReq
}

type batchReq struct {
	msgs []Pending
	done chan error
}

// errLead hands the leader's role to a waiting caller.
var errLead = errors.New("outbox: lead the next batch")

// NewBatcher returns a batcher appending to o in d.
func NewBatcher(d *db.DB, o *Outbox) *Batcher {
	return &Batcher{db: d, outbox: o, Timeout: 10 * time.Second}
}

// Append commits msgs, possibly together with other callers' messages,
// and returns once they are durable (nil) or have failed.
func (b *Batcher) Append(msgs ...Pending) error {
	r := &batchReq{msgs: msgs, done: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, r)
	lead := !b.busy
	b.busy = true
	b.mu.Unlock()
	if !lead {
		if err := <-r.done; !errors.Is(err, errLead) {
			return err
		}
	}
	b.mu.Lock()
	batch := b.pending
	b.pending = nil
	b.mu.Unlock()

	err := b.commit(batch)
	for _, x := range batch {
		if x != r {
			x.done <- err
		}
	}

	b.mu.Lock()
	if len(b.pending) > 0 {
		next := b.pending[0]
		b.mu.Unlock()
		next.done <- errLead
	} else {
		b.busy = false
		b.mu.Unlock()
	}
	return err
}

func (b *Batcher) commit(batch []*batchReq) error {
	var all []Pending
	for _, x := range batch {
		all = append(all, x.msgs...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.Timeout)
	defer cancel()
	err := b.db.Tx(ctx, func(tx *sql.Tx) error { return b.outbox.AppendAll(ctx, tx, all...) })
	if err != nil {
		return fmt.Errorf("outbox: %s: group commit of %d messages: %w", b.outbox.Service, len(all), err)
	}
	return nil
}
