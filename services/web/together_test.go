package web

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
)

const togetherCase = "0b5f6a3e-3333-4a4a-8a8a-000000000001"

// barrier is met when n calls are under way at once; a call that waits
// longer than a second for the others reports that they came one by one.
type barrier struct {
	mu       sync.Mutex
	n, in    int
	met      chan struct{}
	serially bool
}

func (b *barrier) enter() {
	b.mu.Lock()
	b.in++
	if b.in == b.n {
		close(b.met)
	}
	b.mu.Unlock()
	select {
	case <-b.met:
	case <-time.After(time.Second):
		b.mu.Lock()
		b.serially = true
		b.mu.Unlock()
	}
}

type togetherCases struct {
	Cases
	b *barrier
}

func (f togetherCases) Get(context.Context, string) (intake.Case, error) {
	return intake.Case{ID: togetherCase, Reference: "NRM-2026-000009", Status: intake.StatusRegistered, OwnerOrg: "police"}, nil
}
func (f togetherCases) Workflow(context.Context, string) (intake.Workflow, error) {
	f.b.enter()
	return intake.Workflow{DecisionState: intake.DecisionIdentified}, nil
}
func (f togetherCases) Entries(context.Context, string) ([]intake.Entry, error) {
	f.b.enter()
	return nil, nil
}

type togetherReferrals struct {
	Referrals
	b *barrier
}

func (f togetherReferrals) Sent(context.Context) ([]referral.Referral, error) {
	f.b.enter()
	return nil, nil
}

// TestCasePageCallsTogether: once the case is known readable, the case
// page asks for its tracks, its record and its referrals at once, so that
// their audit records share commits instead of waiting in turn.
func TestCasePageCallsTogether(t *testing.T) {
	b := &barrier{n: 3, met: make(chan struct{})}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h, err := New(Config{Identity: struct{ Identity }{}, Cases: togetherCases{b: b}, Referrals: togetherReferrals{b: b}, SessionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rec := httptest.NewRecorder()
	h.save(rec, &session{Access: "token", AccessExp: now.Add(time.Hour).Unix(), Created: now.Unix(), Seen: now.Unix(),
		CSRF: randomToken(), UserID: "u", OrgID: "police", Roles: []string{"frontline_officer"}})
	r := httptest.NewRequest(http.MethodGet, "/cases/"+togetherCase, nil)
	r.AddCookie(rec.Result().Cookies()[0])
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("case page: %d", w.Code)
	}
	if b.serially {
		t.Fatal("the case page asked for its tracks, record and referrals one after another")
	}
}

type togetherList struct {
	Cases
	b *barrier
}

func (f togetherList) List(context.Context, intake.ListQuery) (intake.CasePage, error) {
	f.b.enter()
	return intake.CasePage{}, nil
}

// TestMyCasesCallsTogether: "my cases" asks for the cases and the
// referrals made at once.
func TestMyCasesCallsTogether(t *testing.T) {
	b := &barrier{n: 2, met: make(chan struct{})}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h, err := New(Config{Identity: struct{ Identity }{}, Cases: togetherList{b: b}, Referrals: togetherReferrals{b: b}, SessionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rec := httptest.NewRecorder()
	h.save(rec, &session{Access: "token", AccessExp: now.Add(time.Hour).Unix(), Created: now.Unix(), Seen: now.Unix(),
		CSRF: randomToken(), UserID: "u", OrgID: "police", Roles: []string{"frontline_officer"}})
	r := httptest.NewRequest(http.MethodGet, "/cases", nil)
	r.AddCookie(rec.Result().Cookies()[0])
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK || b.serially {
		t.Fatalf("my cases: %d, one call after the other: %v", w.Code, b.serially)
	}
}
