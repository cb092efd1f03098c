package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/web/page"
)

type listedCases struct {
	Cases
	page intake.CasePage
}

func (l listedCases) List(context.Context, intake.ListQuery) (intake.CasePage, error) {
	return l.page, nil
}

type noneSent struct{ Referrals }

func (noneSent) Sent(context.Context) ([]referral.Referral, error) { return nil, nil }

// BenchmarkMyCases measures the server's own time for "my cases" with 100
// cases, the services answering at once.
func BenchmarkMyCases(b *testing.B) {
	var list intake.CasePage
	for i := range 100 {
		list.Cases = append(list.Cases, intake.Case{ID: fmt.Sprintf("0b5f6a3e-4444-4a4a-8a8a-%012d", i), Reference: fmt.Sprintf("NRM-2026-%06d", i),
			Route: intake.RouteNRM, Status: intake.StatusRegistered, IdentifiedOn: "2026-11-20", Needs: []string{"shelter"}})
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h, err := New(Config{Identity: struct{ Identity }{}, Cases: listedCases{page: list}, Referrals: noneSent{}, SessionKey: key})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	rec := httptest.NewRecorder()
	h.Save(rec, &page.Session{Access: "token", AccessExp: now.Add(time.Hour).Unix(), Created: now.Unix(), Seen: now.Unix(),
		CSRF: page.RandomToken(), UserID: "u", OrgID: "o", Roles: []string{"frontline_officer"}})
	cookie := rec.Result().Cookies()[0]
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodGet, "/cases", nil)
		r.AddCookie(cookie)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("%d", w.Code)
		}
	}
}
