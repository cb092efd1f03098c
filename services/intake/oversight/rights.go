package oversight

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"text/template"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// ReportLanguages are the languages of the access report and certificate.
var ReportLanguages = []string{"en", "fr", "ar"}

// Kinds of access report lines.
const (
	accessRead       = "read"
	accessDenial     = "denial"
	accessEmergency  = "emergency"
	accessDisclosure = "disclosure"
)

var accessLabels = map[string]map[string]string{
	"en": {"title": "Who accessed your file", accessRead: "Your file was read", accessDenial: "An access to your file was refused",
		accessEmergency: "Emergency access to your file", accessDisclosure: "Information from your file was disclosed outside the mechanism"},
	"fr": {"title": "Qui a consulté votre dossier", accessRead: "Votre dossier a été consulté", accessDenial: "Un accès à votre dossier a été refusé",
		accessEmergency: "Accès d'urgence à votre dossier", accessDisclosure: "Des informations de votre dossier ont été communiquées hors du mécanisme"},
	"ar": {"title": "من اطلع على ملفك", accessRead: "تم الاطلاع على ملفك", accessDenial: "تم رفض محاولة للاطلاع على ملفك",
		accessEmergency: "اطلاع طارئ على ملفك", accessDisclosure: "تم الإفصاح عن معلومات من ملفك خارج الآلية"},
}

// accessKind classifies an audited event about the case; "" leaves it out
// (changes, and disclosures, which come from the disclosures table).
func accessKind(r AccessRecord) string {
	switch {
	case r.Outcome == string(event.Denied):
		return accessDenial
	case r.Action == "intake.break_glass.open":
		return accessEmergency
	case r.Action == "intake.disclosure":
		return ""
	case strings.HasSuffix(r.Action, ".read"):
		return accessRead
	}
	return ""
}

// reportLanguage is lang if given, else the person's first report language.
func reportLanguage(lang string, c store.CaseRow) (string, error) {
	if lang != "" {
		if !slices.Contains(ReportLanguages, lang) {
			return "", kit.Validation("lang: must be one of " + strings.Join(ReportLanguages, ", "))
		}
		return lang, nil
	}
	for _, l := range c.Languages {
		if slices.Contains(ReportLanguages, l) {
			return l, nil
		}
	}
	return "en", nil
}

// AccessReport answers auditors, and the owner organisation's officers,
// who hand the report to the person; anyone else is denied as for a case
// that does not exist, and the denial audited.
func (o *Oversight) AccessReport(ctx context.Context, caseID, lang string) (AccessReport, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return AccessReport{}, err
	}
	auditor := p.HasRole(auth.RoleAuditor)
	if !auditor && (!p.HasRole(auth.RoleFrontlineOfficer) || p.OrgID == "") {
		return AccessReport{}, o.cw.Deny(ctx, "intake.access_report.read", caseID)
	}
	if lang != "" && !slices.Contains(ReportLanguages, lang) {
		return AccessReport{}, kit.Validation("lang: must be one of " + strings.Join(ReportLanguages, ", "))
	}
	if o.accessLog == nil {
		return AccessReport{}, fmt.Errorf("intake: access report: no access log: %w", ErrUnavailable)
	}
	var (
		c     store.CaseRow
		discl []Disclosure
	)
	err = o.store.ReadTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = o.store.CaseByID(ctx, tx, caseID, false); errors.Is(err, ErrNotFound) {
			return ErrDenied
		} else if err != nil {
			return err
		}
		if !auditor && c.OwnerOrg != p.OrgID {
			return ErrDenied
		}
		discl, err = o.store.Disclosures(ctx, tx, caseID)
		return err
	})
	if err != nil {
		return AccessReport{}, o.cw.Finish(ctx, err, "intake.access_report.read", caseID)
	}
	records, err := o.accessLog.CaseEvents(ctx, caseID)
	if err != nil {
		return AccessReport{}, fmt.Errorf("intake: access report: %w: %w", ErrUnavailable, err)
	}
	if lang, err = reportLanguage(lang, c); err != nil {
		return AccessReport{}, err
	}
	labels := accessLabels[lang]
	out := AccessReport{CaseID: c.ID, Reference: c.Reference, Language: lang, Title: labels["title"], Items: []AccessReportItem{}}
	for _, r := range records {
		if k := accessKind(r); k != "" {
			out.Items = append(out.Items, AccessReportItem{Time: r.Time.UTC(), Kind: k, Label: labels[k], Action: r.Action,
				Outcome: r.Outcome, OrgID: r.ActorOrg, Role: r.ActorRole})
		}
	}
	for _, d := range discl {
		out.Items = append(out.Items, AccessReportItem{Time: d.DisclosedAt, Kind: accessDisclosure, Label: labels[accessDisclosure],
			Action: "intake.disclosure", Outcome: string(event.Allowed), OrgID: d.OrgID, LegalBasis: d.LegalBasis, RecipientKind: d.RecipientKind})
	}
	sort.SliceStable(out.Items, func(i, j int) bool { return out.Items[i].Time.Before(out.Items[j].Time) })
	if err := o.cw.AuditAlone(ctx, o.rec.New(ctx, "intake.access_report.read", "case", caseID, event.Allowed)); err != nil {
		return AccessReport{}, err
	}
	return out, nil
}

