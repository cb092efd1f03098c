package oversight

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/services/audit"
	"github.com/nrm-project/nrm/services/web/page"
)

// The auditors' pages: the event log with its filters, alerts, the latest
// checkpoint and the inclusion proof of an event (audit_proof.go), and the
// review of emergency accesses (breakglass.go). They show codes, ids and
// times, never case content: the audit log holds nothing else.

// auditPageSize is the number of events on one page of the log.
const auditPageSize = 50

// The audit service's own rules for filter values, checked here too so
// that a wrong value is named beside its field instead of refusing the
// whole page.
var (
	auditCodeRe   = regexp.MustCompile(`^[A-Za-z0-9._:/-]{0,128}$`)
	auditActionRe = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)
	// AuditOutcomes are the outcomes the log filter offers (labelled as outcome.*).
	AuditOutcomes = []string{"allowed", "denied", "failed"}
)

func (h *Pages) auditRoutes() {
	if h.cfg.Audit == nil {
		return
	}
	m := h.Mux()
	m.HandleFunc("GET /audit", h.Page(true, h.auditor(h.auditLog)))
	m.HandleFunc("GET /audit/alerts", h.Page(true, h.auditor(h.auditAlerts)))
	m.HandleFunc("GET /audit/checkpoint", h.Page(true, h.auditor(h.auditCheckpoint)))
	m.HandleFunc("GET /audit/events/{id}", h.Page(true, h.auditor(h.auditProof)))
	if h.cfg.EmergencyAccess != nil {
		m.HandleFunc("GET /audit/break-glass", h.Page(true, h.auditor(h.breakGlassList)))
		m.HandleFunc("POST /audit/break-glass/{id}/review", h.Page(true, h.auditor(h.breakGlassReview)))
	}
}

// auditor lets only auditors through; anyone else gets the page a missing
// page gets (the API would refuse them anyway, and audit the refusal).
func (h *Pages) auditor(fn page.HandlerFunc) page.HandlerFunc {
	return func(q *page.Request) {
		if !q.S.HasRole(auth.RoleAuditor) {
			h.NotFound(q)
			return
		}
		fn(q)
	}
}

// logPage is the event log page: the filters as typed, the events and the
// links to the next page and back to the first.
type logPage struct {
	Events   []audit.Entry
	Next     string // the next page's query string, or ""
	First    string // the first page's query string, when not on it
	Outcomes []string
	Alerts   bool
}

func (h *Pages) auditLog(q *page.Request) {
	query, errs := auditQuery(q.R.URL.Query())
	v := &page.View{Title: "audit.log.title", Form: q.R.URL.Query(), Errors: errs}
	d := logPage{Outcomes: AuditOutcomes}
	if !errs.Any() {
		p, err := h.cfg.Audit.Events(q.Ctx(), query)
		if err != nil {
			h.Fail(q, err)
			return
		}
		d.Events, d.Next, d.First = p.Events, nextQuery("/audit", q.R.URL.Query(), p.Next), firstQuery("/audit", q.R.URL.Query())
	}
	v.Data = d
	status := http.StatusOK
	if errs.Any() {
		status = http.StatusBadRequest
	}
	h.Render(q, status, "audit_log", v)
}

func (h *Pages) auditAlerts(q *page.Request) {
	query, _ := auditQuery(url.Values{"after": q.R.URL.Query()["after"]})
	p, err := h.cfg.Audit.Alerts(q.Ctx(), query)
	if err != nil {
		h.Fail(q, err)
		return
	}
	d := logPage{Events: p.Events, Alerts: true, Next: nextQuery("/audit/alerts", url.Values{}, p.Next), First: firstQuery("/audit/alerts", q.R.URL.Query())}
	h.Render(q, http.StatusOK, "audit_alerts", &page.View{Title: "audit.alerts.title", Data: d})
}

// auditQuery reads the filters of the log page, naming each wrong one.
func auditQuery(f url.Values) (audit.Query, page.FieldErrors) {
	var (
		e page.FieldErrors
		a audit.Query
	)
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	for _, c := range []struct {
		field string
		dst   *string
	}{{"actor", &a.Actor}, {"org", &a.Org}, {"object_type", &a.ObjectType}, {"object_id", &a.ObjectID}} {
		*c.dst = get(c.field)
		if !auditCodeRe.MatchString(*c.dst) {
			e.Add(c.field, "audit.field.code")
		}
	}
	if a.Action = get("action"); a.Action != "" && !auditActionRe.MatchString(a.Action) {
		e.Add("action", "audit.field.action")
	}
	if a.Outcome = get("outcome"); a.Outcome != "" && !slices.Contains(AuditOutcomes, a.Outcome) {
		e.Add("outcome", "field.choose")
	}
	day := func(field string) time.Time {
		s := get(field)
		if s == "" {
			return time.Time{}
		}
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			e.Add(field, "field.date")
		}
		return t
	}
	a.From = day("since")
	if to := day("until"); !to.IsZero() {
		a.To = to.Add(24 * time.Hour) // the whole day typed
	}
	if !a.From.IsZero() && !a.To.IsZero() && !a.From.Before(a.To) {
		e.Add("until", "audit.field.order")
	}
	if s := get("after"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			e.Add("after", "field.invalid")
		}
		a.After = &n
	}
	a.Limit = auditPageSize
	return a, e
}

// nextQuery is the address of the page after the cursor next.
func nextQuery(path string, f url.Values, next *int64) string {
	if next == nil {
		return ""
	}
	g := url.Values{}
	for k, v := range f {
		if k != "after" && len(v) > 0 && v[0] != "" {
			g.Set(k, v[0])
		}
	}
	g.Set("after", strconv.FormatInt(*next, 10))
	return path + "?" + g.Encode()
}

// firstQuery is the address of the first page with the same filters, or
// "" on the first page.
func firstQuery(path string, f url.Values) string {
	if f.Get("after") == "" {
		return ""
	}
	g := url.Values{}
	for k, v := range f {
		if k != "after" && len(v) > 0 && v[0] != "" {
			g.Set(k, v[0])
		}
	}
	return path + "?" + g.Encode()
}
