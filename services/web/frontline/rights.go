package frontline

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/nrm-project/nrm/services/intake"
	"github.com/nrm-project/nrm/services/web/page"
)

// The person's rights: the owner organisation's officer prints, in the
// person's language, who accessed the file and a copy of the file, and
// hands them over. The pages' own words stay in the officer's language;
// what is handed over is in the person's.

// personLanguage is the first of the person's languages the pages speak,
// else fallback.
func personLanguage(langs []string, fallback string) string {
	for _, l := range langs {
		if _, ok := page.LocaleOf(l); ok {
			return l
		}
	}
	return fallback
}

// accessPage is the access report ready to print.
type accessPage struct {
	Report intake.AccessReport
	Rows   []accessRow
	P      *page.View // the person's language
}

// accessRow is one access: its kind, the roles of who acted (an audit
// event joins them with commas) and their organisation's name.
type accessRow struct {
	intake.AccessReportItem
	Roles []string
	Org   string
	Count int // the same access in the same minute, counted once
}

func (h *Pages) accessReport(q *page.Request) {
	id := q.R.PathValue("id")
	if !page.IsUUID(id) || h.cfg.Rights == nil {
		h.NotFound(q)
		return
	}
	ctx := q.Ctx()
	rep, err := h.cfg.Rights.AccessReport(ctx, id, "")
	if err != nil {
		h.Fail(q, err)
		return
	}
	d := accessPage{Report: rep, P: h.personView(q, rep.Language)}
	orgs := map[string]string{}
	for _, it := range rep.Items {
		name, done := orgs[it.OrgID]
		if !done {
			name = h.orgName(q, d.P, it.OrgID)
			orgs[it.OrgID] = name
		}
		// One page read is several reads of the file (the case, its
		// record, its tracks): the person is shown one line for them.
		if n := len(d.Rows); n > 0 {
			if last := &d.Rows[n-1]; last.Kind == it.Kind && last.OrgID == it.OrgID && last.Role == it.Role &&
				last.Time.Truncate(time.Minute).Equal(it.Time.Truncate(time.Minute)) {
				last.Count++
				continue
			}
		}
		row := accessRow{AccessReportItem: it, Org: name, Count: 1}
		if it.Role != "" {
			row.Roles = strings.Split(it.Role, ",")
		}
		d.Rows = append(d.Rows, row)
	}
	h.Render(q, http.StatusOK, "access_report", &page.View{Title: "rights.report.title", Data: d})
}

// orgName names an organisation for the person: the one in charge of the
// file, a provider by its directory name, another without a name the
// person could not use anyway.
func (h *Pages) orgName(q *page.Request, p *page.View, org string) string {
	if org == q.S.OrgID {
		return p.T("rights.org.owner")
	}
	if org != "" {
		if pr, err := h.cfg.Referrals.GetProvider(q.Ctx(), org); err == nil && pr.Name != "" {
			return pr.Name
		}
	}
	return p.T("rights.org.other")
}

// personView is a view in the person's language, for what is handed over.
func (h *Pages) personView(q *page.Request, lang string) *page.View {
	l, ok := page.LocaleOf(lang)
	if !ok {
		l = q.Loc
	}
	return (&page.View{}).In(l, q.S)
}

// filePage is the copy of the file ready to print.
type filePage struct {
	Case      intake.Case
	Workflow  *intake.Workflow
	Sections  []section
	Entries   []entry
	P         *page.View
	PrintedOn time.Time
}

func (h *Pages) fileCopy(q *page.Request) {
	id := q.R.PathValue("id")
	if !page.IsUUID(id) {
		h.NotFound(q)
		return
	}
	ctx := q.Ctx()
	c, err := h.cfg.Cases.Get(ctx, id)
	if err != nil {
		h.Fail(q, err)
		return
	}
	// The owner holds the whole file and hands the copy over; a provider
	// or an authority reading part of it does not.
	if c.OwnerOrg != q.S.OrgID || c.Status == intake.StatusDraft {
		h.NotFound(q)
		return
	}
	d := filePage{Case: c, Sections: sections(c), PrintedOn: h.Now(),
		P: h.personView(q, personLanguage(c.Languages, q.Loc.Code()))}
	var es []intake.Entry
	page.Together(func() {
		if w, err := h.cfg.Cases.Workflow(ctx, id); err == nil {
			d.Workflow = &w
		}
	}, func() { es, _ = h.cfg.Cases.Entries(ctx, id) })
	for _, e := range es {
		// Letters are handed over as letters; superseded text stays out.
		if len(e.Content) == 0 || e.SupersededBy != "" || slices.Contains([]string{"decision_letter", "attachment"}, e.Type) {
			continue
		}
		d.Entries = append(d.Entries, entry{Entry: e, Text: entryText(e), Readable: true})
	}
	h.Render(q, http.StatusOK, "file_copy", &page.View{Title: "rights.copy.title", Data: d})
}
