package intake

import (
	"context"
	"database/sql"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/keys"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/pkg/outbox"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/cases"
	"github.com/nrm-project/nrm/services/intake/cases/grants"
	"github.com/nrm-project/nrm/services/intake/store"
	"github.com/nrm-project/nrm/services/intake/workflow"
)

// The cases service's names (package cases), re-exported here so that
// callers keep one import.
type (
	CaseParts     = cases.CaseParts
	CaseView      = cases.CaseView
	Summary       = cases.Summary
	SummaryReader = cases.SummaryReader
)

// submit is the one submission path (cases.Cases.SubmitTransition): a
// transition to submitted is carried out by the cases service.
func (s *service) submit(ctx context.Context, caseID string, t TransitionRequest) (Case, error) {
	return s.Cases.SubmitTransition(ctx, caseID, t)
}

// casesWork is the case work the cases service runs on (cases.Casework):
// the service's access checks, audit, grants, wraps, and the workflow's
// part in a submission, a consent change and a case view.
type casesWork struct{ s *service }

// casesWork is the grants' case work too (grants.Casework).
var (
	_ cases.Casework  = casesWork{}
	_ grants.Casework = casesWork{}
)

func (w casesWork) CallerOrg(ctx context.Context) (auth.Principal, OrgInfo, error) {
	return w.s.callerOrg(ctx)
}

func (w casesWork) Owned(ctx context.Context, tx *sql.Tx, p auth.Principal, id, action string) (store.CaseRow, error) {
	return w.s.owned(ctx, tx, p, id, action)
}

func (w casesWork) Finish(ctx context.Context, err error, action, caseID string) error {
	return w.s.finish(ctx, err, action, caseID)
}

func (w casesWork) Deny(ctx context.Context, action, caseID string) error {
	return w.s.deny(ctx, action, caseID)
}

func (w casesWork) ReadFailed(ctx context.Context, caseID string, err error) error {
	return w.s.readFailed(ctx, caseID, err)
}

func (w casesWork) RefuseDuringBreakGlass(ctx context.Context, q store.Querier, p auth.Principal, caseID string) error {
	return w.s.refuseDuringBreakGlass(ctx, q, p, caseID)
}

func (w casesWork) Audit(ctx context.Context, tx *sql.Tx, events ...event.Audit) error {
	return w.s.audit(ctx, tx, events...)
}

func (w casesWork) AuditAlone(ctx context.Context, events ...event.Audit) error {
	return w.s.auditAlone(ctx, events...)
}

func (w casesWork) Emit(ctx context.Context, tx outbox.Execer, stats []facts.Event, audits ...event.Audit) error {
	return w.s.emit(ctx, tx, stats, audits...)
}

func (w casesWork) Stats(ctx context.Context, tx *sql.Tx, events ...facts.Event) error {
	return w.s.stats(ctx, tx, events...)
}

func (w casesWork) EmitNotices(ctx context.Context, tx outbox.Execer, ns ...notice.Notice) error {
	return w.s.emitNotices(ctx, tx, ns...)
}

func (w casesWork) CountDenial(code string) { w.s.metrics.denials.WithLabelValues(code).Inc() }

func (w casesWork) StatsEvent(typ, caseID string) facts.Event { return w.s.statsEvent(typ, caseID) }

func (w casesWork) Pseudonym(caseID string) string { return w.s.pseudonym(caseID) }

func (casesWork) GrantsFor(p auth.Principal, grants []store.GrantRow) []store.GrantRow {
	return grantsFor(p, grants)
}

func (casesWork) CanSee(c store.CaseRow, secs []store.SectionRow, grants []store.GrantRow, org string) bool {
	return canSee(c, secs, grants, org)
}

func (casesWork) ReadableFor(secs []store.SectionRow, grants []store.GrantRow, org string) map[seal.SectionID]bool {
	return readableFor(secs, grants, org)
}

func (w casesWork) BuildWrap(caseID string, ring *keys.CaseRing, org string, version int, recipient seal.Recipient, held []seal.SectionID, grants []seal.KeyGrant) (store.WrapRow, error) {
	return w.s.buildWrap(caseID, ring, org, version, recipient, held, grants)
}

