package web

import (
	"context"
	"crypto/rand"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/referral"
	"github.com/nrm-project/nrm/services/stats"
	"github.com/nrm-project/nrm/services/web/page"
)

// fakeStats answers one table, or no release.
type fakeStats struct {
	table     stats.Table
	noRelease bool
	withheld  string // a second table, withheld
	created   []stats.ReleaseSpec
}

func (f *fakeStats) Tables(context.Context) ([]stats.TableInfo, error) {
	out := []stats.TableInfo{{Name: f.table.Name, Units: f.table.Units,
		Dimensions: []stats.Dimension{{Name: "age_group", Margin: true}, {Name: "exploitation_location", Margin: true}}}}
	if f.withheld != "" {
		out = append(out, stats.TableInfo{Name: f.withheld})
	}
	return out, nil
}

func (f *fakeStats) Table(_ context.Context, name, period string) (stats.Table, error) {
	if f.noRelease {
		return stats.Table{}, stats.ErrNoRelease
	}
	if name == f.withheld {
		return stats.Table{}, stats.ErrWithheld
	}
	t := f.table
	t.Period = period
	return t, nil
}

func (f *fakeStats) CreateRelease(_ context.Context, spec stats.ReleaseSpec) (stats.Release, error) {
	f.created = append(f.created, spec)
	f.noRelease = false
	return stats.Release{Name: spec.Name}, nil
}

func (f *fakeStats) Releases(_ context.Context, period string) ([]stats.Release, error) {
	return []stats.Release{{Name: "r1", Method: stats.MethodCellKey, Period: period, Tables: []stats.ReleasedTable{
		{Table: f.withheld, Status: stats.StatusWithheld, Reason: stats.ReasonTooFewChanges, Detail: period + "-Q4"}}}}, nil
}

func (f *fakeStats) Series(_ context.Context, name, from, to string) (stats.Series, error) {
	t := f.table
	return stats.Series{Table: name, Points: []stats.SeriesPoint{{Period: from, Table: &t}, {Period: to, Missing: "no_release"}}}, nil
}

// AnnualReport composes the report from the fake's tables, as the
// service does from its releases.
func (f *fakeStats) AnnualReport(ctx context.Context, year int) (stats.AnnualReport, error) {
	if f.noRelease {
		return stats.AnnualReport{}, stats.ErrNoRelease
	}
	infos, _ := f.Tables(ctx)
	rels, _ := f.Releases(ctx, strconv.Itoa(year))
	r := stats.AnnualReport{Year: year, Release: "r1"}
	for _, info := range infos {
		sec := stats.ReportSection{Info: info}
		if info.Name == f.withheld {
			w := rels[0].Tables[0]
			sec.Withheld = &w
		} else {
			t, _ := f.Table(ctx, info.Name, strconv.Itoa(year))
			sr, _ := f.Series(ctx, info.Name, strconv.Itoa(year)+"-Q1", strconv.Itoa(year)+"-Q4")
			sec.Table, sec.Quarters = &t, &sr
		}
		r.Sections = append(r.Sections, sec)
	}
	return r, nil
}

func n(v int64) *int64 { return &v }

// cellsTable has a published total, a published cell and suppressed ones.
func cellsTable() stats.Table {
	t := stats.Table{Name: "cases_by_age_location", Units: []string{"cases", "persons"},
		Dimensions: []string{"age_group", "exploitation_location"}, Threshold: 5, Release: "r1", Status: "provisional"}
	for _, u := range t.Units {
		for _, a := range []string{"child", "adult", "*"} {
			for _, l := range []string{"abroad", "*"} {
				c := stats.Cell{Unit: u, Dims: []string{a, l}, Suppressed: true}
				switch {
				case a == "adult" || a == "*":
					c = stats.Cell{Unit: u, Dims: []string{a, l}, Value: n(13)}
				}
				t.Cells = append(t.Cells, c)
			}
		}
	}
	return t
}

