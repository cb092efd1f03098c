package outage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/lib/pq"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errors.New("bug"), false},
		{"no rows", sql.ErrNoRows, false},
		{"eof", io.EOF, false},
		{"unique violation", &pq.Error{Code: "23505"}, false},
		{"syntax error", &pq.Error{Code: "42601"}, false},
		{"refused", &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, true},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"bad conn", fmt.Errorf("commit: %w", driver.ErrBadConn), true},
		{"conn done", sql.ErrConnDone, true},
		{"deadline", fmt.Errorf("acquire: %w", context.DeadlineExceeded), true},
		{"disk full", fmt.Errorf("write: %w", syscall.ENOSPC), true},
		{"pg connection failure", &pq.Error{Code: "08006"}, true},
		{"pg disk full", &pq.Error{Code: "53100"}, true},
		{"pg too many connections", &pq.Error{Code: "53300"}, true},
		{"pg admin shutdown", &pq.Error{Code: "57P01"}, true},
		{"pg cannot connect now", &pq.Error{Code: "57P03"}, true},
		{"pg lock timeout", &pq.Error{Code: "55P03"}, true},
		{"marked", New(errors.New("x"), 3), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, ok := Classify(tt.err)
			if ok != tt.want || (ok && d < 1) {
				t.Fatalf("Classify(%v) = %v, %v; want %v", tt.err, d, ok, tt.want)
			}
		})
	}
}
