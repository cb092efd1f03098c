package outbox

import (
	"context"
	"fmt"

	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/db"
)

// housekeeping sweeps old delivered messages when due and refreshes the
// backlog metrics.
func (r *Relay) housekeeping(ctx context.Context) {
	if r.sweepDue() {
		if _, err := r.Sweep(ctx); err != nil && ctx.Err() == nil {
			level.Error(r.logger).Log("msg", "outbox sweep failed", "err", err)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.observe(ctx); ctx.Err() == nil {
		r.observed.pass(r.logger, err, "outbox backlog not measured", "outbox backlog measured again")
	}
}

// Sweep deletes delivered messages written longer than the retention ago.
// The sequence table keeps the numbering, so receivers still detect gaps.
func (r *Relay) Sweep(ctx context.Context) (int64, error) {
	res, err := r.db.ExecContext(ctx,
		db.CustomPlan+`DELETE FROM outbox WHERE created_at < $1
		   AND seq <= (SELECT s.delivered FROM outbox_seq s WHERE s.topic = outbox.topic)`,
		r.now().Add(-r.opts.Retention))
	if err != nil {
		return 0, fmt.Errorf("outbox: relay %s: sweep: %w", r.service, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("outbox: relay %s: sweep: %w", r.service, err)
	}
	return n, nil
}

func (r *Relay) sweepDue() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	if now.Sub(r.lastSweep) < sweepEvery {
		return false
	}
	r.lastSweep = now
	return true
}
