package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/notice"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
	"github.com/nrm-project/nrm/services/intake/workflow"
)

// workflowCasework is the case work the workflow runs on
// (workflow.Casework): the service's access checks, audit, outbox,
// entries, grants and the submission.
type workflowCasework struct{ s *service }

var _ workflow.Casework = workflowCasework{}

func (w workflowCasework) CallerOrg(ctx context.Context) (auth.Principal, string, error) {
	p, o, err := w.s.callerOrg(ctx)
	return p, o.Kind, err
}

func (w workflowCasework) Visible(ctx context.Context, q store.Querier, p auth.Principal, caseID string) (store.CaseRow, store.WorkflowRow, []store.GrantRow, error) {
	return w.s.loadForWorkflow(ctx, q, p, caseID)
}

func (w workflowCasework) Owned(ctx context.Context, tx *sql.Tx, p auth.Principal, caseID, action string) (store.CaseRow, error) {
	return w.s.owned(ctx, tx, p, caseID, action)
}

func (w workflowCasework) RefuseWrite(ctx context.Context, q store.Querier, p auth.Principal, caseID string) error {
	return w.s.refuseBreakGlassWrite(ctx, q, p, caseID)
}

func (w workflowCasework) Finish(ctx context.Context, err error, action, caseID string) error {
	return w.s.finish(ctx, err, action, caseID)
}

func (w workflowCasework) AuditAlone(ctx context.Context, events ...event.Audit) error {
	return w.s.auditAlone(ctx, events...)
}

func (w workflowCasework) Emit(ctx context.Context, tx *sql.Tx, stats []facts.Event, events ...event.Audit) error {
	return w.s.emitWorkflow(ctx, tx, stats, events...)
}

func (w workflowCasework) Fact(typ string, c store.CaseRow) facts.Event {
	return w.s.workflowFact(typ, c)
}

func (w workflowCasework) Notify(ctx context.Context, tx *sql.Tx, ns ...notice.Notice) error {
	return w.s.emitNotices(ctx, tx, ns...)
}

func (w workflowCasework) SealEntry(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, typ string, content any, supersedes string) (string, error) {
	return w.s.sealEntry(ctx, tx, p, c, typ, content, supersedes)
}

func (w workflowCasework) OpenEntry(ctx context.Context, org string, e store.StoredEntry) ([]byte, error) {
	return w.s.entryKeys.Open(ctx, w.s.db, org, e)
}

func (w workflowCasework) Record(ctx context.Context, p auth.Principal, c store.CaseRow, grants []store.GrantRow, stored []store.StoredEntry) ([]Entry, error) {
	return w.s.record(ctx, p, c, grants, stored)
}

func (w workflowCasework) MayRecordBestInterests(p auth.Principal, c store.CaseRow, wf store.WorkflowRow, grants []store.GrantRow, protects bool) bool {
	return mayRecordBestInterests(p, c, wf, grants, protects)
}

func (w workflowCasework) Submit(ctx context.Context, caseID string, t TransitionRequest) error {
	_, err := w.s.submit(ctx, caseID, t)
	return err
}

func (w workflowCasework) Org(ctx context.Context, id string) (string, string, error) {
	o, err := w.s.orgs.Org(ctx, id)
	return o.ID, o.Kind, err
}

// GrantGuardian: a new guardian replaces the previous one, whose
// organisation's guardian grant ends with the appointment; the new one's
// organisation is granted who the child is and the legal file, plus every
// decision, letter and assessment in the case record.
func (w workflowCasework) GrantGuardian(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, prev, org string) error {
	s := w.s
	if prev != "" && prev != org && prev != c.OwnerOrg {
		if err := s.endGrantsOf(ctx, tx, c, prev, p.OrgID, func(g store.GrantRow) bool { return g.Purpose == purposeGuardian }); err != nil {
			return err
		}
	}
	if org == c.OwnerOrg || org == prev {
		return nil
	}
	secs, err := s.store.Sections(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	var names []string
	for _, sec := range secs {
		if sec.Header.Section == SectionIdentity || sec.Header.Section == SectionLegal {
			names = append(names, sec.Header.Section)
		}
	}
	if err := s.grantActive(ctx, tx, c, secs, p.UserID, p.OrgID, []OrgInfo{{ID: org}}, names, purposeGuardian); err != nil {
		return err
	}
	return s.shareEntries(ctx, tx, c.ID, p.OrgID, org, []string{entryDecision, entryLetter, EntryAgeAssessment, EntryBestInterests})
}

// emitWorkflow writes facts and audit events in one outbox write, like
// emit, and tells a child's guardian of the changes they record.
func (s *service) emitWorkflow(ctx context.Context, tx *sql.Tx, stats []facts.Event, audits ...event.Audit) error {
	if err := s.tellGuardian(ctx, tx, audits); err != nil {
		return err
	}
	payloads := make([]any, len(stats))
	for i, f := range stats {
		payloads[i] = f
	}
	return s.emitPayloads(ctx, tx, payloads, audits)
}

// workflowFact is a de-identified decision-track event about the case.
func (s *service) workflowFact(typ string, c store.CaseRow) facts.Event {
	child := c.TreatedAsChild
	return facts.Event{Type: typ, CaseKey: s.pseudonym(c.ID), Month: s.now().Format("2006-01"),
		AgeGroup: c.AgeGroup, TreatedAsChild: &child, Route: c.Route}
}

// decide applies one decision-track move in tx (workflow.Tracks.Decide):
// the submission moves the track in its own transaction.
func (s *service) decide(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, w *store.WorkflowRow, actors []string, t TransitionRequest, proposalReason string) error {
	return s.Tracks.Decide(ctx, tx, p, c, w, actors, t, proposalReason)
}

// workflowView is the case's tracks as p reads them (workflow.Tracks.View).
func (s *service) workflowView(p auth.Principal, c store.CaseRow, w store.WorkflowRow, grants []store.GrantRow, consents []Consent, history []DecisionRecord) Workflow {
	return s.Tracks.View(p, c, w, grants, consents, history)
}

// loadForWorkflow reads the case, its workflow and grants for a caller
// who may see it; anyone else is errDenied.
func (s *service) loadForWorkflow(ctx context.Context, q store.Querier, p auth.Principal, caseID string) (store.CaseRow, store.WorkflowRow, []store.GrantRow, error) {
	c, err := s.store.CaseByID(ctx, q, caseID, false)
	if errors.Is(err, ErrNotFound) {
		return c, store.WorkflowRow{}, nil, errDenied
	}
	if err != nil {
		return c, store.WorkflowRow{}, nil, err
	}
	secs, err := s.store.Sections(ctx, q, caseID)
	if err != nil {
		return c, store.WorkflowRow{}, nil, err
	}
	grants, err := s.store.Grants(ctx, q, caseID)
	if err != nil {
		return c, store.WorkflowRow{}, nil, err
	}
	grants = grantsFor(p, grants)
	if !canSee(c, secs, grants, p.OrgID) || c.Status == casefile.StatusDraft {
		return c, store.WorkflowRow{}, nil, errDenied
	}
	w, err := s.store.Workflow(ctx, q, c)
	if err != nil {
		return c, store.WorkflowRow{}, nil, fmt.Errorf("intake: case %s: %w", caseID, err)
	}
	return c, w, grants, nil
}
