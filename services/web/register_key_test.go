package web

import (
	"context"
	"crypto/rand"
	"net/url"
	"regexp"
	"sync"
	"testing"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/idempotency"
	"github.com/nrm-project/nrm/services/intake"
)

// keyedCases registers like intake does with an Idempotency-Key: one case
// per key; busy makes the next call find the key still in use.
type keyedCases struct {
	noCases
	mu      sync.Mutex
	byKey   map[string]intake.Case
	unkeyed int
	busy    int
}

func (f *keyedCases) Register(ctx context.Context, _ intake.Registration) (intake.Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	key, ok, err := idempotency.KeyFrom(ctx)
	if err != nil {
		return intake.Case{}, err
	}
	if !ok {
		f.unkeyed++
		return intake.Case{ID: event.NewID()}, nil
	}
	if f.busy > 0 {
		f.busy--
		return intake.Case{}, idempotency.ErrKeyInUse
	}
	c, seen := f.byKey[key]
	if !seen {
		c = intake.Case{ID: event.NewID()}
		f.byKey[key] = c
	}
	return c, nil
}

var keyFieldRe = regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`)

// TestRegistrationFormSentTwice: the form carries a key of its own, sent
// with the registration, so submitting it twice (a double click, a resend
// after a lost answer) leads to one case; a second submission arriving
// while the first is being written waits for it.
func TestRegistrationFormSentTwice(t *testing.T) {
	cases := &keyedCases{byKey: map[string]intake.Case{}}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h, err := New(Config{Identity: noIdentity{}, Cases: cases, Referrals: noReferrals{}, SessionKey: key,
		Logger: log.NewNopLogger()})
	if err != nil {
		t.Fatal(err)
	}
	officer := as(t, h, orgPolice, auth.RoleFrontlineOfficer)
	page := officer("GET", "/cases/new", nil)
	m := keyFieldRe.FindStringSubmatch(page.Body.String())
	if page.Code != 200 || m == nil {
		t.Fatalf("the form has no key of its own (%d)", page.Code)
	}
	if again := keyFieldRe.FindStringSubmatch(officer("GET", "/cases/new", nil).Body.String()); again == nil || again[1] == m[1] {
		t.Fatal("two fillings of the form share a key")
	}
	form := func() url.Values {
		return url.Values{"route": {"nrm"}, "identified_on": {"2026-11-20"}, "region": {"MA-06"}, "gender": {"female"},
			"age_group": {"adult"}, "nationalities": {"NG"}, "exploitation_types": {"labour"}, "exploitation_location": {"both"},
			"needs": {"shelter"}, "languages": {"en"}, "consent.assistance": {"true"}, "consent.nrm_referral": {"true"},
			"consent.data_sharing": {"true"}, "identity.full_name": {"Amina Form"}, "idempotency_key": {m[1]}}
	}
	first := officer("POST", "/cases/new", form())
	cases.busy = 1 // the second arrives while the first is being written
	second := officer("POST", "/cases/new", form())
	if first.Code != 303 || second.Code != 303 || first.Header().Get("Location") != second.Header().Get("Location") {
		t.Fatalf("answers %d %q and %d %q, want the same case twice", first.Code, first.Header().Get("Location"),
			second.Code, second.Header().Get("Location"))
	}
	if len(cases.byKey) != 1 || cases.unkeyed != 0 {
		t.Fatalf("%d keyed and %d unkeyed registrations, want 1 keyed", len(cases.byKey), cases.unkeyed)
	}
}

// keyedGuardians appoints like intake does with an Idempotency-Key: once
// per key.
type keyedGuardians struct {
	mu      sync.Mutex
	byKey   map[string]int
	unkeyed int
}

func (f *keyedGuardians) AppointGuardian(ctx context.Context, caseID string, _ intake.GuardianInput) (intake.Workflow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	key, ok, err := idempotency.KeyFrom(ctx)
	if err != nil {
		return intake.Workflow{}, err
	}
	if !ok {
		f.unkeyed++
	} else {
		f.byKey[key]++
	}
	return intake.Workflow{CaseID: caseID}, nil
}

// TestGuardianFormSentTwice: the guardian form's submission carries the
// form's key to intake, as the registration form's does, so a form sent
// twice is one appointment in intake's eyes.
func TestGuardianFormSentTwice(t *testing.T) {
	guardians := &keyedGuardians{byKey: map[string]int{}}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h, err := New(Config{Identity: noIdentity{}, Cases: noCases{}, Referrals: noReferrals{}, Guardians: guardians, SessionKey: key,
		Logger: log.NewNopLogger()})
	if err != nil {
		t.Fatal(err)
	}
	officer := as(t, h, orgPolice, auth.RoleFrontlineOfficer)
	form := url.Values{"org_id": {event.NewID()}, "user_id": {event.NewID()}, "idempotency_key": {"form-key-1"}}
	path := "/cases/" + event.NewID() + "/guardian"
	for range 2 {
		if r := officer("POST", path, form); r.Code != 303 {
			t.Fatalf("appointment answered %d", r.Code)
		}
	}
	if guardians.byKey["form-key-1"] != 2 || guardians.unkeyed != 0 {
		t.Fatalf("keys sent %v, %d unkeyed; want the form's key with both", guardians.byKey, guardians.unkeyed)
	}
}
