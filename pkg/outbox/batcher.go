package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/group"
)

// Batcher commits messages that must be durable before the caller goes
// on (the audit event of a read, written before any personal data is
// decrypted), sharing one transaction among the callers that arrive while
// the previous one commits: group commit. Each caller still returns only
// once its own messages are committed, or with the error that stopped
// them. Under load the commit's flush to disk happens once per batch
// instead of once per read.
type Batcher struct {
	db     *db.DB
	outbox *Outbox
	// Timeout bounds one batch's transaction (default 10 s).
	Timeout time.Duration

	batches group.Batches[[]Pending]
}

// NewBatcher returns a batcher appending to o in d.
func NewBatcher(d *db.DB, o *Outbox) *Batcher {
	return &Batcher{db: d, outbox: o, Timeout: 10 * time.Second}
}

// Append commits msgs, possibly together with other callers' messages,
// and returns once they are durable (nil) or have failed.
func (b *Batcher) Append(msgs ...Pending) error {
	return b.batches.Do(msgs, b.commit)
}

func (b *Batcher) commit(batch [][]Pending) error {
	var all []Pending
	for _, msgs := range batch {
		all = append(all, msgs...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), b.Timeout)
	defer cancel()
	err := b.db.Tx(ctx, func(tx *sql.Tx) error { return b.outbox.AppendAll(ctx, tx, all...) })
	if err != nil {
		return fmt.Errorf("outbox: %s: group commit of %d messages: %w", b.outbox.Service, len(all), err)
	}
	return nil
}
