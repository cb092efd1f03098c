package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/oversight"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Oversight is the part of Service that answers to the person and to the
// auditors: emergency access, disclosures outside the system, legal holds,
// the person's access report and the certificate of a positive decision.
// The oversight service (package oversight) implements it; its names are
// re-exported here so that callers keep one import.
type Oversight = oversight.Service

type (
	BreakGlassInput  = oversight.BreakGlassInput
	ReviewInput      = oversight.ReviewInput
	DisclosureInput  = oversight.DisclosureInput
	LegalHoldInput   = oversight.LegalHoldInput
	LegalHold        = oversight.LegalHold
	AccessRecord     = oversight.AccessRecord
	AccessLog        = oversight.AccessLog
	AccessReportItem = oversight.AccessReportItem
	AccessReport     = oversight.AccessReport
	Certificate      = oversight.Certificate
	PurgeReport      = oversight.PurgeReport
	PackageSpec      = oversight.PackageSpec
	PackageContent   = oversight.PackageContent
	PackageSummary   = oversight.PackageSummary
)

// Codes, errors and functions of oversight.
const (
	LegalBasisConsent = oversight.LegalBasisConsent
	PackageFormat     = oversight.PackageFormat
	CodeNoCertificate = oversight.CodeNoCertificate
)

var (
	ReportLanguages  = oversight.ReportLanguages
	ErrNoCertificate = oversight.ErrNoCertificate
	ErrReviewOwnOrg  = oversight.ErrReviewOwnOrg
	CheckRecipient   = oversight.CheckRecipient
	EncryptPackage   = oversight.EncryptPackage
)

// Break-the-glass in the case work: the grant's purpose and the reason's
// entry type.
const (
	purposeBreakGlass = casefile.PurposeBreakGlass
	entryBreakGlass   = casefile.EntryBreakGlassReason
)

// ExpireBreakGlass revokes every emergency access whose time is up at now
// (oversight.Oversight.ExpireBreakGlass). Run it every minute.
func (a *Admin) ExpireBreakGlass(ctx context.Context, now time.Time) (int, error) {
	return a.s.Oversight.ExpireBreakGlass(ctx, now)
}

// casework is the case work oversight runs on (oversight.Casework): the
// service's access checks, audit, grants, entries and wraps.
type casework struct{ s *service }

var _ oversight.Casework = casework{}

func (w casework) CallerOrg(ctx context.Context) (auth.Principal, string, error) {
	p, o, err := w.s.callerOrg(ctx)
	return p, o.Kind, err
}

func (w casework) Visible(ctx context.Context, q store.Querier, p auth.Principal, caseID string) (store.CaseRow, store.WorkflowRow, []store.GrantRow, error) {
	return w.s.loadForWorkflow(ctx, q, p, caseID)
}

func (w casework) Finish(ctx context.Context, err error, action, caseID string) error {
	return w.s.finish(ctx, err, action, caseID)
}

func (w casework) Deny(ctx context.Context, action, caseID string) error {
	return w.s.deny(ctx, action, caseID)
}

func (w casework) CountDenial(code string) { w.s.metrics.denials.WithLabelValues(code).Inc() }

func (w casework) AuditAlone(ctx context.Context, events ...event.Audit) error {
	return w.s.auditAlone(ctx, events...)
}

func (w casework) Emit(ctx context.Context, tx *sql.Tx, events ...event.Audit) error {
	return w.s.emitWorkflow(ctx, tx, nil, events...)
}

func (w casework) GrantSections(ctx context.Context, tx *sql.Tx, c store.CaseRow, secs []store.SectionRow, user, org string, names []string, purpose string) error {
	return w.s.grantActive(ctx, tx, c, secs, user, c.OwnerOrg, []OrgInfo{{ID: org}}, names, purpose)
}

func (w casework) ShareRecord(ctx context.Context, tx *sql.Tx, caseID, from, org string) error {
	types := append(slices.Clone(EntryTypes), entryDecision, entryLetter)
	return w.s.shareEntries(ctx, tx, caseID, from, org, types)
}

func (w casework) SealEntry(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, typ string, content any) (string, error) {
	return w.s.sealEntry(ctx, tx, p, c, typ, content, "")
}

func (w casework) RevokeReader(ctx context.Context, tx *sql.Tx, c store.CaseRow, org, source string, match func(store.GrantRow) bool) error {
	return w.s.revokeReader(ctx, tx, c, org, source, match)
}

func (w casework) ExportSections(ctx context.Context, caseID string, names []string) (map[string]json.RawMessage, error) {
	return w.s.ExportSections(ctx, caseID, names)
}

// Rewrap rebuilds every wrap of the case from its own keys, without the
// purged sections.
func (w casework) Rewrap(ctx context.Context, tx *sql.Tx, c store.CaseRow, keep []store.SectionRow, purged map[seal.SectionID]bool) error {
	s := w.s
	wraps, err := s.store.WrapsOfCase(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	grants, err := s.store.Grants(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	for _, wr := range wraps {
		keys, err := s.openOwnKeys(ctx, tx, c.ID, wr.OrgID)
		if err != nil {
			return err
		}
		held := map[seal.SectionID]bool{}
		for _, id := range wr.Held {
			if !purged[id] {
				held[id] = true
			}
		}
		readable := readableFor(keep, grants, wr.OrgID)
		for id := range readable {
			if !held[id] {
				delete(readable, id)
			}
		}
		if err := s.writeWrap(ctx, tx, c.ID, wr.OrgID, keep, held, readable, keys); err != nil {
			return err
		}
	}
	return nil
}

// Packages builds the package of an external referral
// (oversight/package.go) from the caller's own audited, need-to-know read
// of the sections, refused while the caller's emergency access to the case
// is open (break-the-glass never allows export). The plaintext never
// leaves intake.
type Packages interface {
	BuildPackage(ctx context.Context, caseID string, spec PackageSpec) ([]byte, error)
	// DisclosureStands checks again, as the caller, a disclosure recorded
	// in the case before its package is handed out.
	DisclosureStands(ctx context.Context, caseID, disclosureID string) error
}