// certificateTemplates render a certificate in memory; nothing of it is
// stored.
var certificateTemplates = map[string]*template.Template{
	"en": template.Must(template.New("en").Parse("CERTIFICATE\n\nThe competent authority ({{.Org}}) decided on {{.Date}}, in case {{.Reference}}, " +
		"that there are conclusive grounds to identify the person concerned as a victim of trafficking in human beings.\n" +
		"This certificate entitles the person to the assistance and protection the law provides for victims.\n")),
	"fr": template.Must(template.New("fr").Parse("ATTESTATION\n\nL'autorité compétente ({{.Org}}) a décidé le {{.Date}}, dans le dossier {{.Reference}}, " +
		"qu'il existe des motifs concluants d'identifier la personne concernée comme victime de la traite des êtres humains.\n" +
		"Cette attestation ouvre droit à l'assistance et à la protection que la loi prévoit pour les victimes.\n")),
	"ar": template.Must(template.New("ar").Parse("شهادة\n\nقررت السلطة المختصة ({{.Org}}) بتاريخ {{.Date}}، في الملف {{.Reference}}، " +
		"وجود أسباب قاطعة لتحديد الشخص المعني كضحية للاتجار بالبشر.\n" +
		"تخول هذه الشهادة للشخص الحق في المساعدة والحماية التي يكفلها القانون للضحايا.\n")),
}

func (o *Oversight) Certificate(ctx context.Context, caseID string) (Certificate, error) {
	p, _, err := o.cw.CallerOrg(ctx)
	if err != nil {
		return Certificate{}, err
	}
	var (
		c       store.CaseRow
		history []DecisionRecord
	)
	err = o.store.ReadTx(ctx, func(tx *sql.Tx) error {
		var (
			w      store.WorkflowRow
			grants []store.GrantRow
			err    error
		)
		if c, w, grants, err = o.cw.Visible(ctx, tx, p, caseID); err != nil {
			return err
		}
		if c.OwnerOrg != p.OrgID && !store.HoldsDecisionGrant(grants, p.OrgID) && (w.GuardianOrg == "" || w.GuardianOrg != p.OrgID) {
			return kit.ErrForbidden
		}
		history, err = o.store.Decisions(ctx, tx, caseID)
		return err
	})
	if err != nil {
		return Certificate{}, o.cw.Finish(ctx, err, "intake.certificate.read", caseID)
	}
	var conclusive DecisionRecord
	for _, d := range history {
		if d.Track == "decision" && (d.To == casefile.DecisionCGPositive || d.To == casefile.DecisionCGNegative) {
			conclusive = d
		}
	}
	if conclusive.To != casefile.DecisionCGPositive {
		return Certificate{}, ErrNoCertificate
	}
	lang, _ := reportLanguage("", c)
	var b strings.Builder
	if err := certificateTemplates[lang].Execute(&b, map[string]string{"Org": conclusive.OrgID, "Reference": c.Reference,
		"Date": conclusive.DecidedAt.Format(time.DateOnly)}); err != nil {
		return Certificate{}, fmt.Errorf("intake: certificate: %w", err)
	}
	if err := o.cw.AuditAlone(ctx, o.rec.New(ctx, "intake.certificate.read", "case", caseID, event.Allowed)); err != nil {
		return Certificate{}, err
	}
	return Certificate{CaseID: c.ID, Reference: c.Reference, Language: lang, MediaType: "text/plain; charset=utf-8", Text: b.String()}, nil
}

// CodeNoCertificate: no conclusive positive decision, so no certificate.
const CodeNoCertificate = "no_certificate"

// ErrNoCertificate answers a certificate asked for before a conclusive
// positive decision.
var ErrNoCertificate = kit.NewError(http.StatusNotFound, CodeNoCertificate,
	"no certificate exists for this case yet: it is issued with a positive conclusive-grounds decision")
