package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/web/page"
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

// oneReadCases answers the case page's one read and counts the reads.
type oneReadCases struct {
	Cases
	mu    *sync.Mutex
	calls *[]string
}

func (f oneReadCases) note(call string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	*f.calls = append(*f.calls, call)
}

func (f oneReadCases) CaseView(_ context.Context, _ string, parts intake.CaseParts) (intake.CaseView, error) {
	f.note(fmt.Sprintf("CaseView workflow=%v entries=%v", parts.Workflow, parts.Entries))
	return intake.CaseView{
		Case: intake.Case{ID: togetherCase, Reference: "NRM-2026-000009", Status: intake.StatusRegistered, OwnerOrg: "police",
			Nationalities: []string{"NG"}, Languages: []string{"ar", "fr"}},
		Workflow: &intake.Workflow{DecisionState: intake.DecisionIdentified},
		Entries:  []intake.Entry{{ID: "0b5f6a3e-3333-4a4a-8a8a-000000000002", Type: "note", Content: []byte(`{"text":"seen at the station"}`)}},
	}, nil
}
func (f oneReadCases) Get(context.Context, string) (intake.Case, error) {
	f.note("Get")
	return intake.Case{}, intake.ErrNotFound
}
func (f oneReadCases) Workflow(context.Context, string) (intake.Workflow, error) {
	f.note("Workflow")
	return intake.Workflow{}, intake.ErrNotFound
}
func (f oneReadCases) Entries(context.Context, string) ([]intake.Entry, error) {
	f.note("Entries")
	return nil, intake.ErrNotFound
}

type togetherReferrals struct {
	Referrals
	b *barrier
}

func (f togetherReferrals) Sent(context.Context) ([]referral.Referral, error) {
	f.b.enter()
	return nil, nil
}

// TestCasePageReadsTheCaseOnce: the case page asks intake for the case,
// its tracks and its record in one read (one audit record, one commit to
// wait for), not three, and shows what that read answered.
func TestCasePageReadsTheCaseOnce(t *testing.T) {
	var (
		mu    sync.Mutex
		calls []string
	)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	refs := togetherReferrals{b: &barrier{n: 1, met: make(chan struct{})}}
	h, err := New(Config{Identity: struct{ Identity }{}, Cases: oneReadCases{mu: &mu, calls: &calls}, Referrals: refs, SessionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rec := httptest.NewRecorder()
	h.Save(rec, &page.Session{Access: "token", AccessExp: now.Add(time.Hour).Unix(), Created: now.Unix(), Seen: now.Unix(),
		CSRF: page.RandomToken(), UserID: "u", OrgID: "police", Roles: []string{"frontline_officer"}})
	r := httptest.NewRequest(http.MethodGet, "/cases/"+togetherCase, nil)
	r.AddCookie(rec.Result().Cookies()[0])
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("case page: %d", w.Code)
	}
	if want := []string{"CaseView workflow=true entries=true"}; !slices.Equal(calls, want) {
		t.Fatalf("the case page asked intake %q, want %q", calls, want)
	}
	if body := w.Body.String(); !strings.Contains(body, "seen at the station") || !strings.Contains(body, "NRM-2026-000009") {
		t.Fatal("the case page does not show the case and the record it read")
	}
	// Nationalities and languages are named, not shown as codes.
	if body := w.Body.String(); !strings.Contains(body, "Nigeria") || !strings.Contains(body, "Arabic, French") {
		t.Fatal("the case page does not name the nationality and languages")
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
	h.Save(rec, &page.Session{Access: "token", AccessExp: now.Add(time.Hour).Unix(), Created: now.Unix(), Seen: now.Unix(),
		CSRF: page.RandomToken(), UserID: "u", OrgID: "police", Roles: []string{"frontline_officer"}})
	r := httptest.NewRequest(http.MethodGet, "/cases", nil)
	r.AddCookie(rec.Result().Cookies()[0])
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK || b.serially {
		t.Fatalf("my cases: %d, one call after the other: %v", w.Code, b.serially)
	}
}

type listedWithReferral struct{ Cases }

func (listedWithReferral) List(context.Context, intake.ListQuery) (intake.CasePage, error) {
	return intake.CasePage{Cases: []intake.Case{{ID: togetherCase, Reference: "NRM-2026-000009", Status: intake.StatusRegistered, OwnerOrg: "police"}}}, nil
}

type sentShelter struct{ Referrals }

func (sentShelter) Sent(context.Context) ([]referral.Referral, error) {
	return []referral.Referral{{CaseID: togetherCase, Service: "shelter", Status: "accepted"}}, nil
}

// TestFrenchLabelColon: in French a label's colon follows a non-breaking
// space ("Hébergement : Acceptée"), in English it does not.
func TestFrenchLabelColon(t *testing.T) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h, err := New(Config{Identity: struct{ Identity }{}, Cases: listedWithReferral{}, Referrals: sentShelter{}, SessionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rec := httptest.NewRecorder()
	h.Save(rec, &page.Session{Access: "token", AccessExp: now.Add(time.Hour).Unix(), Created: now.Unix(), Seen: now.Unix(),
		CSRF: page.RandomToken(), UserID: "u", OrgID: "police", Roles: []string{"frontline_officer"}})
	for lang, want := range map[string]string{"fr": "Hébergement\u00a0: ", "en": "Shelter: "} {
		r := httptest.NewRequest(http.MethodGet, "/cases", nil)
		r.Header.Set("Accept-Language", lang)
		r.AddCookie(rec.Result().Cookies()[0])
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: my cases does not show %q", lang, want)
		}
	}
}
