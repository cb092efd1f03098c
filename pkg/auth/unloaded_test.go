package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
)

// Right after a start the revocation list is not loaded: a valid token is
// neither accepted nor refused as revoked. The client is told to retry
// (503 with Retry-After), not to sign in again (401), and the same token
// works once the list is loaded; a revoked one is then refused. The same
// holds once the list has gone stale.
func TestUnloadedRevocationListAsksForARetry(t *testing.T) {
	feed := &fakeFeed{}
	l := NewRevocationList(feed.source)
	f := newTokenFixture(t, l)
	l.Now = func() time.Time { return f.now }
	tok := f.sign(t, f.claims(), nil)
	mw := Middleware(f.v)(func(context.Context, any) (any, error) { return "ok", nil })
	ctx := context.WithValue(context.Background(), tokenKey{}, tok)

	_, err := mw(ctx, nil)
	if e := kit.AsError(err); e.Status != 503 || e.RetryAfter <= 0 {
		t.Fatalf("before the first load: %v (%d), want 503 with a wait", err, e.Status)
	}
	if !errors.Is(err, kit.ErrUnavailable) || errors.Is(err, kit.ErrUnauthenticated) {
		t.Fatalf("before the first load: %v", err)
	}
	if l.Current() {
		t.Fatal("an unloaded list says it is current")
	}

	if err := l.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if out, err := mw(ctx, nil); err != nil || out != "ok" {
		t.Fatalf("after the load: %v %v", out, err)
	}

	feed.add("session-1")
	if err := l.Poll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := mw(ctx, nil); !errors.Is(err, kit.ErrUnauthenticated) {
		t.Fatalf("revoked session: %v, want 401", err)
	}

	// Stale: no poll for longer than FailClosedAfter.
	other := f.claims()
	other.Sid, other.ID = "session-2", "jti-2"
	ctx2 := context.WithValue(context.Background(), tokenKey{}, f.sign(t, other, nil))
	f.now = f.now.Add(2 * time.Minute)
	if _, err := mw(ctx2, nil); kit.AsError(err).Status != 503 {
		t.Fatalf("stale list: %v, want 503", err)
	}
}