func (w casesWork) SectionMACs(org string, wrap []byte, secs []store.SectionRow, readable map[seal.SectionID]bool) map[seal.SectionID][]byte {
	return w.s.sectionMACs(org, wrap, secs, readable)
}

func (w casesWork) Unlock(caseID string) seal.WrapOption { return w.s.classKeys.Unlock(caseID) }

func (w casesWork) GrantSections(ctx context.Context, tx *sql.Tx, c store.CaseRow, secs []store.SectionRow, user, source string, to []OrgInfo, names []string, purpose string) error {
	return w.s.grantActive(ctx, tx, c, secs, user, source, to, names, purpose)
}

func (w casesWork) RevokeUncovered(ctx context.Context, tx *sql.Tx, c store.CaseRow, records []Consent) ([]string, error) {
	return w.s.revokeUncovered(ctx, tx, c, records)
}

func (w casesWork) ProtectsChildren(ctx context.Context, org OrgInfo) (bool, error) {
	return w.s.protectsChildren(ctx, org)
}

// RebuildWrap rebuilds org's wrap from the grants now in the database.
func (w casesWork) RebuildWrap(ctx context.Context, tx *sql.Tx, c store.CaseRow, org, source string) error {
	secs, err := w.s.store.Sections(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	grants, err := w.s.store.Grants(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	return w.s.rebuildWrap(ctx, tx, c, secs, grants, org, source)
}

func (w casesWork) ShareCovered(ctx context.Context, tx *sql.Tx, c store.CaseRow, org string, grants []store.GrantRow) error {
	return w.s.shareCovered(ctx, tx, c, org, grants)
}

func (w casesWork) RevokeReader(ctx context.Context, tx *sql.Tx, c store.CaseRow, org, source, reason string, match func(store.GrantRow) bool) error {
	return w.s.revokeReaderFor(ctx, tx, c, org, source, reason, match)
}

// HandOver gives the new owner the record's keys before the previous
// owner's grants end.
func (w casesWork) HandOver(ctx context.Context, tx *sql.Tx, c store.CaseRow, user, prev, next string) error {
	if err := w.s.handOver(ctx, tx, c, user, prev, next); err != nil {
		return err
	}
	return w.s.endPreviousOwner(ctx, tx, c, prev)
}

// Decide records a submission as the case's owner.
func (w casesWork) Decide(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, wf *store.WorkflowRow, t TransitionRequest) error {
	return w.s.decide(ctx, tx, p, c, wf, []string{workflow.ActorOwner}, t, "")
}

// consentHook runs in the transaction of a consent change, with the case's
// consent records after it: a part above registration (the decision
// track: workflow.Tracks.WithdrawOnConsent) reacts to consent without
// registration knowing it exists.
type consentHook func(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, consents []Consent) error

// ConsentChanged runs the workflow's reactions to a consent change.
func (w casesWork) ConsentChanged(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, consents []Consent) error {
	for _, hook := range w.s.onConsent {
		if err := hook(ctx, tx, p, c, consents); err != nil {
			return err
		}
	}
	return nil
}

func (w casesWork) WorkflowView(p auth.Principal, c store.CaseRow, wf store.WorkflowRow, grants []store.GrantRow, consents []Consent, history []DecisionRecord) Workflow {
	return w.s.workflowView(p, c, wf, grants, consents, history)
}

func (w casesWork) Record(ctx context.Context, p auth.Principal, c store.CaseRow, grants []store.GrantRow, stored []store.StoredEntry) ([]Entry, error) {
	return w.s.record(ctx, p, c, grants, stored)
}

// Grants is the part of Service that shares a case's sections with other
// organisations: the grant service (package cases/grants) implements it.
type Grants = grants.Service

// ServiceChildProtection is the referral service a child may be referred
// to without a recorded consent (the mandatory child-protection referral).
const ServiceChildProtection = casefile.ServiceChildProtection

// ErrDuplicateDecided refuses a second decision on a possible duplicate.
var ErrDuplicateDecided = cases.ErrDuplicateDecided

// Match strengths of a possible duplicate.
const (
	StrengthNameAndYear = cases.StrengthNameAndYear
	StrengthNameOnly    = cases.StrengthNameOnly
)
