package db_test

import (
	"context"
	"database/sql"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/db/dbtest"
	"github.com/nrm-project/nrm/pkg/db/outage"
)

// countingDialer counts the dials lib/pq makes, refusing them (as a
// stopped server would) while down is set.
type countingDialer struct {
	dials atomic.Int64
	down  atomic.Bool
	d     net.Dialer
}

func (c *countingDialer) Dial(network, addr string) (net.Conn, error) {
	return c.DialContext(context.Background(), network, addr)
}

func (c *countingDialer) DialTimeout(network, addr string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return c.DialContext(ctx, network, addr)
}

func (c *countingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c.dials.Add(1)
	if c.down.Load() {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	return c.d.DialContext(ctx, network, addr)
}

// load runs workers goroutines pinging through sdb for d, each ping with
// a short deadline, and returns how many pings failed with an error that
// is not an outage (a 500 instead of a 503).
func load(sdb *sql.DB, workers int, d time.Duration) (defects int64) {
	var wg sync.WaitGroup
	var n atomic.Int64
	stop := time.Now().Add(d)
	for range workers {
		wg.Go(func() {
			for time.Now().Before(stop) {
				ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
				err := sdb.PingContext(ctx)
				cancel()
				if err != nil && !outage.Is(err) {
					n.Add(1)
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	wg.Wait()
	return n.Load()
}

// While the database refuses connections, connection attempts are shared
// and spaced out instead of one fresh dial per request, every refusal is
// an outage (503), and the state changes are reported once each.
// go test -run TestReconnectionBacksOff -v ./pkg/db/ prints the figures.
func TestReconnectionBacksOff(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close() // a closed port: every dial is refused

	const workers, span = 8, 2 * time.Second
	dials := map[bool]int64{}
	for _, gated := range []bool{false, true} {
		cd := &countingDialer{}
		conn, err := pq.NewConnector("postgres://nrm@" + closed + "/nrm?sslmode=disable")
		if err != nil {
			t.Fatal(err)
		}
		conn.Dialer(cd)
		var downs atomic.Int64
		sdb := sql.OpenDB(db.Gated(conn, gated, func(down bool, _ error) {
			if down {
				downs.Add(1)
			}
		}))
		if defects := load(sdb, workers, span); defects > 0 {
			t.Errorf("gated %v: %d refusals were not outages", gated, defects)
		}
		sdb.Close()
		dials[gated] = cd.dials.Load()
		t.Logf("gated %v: %d dials in %v with %d workers (%.0f a second)", gated, dials[gated], span, workers, float64(dials[gated])/span.Seconds())
		if gated && downs.Load() != 1 {
			t.Errorf("the outage was reported %d times, want once", downs.Load())
		}
	}
	// Doubling from 100 ms to 5 s with jitter: at most about ten attempts
	// in two seconds, plus the first dial of each worker.
	if dials[true] > workers+20 {
		t.Errorf("%d dials in %v behind the gate", dials[true], span)
	}
}

// Once the database answers again, connections come back on their own.
func TestReconnectionRecovers(t *testing.T) {
	e := dbtest.Postgres(t)
	u, err := url.Parse(e.Config.URL)
	if err != nil {
		t.Fatal(err)
	}
	cd := &countingDialer{}
	conn, err := pq.NewConnector(u.String())
	if err != nil {
		t.Fatal(err)
	}
	conn.Dialer(cd)
	var changes []bool
	var mu sync.Mutex
	sdb := sql.OpenDB(db.Gated(conn, true, func(down bool, _ error) {
		mu.Lock()
		changes = append(changes, down)
		mu.Unlock()
	}))
	defer sdb.Close()
	sdb.SetMaxIdleConns(0) // every ping dials
	ctx := context.Background()
	if err := sdb.PingContext(ctx); err != nil {
		t.Fatal(err)
	}
	cd.down.Store(true)
	for range 3 {
		if err := sdb.PingContext(ctx); !outage.Is(err) {
			t.Fatalf("database down: %v, want an outage", err)
		}
	}
	cd.down.Store(false)
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := sdb.PingContext(ctx)
		if err == nil {
			break
		}
		if !outage.Is(err) || time.Now().After(deadline) {
			t.Fatalf("after the database came back: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(changes) != 2 || !changes[0] || changes[1] {
		t.Fatalf("state changes %v, want down then up", changes)
	}
}
