package web

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/web/page"
)

const reportCase = "0b5f6a3e-2222-4a4a-8a8a-000000000001"

type fakeRights struct{ report intake.AccessReport }

func (f fakeRights) AccessReport(_ context.Context, id, lang string) (intake.AccessReport, error) {
	if id != f.report.CaseID || lang != "" {
		return intake.AccessReport{}, kit.ErrNotFound
	}
	return f.report, nil
}

type fakeProviderNames struct{ Referrals }

func (fakeProviderNames) GetProvider(_ context.Context, org string) (referral.Provider, error) {
	if org == "shelter" {
		return referral.Provider{Name: "Shelter <b>association</b>"}, nil
	}
	return referral.Provider{}, kit.ErrNotFound
}

// TestAccessReportPage: the report is handed over in the person's
// language whatever the officer's; reads of one page in one minute are one
// line with their count; organisations are named for the person; another
// case is not found.
func TestAccessReportPage(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 15, 10, 0, time.UTC)
	rep := intake.AccessReport{CaseID: reportCase, Reference: "NRM-2026-000007", Language: "ar", Items: []intake.AccessReportItem{
		{Time: at, Kind: "read", OrgID: "police", Role: "frontline_officer"},
		{Time: at.Add(20 * time.Second), Kind: "read", OrgID: "police", Role: "frontline_officer"},
		{Time: at.Add(30 * time.Second), Kind: "read", OrgID: "police", Role: "frontline_officer"},
		{Time: at.Add(40 * time.Second), Kind: "denial", OrgID: "elsewhere", Role: "auditor,org_admin"},
		{Time: at.Add(2 * time.Hour), Kind: "read", OrgID: "shelter", Role: "ngo_caseworker"},
	}}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h, err := New(Config{Identity: struct{ Identity }{}, Cases: struct{ Cases }{}, Referrals: fakeProviderNames{},
		Rights: fakeRights{rep}, SessionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	rec := httptest.NewRecorder()
	h.Save(rec, &page.Session{Access: "token", AccessExp: now.Add(time.Hour).Unix(), Created: now.Unix(), Seen: now.Unix(),
		CSRF: page.RandomToken(), UserID: "u", OrgID: "police", Roles: []string{"frontline_officer"}})
	cookie := rec.Result().Cookies()[0]
	get := func(path string) (int, string) {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Accept-Language", "en")
		r.AddCookie(cookie)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	code, body := get("/cases/" + reportCase + "/access-report")
	if code != http.StatusOK {
		t.Fatalf("the report: %d", code)
	}
	for _, want := range []string{
		`<html lang="en" dir="ltr">`, `<article class="handout" lang="ar" dir="rtl"`,
		locale("ar").T("rights.report.heading"), "(" + locale("ar").T("rights.report.times", 3) + ")",
		locale("ar").T("rights.org.owner"), locale("ar").T("rights.org.other"), "Shelter &lt;b&gt;association&lt;/b&gt;",
		locale("ar").T("actor.auditor") + locale("ar").T("list.separator") + locale("ar").T("actor.org_admin"),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if n := strings.Count(body, "<tr>") - 1; n != 3 {
		t.Errorf("%d lines, want 3 (three reads in one minute are one)", n)
	}
	if code, _ := get("/cases/0b5f6a3e-2222-4a4a-8a8a-000000000002/access-report"); code != http.StatusNotFound {
		t.Errorf("another case's report: %d", code)
	}
}
