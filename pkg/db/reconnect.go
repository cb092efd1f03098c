package db

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/nrm-project/nrm/pkg/db/outage"
)

// Reconnection backoff: after a failed connection attempt the next one
// waits firstRetry, doubling up to lastRetry, each wait drawn between half
// and all of it so that replicas do not retry in step. lastRetry bounds
// how long requests keep failing once the database is back; at one dial a
// second per process a down database is not burdened (with 5 s, writes
// failed for up to 5 s after PostgreSQL had recovered).
const (
	firstRetry = 100 * time.Millisecond
	lastRetry  = time.Second
)

// reconnectGate shares connection attempts while a database is down: after
// an attempt fails for an outage (refused, reset, shutting down, too many
// connections), new connections are refused at once with an outage error
// until the next attempt is due, and then one caller alone tries. Without
// it every request dialled afresh: about 3,800 dials a second while
// PostgreSQL restarted. While the database is up, connections open as
// usual, several at a time.
type reconnectGate struct {
	now      func() time.Time
	jitter   func(d time.Duration) time.Duration
	onChange func(down bool, err error) // told once per change of state

	mu       sync.Mutex
	failures int
	next     time.Time
	probing  bool
	last     error
}

func newReconnectGate(onChange func(down bool, err error)) *reconnectGate {
	return &reconnectGate{
		now:      time.Now,
		jitter:   func(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) },
		onChange: onChange,
	}
}

// errWaitingToReconnect is the cause of a connection refused by the gate.
var errWaitingToReconnect = errors.New("database unreachable; waiting to reconnect")

// enter returns nil when the caller may dial, and the outage error to
// return otherwise.
func (g *reconnectGate) enter() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failures == 0 {
		return nil
	}
	now := g.now()
	if g.probing || now.Before(g.next) {
		return outage.New(fmt.Errorf("%w: %w", errWaitingToReconnect, g.last), max(g.next.Sub(now), time.Second))
	}
	g.probing = true
	return nil
}

// leave records the outcome of an attempt that enter let through.
func (g *reconnectGate) leave(ctx context.Context, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.probing = false
	switch {
	case err == nil:
		if g.failures > 0 && g.onChange != nil {
			g.onChange(false, nil)
		}
		g.failures = 0
	case outage.Is(err) && !errors.Is(ctx.Err(), context.Canceled):
		g.failures++
		wait := lastRetry
		if g.failures < 8 {
			wait = min(firstRetry<<(g.failures-1), lastRetry)
		}
		g.next, g.last = g.now().Add(g.jitter(wait)), err
		if g.failures == 1 && g.onChange != nil {
			g.onChange(true, err)
		}
	}
}

// gatedConnector is a driver.Connector whose Connect goes through a gate.
type gatedConnector struct {
	driver.Connector
	gate *reconnectGate
}

func (c gatedConnector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := c.gate.enter(); err != nil {
		return nil, err
	}
	conn, err := c.Connector.Connect(ctx)
	c.gate.leave(ctx, err)
	return conn, err
}
