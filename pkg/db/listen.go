package db

import (
	"context"
	"errors"
	"time"

	"github.com/lib/pq"
)

// Listen follows PostgreSQL notifications on channel, as the service's
// own role, until ctx ends. fn(true) is called once listening and for
// every notification; fn(false) when the connection drops (a notification
// sent meanwhile is lost, so a listener treats the next fn(true), on
// reconnection, as "anything may have changed").
func (d *DB) Listen(ctx context.Context, channel string, fn func(live bool)) error {
	if d.Engine != Postgres {
		return errors.New("db: listen: PostgreSQL only")
	}
	dsn, err := serviceDSN(d.cfg, d.Service)
	if err != nil {
		return err
	}
	dsn, _ = preparedStatements(dsn)
	l := pq.NewListener(dsn, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, _ error) {
		if ev == pq.ListenerEventDisconnected {
			fn(false)
		}
	})
	defer l.Close()
	if err := l.Listen(channel); err != nil {
		return err
	}
	fn(true)
	// A quiet connection is checked now and then, so that a silent cut
	// is noticed (and reported) rather than waited on.
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-l.Notify: // nil after a reconnection
			fn(true)
		case <-t.C:
			go func() { _ = l.Ping() }()
		}
	}
}
