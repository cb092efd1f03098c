package kit

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiterRefillsAndBounds(t *testing.T) {
	now := time.Unix(0, 0)
	l := NewLimiter(1, 3, 100)
	l.now = func() time.Time { return now }
	for i := range 3 {
		if !l.Allow("a") {
			t.Fatalf("request %d refused within burst", i)
		}
	}
	if l.Allow("a") {
		t.Fatal("fourth request allowed past the burst")
	}
	if !l.Allow("b") {
		t.Fatal("another key is limited by the first")
	}
	now = now.Add(2 * time.Second)
	if !l.Allow("a") || !l.Allow("a") || l.Allow("a") {
		t.Fatal("two seconds should refill exactly two tokens")
	}
	for i := range 1000 {
		l.Allow(fmt.Sprintf("flood-%d", i))
	}
	if n := l.Len(); n != 100 {
		t.Fatalf("limiter tracks %d keys, want the bound 100", n)
	}
}
