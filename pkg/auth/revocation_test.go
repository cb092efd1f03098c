package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeFeed is a revocation source over a slice; cursor = index.
type fakeFeed struct {
	mu   sync.Mutex
	ids  []string
	fail bool
	page int
}

func (f *fakeFeed) add(ids ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids = append(f.ids, ids...)
}

func (f *fakeFeed) source(_ context.Context, since int64) ([]string, int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return nil, 0, errors.New("feed down")
	}
	end := int64(len(f.ids))
	if f.page > 0 && end-since > int64(f.page) {
		end = since + int64(f.page)
	}
	return append([]string(nil), f.ids[since:end]...), end, nil
}

func TestRevocationList(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	feed := &fakeFeed{page: 2}
	l := NewRevocationList(feed.source)
	l.Now = clock
	ctx := context.Background()

	if !l.Revoked("a") {
		t.Fatal("an unsynced list must refuse every session")
	}
	feed.add("a", "b", "c", "d", "e")
	if err := l.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b", "c", "d", "e"} {
		if !l.Revoked(id) {
			t.Errorf("%s not revoked after poll (pages must be drained)", id)
		}
	}
	if l.Revoked("live") {
		t.Error("a live session counts as revoked")
	}

	now = now.Add(AccessTokenTTL + 2*time.Minute)
	feed.add("f")
	if err := l.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if l.Len() != 1 || !l.Revoked("f") || l.Revoked("a") {
		t.Errorf("after retention: len=%d, want only f kept", l.Len())
	}

	feed.mu.Lock()
	feed.fail = true
	feed.mu.Unlock()
	if err := l.Poll(ctx); err == nil {
		t.Fatal("poll of a failing feed succeeded")
	}
	if l.Revoked("live") {
		t.Error("one failed poll must not refuse everyone yet")
	}
	now = now.Add(2 * time.Minute)
	if !l.Revoked("live") {
		t.Error("a stale list must fail closed")
	}
}

func TestRevocationListRun(t *testing.T) {
	feed := &fakeFeed{}
	l := NewRevocationList(feed.source)
	l.PollInterval = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	feed.add("s1")
	deadline := time.Now().Add(5 * time.Second)
	for !l.Revoked("s1") || l.Revoked("s2") {
		if time.Now().After(deadline) {
			t.Fatal("revocation not seen within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