// testHandler is the pages over fakes, with a signed-in session of roles.
func testHandler(t *testing.T, st Stats, refs Referrals, roles ...string) (*Handler, string) {
	t.Helper()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	h, err := New(Config{Identity: struct{ Identity }{}, Cases: struct{ Cases }{}, Referrals: refs, Stats: st,
		SessionKey: key, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c, err := h.SealSession(&page.Session{Access: "token", AccessExp: now.Add(time.Hour).Unix(), UserID: "u",
		OrgID: "o", Roles: roles, Created: now.Unix(), Seen: now.Unix(), CSRF: "form-token"})
	if err != nil {
		t.Fatal(err)
	}
	return h, c
}

func serve(h *Handler, cookie, method, target string, form url.Values) *httptest.ResponseRecorder {
	return serveIn(h, cookie, "en", method, target, form)
}

func serveIn(h *Handler, cookie, lang, method, target string, form url.Values) *httptest.ResponseRecorder {
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "same-origin")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	r.AddCookie(&http.Cookie{Name: page.SessionCookie, Value: cookie})
	r.AddCookie(&http.Cookie{Name: page.LangCookie, Value: lang})
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

var (
	suppressedRe = regexp.MustCompile(`data-cell="([^"]+)" data-suppressed="true">([^<]*)<`)
	valueRe      = regexp.MustCompile(`data-cell="([^"]+)" data-value="([^"]*)">([^<]*)<`)
)

// A suppressed cell is shown as suppressed, in the table and the chart,
// never as zero; every figure shown is the service's; the perturbation is
// explained beside the table.
func TestDashboardShowsSuppressedCellsAsSuppressed(t *testing.T) {
	for _, lang := range []string{"en", "fr", "ar"} {
		t.Run(lang, func(t *testing.T) {
			fs := &fakeStats{table: cellsTable()}
			h, c := testHandler(t, fs, struct{ Referrals }{}, auth.RoleCommissionAnalyst)
			w := serveIn(h, c, lang, "GET", "/stats?period="+quarterOf(time.Now()), nil)
			if w.Code != http.StatusOK {
				t.Fatalf("dashboard: %d", w.Code)
			}
			body := w.Body.String()
			sup := suppressedRe.FindAllStringSubmatch(body, -1)
			vals := valueRe.FindAllStringSubmatch(body, -1)
			if len(sup) == 0 || len(vals) == 0 {
				t.Fatalf("%d suppressed and %d published figures on the page", len(sup), len(vals))
			}
			word := locale(lang).T("stats.suppressed")
			for _, m := range sup {
				if !strings.Contains(m[1], "|child|") || html.UnescapeString(m[2]) != word {
					t.Errorf("suppressed %s shown as %q", m[1], m[2])
				}
			}
			for _, m := range vals {
				if m[2] != "13" || strings.TrimSpace(m[3]) != "13" {
					t.Errorf("figure %s shown as %q (%s), the service says 13", m[1], m[3], m[2])
				}
			}
			if !strings.Contains(html.UnescapeString(body), strings.Split(locale(lang).T("stats.method", 5), ";")[0]) {
				t.Error("the perturbation is not explained beside the table")
			}
		})
	}
}

func TestDashboardExportAndRelease(t *testing.T) {
	fs := &fakeStats{table: cellsTable(), noRelease: true}
	h, c := testHandler(t, fs, struct{ Referrals }{}, auth.RoleCommissionAnalyst)
	q := quarterOf(time.Now())
	w := serve(h, c, "GET", "/stats?period="+q, nil)
	if !strings.Contains(w.Body.String(), `action="/stats/releases"`) || strings.Contains(w.Body.String(), "data-cell") {
		t.Fatal("a period never released shows no release form, or figures")
	}
	w = serve(h, c, "POST", "/stats/releases", url.Values{"csrf": {"form-token"}, "period": {q}, "back": {"dashboard"}})
	if w.Code != http.StatusSeeOther || len(fs.created) != 1 || fs.created[0].Period != q {
		t.Fatalf("release: %d %+v", w.Code, fs.created)
	}
	w = serve(h, c, "POST", "/stats/releases", url.Values{"csrf": {"form-token"}, "period": {"1999"}})
	if w.Code != http.StatusUnprocessableEntity || len(fs.created) != 1 {
		t.Fatalf("a release of a period not offered: %d", w.Code)
	}
	w = serve(h, c, "GET", "/stats/export?table=cases_by_age_location&period="+q, nil)
	want, _ := stats.CSV(func() stats.Table { t := cellsTable(); t.Period = q; return t }())
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") || w.Body.String() != string(want) {
		t.Fatalf("export: %d %s\n%s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
}

// fakeDesk is the referral service of one unplaced referral.
type fakeDesk struct {
	Referrals
	placed string
}

func (f *fakeDesk) GetReferral(context.Context, string) (referral.Referral, error) {
	return referral.Referral{ID: deskID, Status: referral.StatusNoProvider, Service: "shelter", Urgency: "emergency",
		Region: "MA-06", Gender: "female", AgeGroup: "adult", GroupSize: 1}, nil
}

func (f *fakeDesk) Candidates(context.Context, string) ([]referral.Candidate, error) {
	return []referral.Candidate{
		{OrgID: orgA, Name: "Shelter <b>A</b>", Rank: 1, Reasons: []string{"same_region", "open_24_7"}},
		{OrgID: orgB, Name: "Child shelter", Reasons: []string{"adult_not_accepted"}},
	}, nil
}

func (f *fakeDesk) Place(_ context.Context, id string, in referral.PlaceInput) (referral.Referral, error) {
	if in.OrgID == orgB {
		return referral.Referral{}, kit.Validation("org_id: excluded")
	}
	f.placed = in.OrgID
	return referral.Referral{ID: id, Status: referral.StatusPending}, nil
}

const (
	deskID = "6f1b3a52-7d0e-4e3a-9a51-0c2d7b9e8f10"
	orgA   = "0a6c3f2e-1b4d-4c8e-9f7a-2d5e6b1c3a40"
	orgB   = "1b7d4a3f-2c5e-4d9f-8a6b-3e6f7c2d4b51"
)

func TestDeskPlacesWithTheChosenProvider(t *testing.T) {
	fd := &fakeDesk{}
	h, c := testHandler(t, struct{ Stats }{}, fd, auth.RoleCoordinator)
	w := serve(h, c, "GET", "/desk/referrals/"+deskID, nil)
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, page.Sentence(locale("en").T("reason.same_region"))) ||
		!strings.Contains(body, page.Sentence(locale("en").T("reason.adult_not_accepted"))) || strings.Contains(body, "<b>A</b>") {
		t.Fatalf("placement page: %d", w.Code)
	}
	if w := serve(h, c, "POST", "/desk/referrals/"+deskID+"/place", url.Values{"csrf": {"form-token"}}); w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("placing with no provider chosen: %d", w.Code)
	}
	if w := serve(h, c, "POST", "/desk/referrals/"+deskID+"/place", url.Values{"csrf": {"form-token"}, "org_id": {orgB}}); w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("placing with an excluded provider: %d", w.Code)
	}
	if w := serve(h, c, "POST", "/desk/referrals/"+deskID+"/place", url.Values{"csrf": {"wrong"}, "org_id": {orgA}}); w.Code != http.StatusForbidden || fd.placed != "" {
		t.Fatalf("placing with a wrong form token: %d", w.Code)
	}
	w = serve(h, c, "POST", "/desk/referrals/"+deskID+"/place", url.Values{"csrf": {"form-token"}, "org_id": {orgA}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/desk" || fd.placed != orgA {
		t.Fatalf("placing: %d %s, placed %q", w.Code, w.Header().Get("Location"), fd.placed)
	}
	// The page is the desk's: another role gets nothing.
	h2, c2 := testHandler(t, struct{ Stats }{}, fd, auth.RoleFrontlineOfficer)
	if w := serve(h2, c2, "GET", "/desk/referrals/"+deskID, nil); w.Code != http.StatusNotFound {
		t.Fatalf("an officer opens the placement page: %d", w.Code)
	}
}

// The annual report shows a table release control withheld as withheld,
// with the reason, never leaves it out; each table has its quarters.
func TestReportShowsWithheldTablesAsWithheld(t *testing.T) {
	for _, lang := range []string{"en", "fr", "ar"} {
		fs := &fakeStats{table: cellsTable(), withheld: stats.TableUnmetNeeds}
		h, c := testHandler(t, fs, struct{ Referrals }{}, auth.RoleCommissionAnalyst)
		w := serveIn(h, c, lang, "GET", "/stats/report", nil)
		body := html.UnescapeString(w.Body.String())
		l := locale(lang)
		year := time.Now().Format("2006")
		if w.Code != http.StatusOK || !strings.Contains(body, `data-withheld="unmet_needs"`) ||
			!strings.Contains(body, l.T("withheld.too_few_changes", l.T("period.quarter", "4", year))) {
			t.Fatalf("%s: the withheld table is not shown as withheld (%d)", lang, w.Code)
		}
		if !strings.Contains(body, l.T("table.unmet_needs")) || !strings.Contains(body, l.T("trend.norelease")) {
			t.Fatalf("%s: the report lacks the withheld table's title or the quarters", lang)
		}
	}
}

// Printed, the annual report leaves out the menus, filters and forms.
func TestPrintStyleLeavesOutTheForms(t *testing.T) {
	css, err := staticFS.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	s := string(css)
	for _, block := range strings.Split(s, "@media print")[1:] {
		if end := strings.Index(block, "\n}"); end >= 0 {
			block = block[:end]
		}
		if strings.Contains(block, ".filters") && strings.Contains(block, "main form") {
			return
		}
	}
	t.Fatal("no print style hides the report's filters and forms")
}

// quarterOf is the quarter of now as the dashboard names it (2026-Q4).
func quarterOf(now time.Time) string {
	return fmt.Sprintf("%d-Q%d", now.Year(), (int(now.Month())+2)/3)
}
