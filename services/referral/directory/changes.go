package directory

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/nrm-project/nrm/pkg/db"
)

// Channel is the PostgreSQL notification channel of directory changes.
const Channel = "nrm_referral_directory"

// SharedTTL is how long a snapshot lives while changes are followed
// through PostgreSQL: every write notifies every replica, which drops its
// snapshot at once, so the period only bounds writes made behind the
// service's back.
const SharedTTL = 30 * time.Second

// Changes drops every directory snapshot of this process when the
// directory changes: here, or, on PostgreSQL, in any replica (writes
// notify Channel in their transaction, delivered at commit, and Run
// listens). Share it between the stores of one process.
type Changes struct {
	db     *db.DB
	logger log.Logger
	live   atomic.Bool // listening: snapshots may live SharedTTL

	mu     sync.Mutex
	caches []*dirCache
}

// NewChanges returns the change feed of the directory in d.
func NewChanges(d *db.DB, logger log.Logger) *Changes {
	if logger == nil {
		logger = log.NewNopLogger()
	}
	return &Changes{db: d, logger: logger}
}

func (c *Changes) add(dc *dirCache) {
	c.mu.Lock()
	c.caches = append(c.caches, dc)
	c.mu.Unlock()
	dc.changes = c
}

// Changed drops every snapshot of this process.
func (c *Changes) Changed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, dc := range c.caches {
		dc.invalidate()
	}
}

// Run follows the other replicas' changes until ctx ends (on PostgreSQL;
// on SQLite, one process, there are none). While the connection is down,
// snapshots fall back to their short period.
func (c *Changes) Run(ctx context.Context) error {
	if c.db.Engine != db.Postgres {
		<-ctx.Done()
		return nil
	}
	for ctx.Err() == nil {
		err := c.db.Listen(ctx, Channel, func(live bool) {
			c.Changed()
			c.live.Store(live)
		})
		c.live.Store(false)
		c.Changed()
		if err != nil && ctx.Err() == nil {
			level.Warn(c.logger).Log("msg", "directory changes not followed; snapshots kept briefly", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return nil
}

// notifies reports whether writes must notify other replicas.
func (c *Changes) notifies() bool { return c != nil && c.db.Engine == db.Postgres }

// Live reports whether other replicas' changes are being followed.
func (c *Changes) Live() bool { return c.live.Load() }
