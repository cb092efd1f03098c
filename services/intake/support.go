package intake

import (
	"context"
	"database/sql"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/store"
)

// supportRules is the support track: from → allowed to. It runs from day
// one, whatever the decision track says.
var supportRules = map[string][]string{
	SupportOpen:      {SupportSuspended, SupportClosed},
	SupportSuspended: {SupportOpen, SupportClosed},
	SupportClosed:    {SupportReopened},
	SupportReopened:  {SupportSuspended, SupportClosed},
}

// childActions need a child's approved best-interests assessment.
var childActions = []string{ActionReturn, ActionFamilyTracing, ActionFamilyReunification}

// SupportTargets lists what POST /support accepts as "to".
var SupportTargets = []string{SupportOpen, SupportSuspended, SupportClosed, SupportReopened,
	ActionReturn, ActionFamilyTracing, ActionFamilyReunification, ActionApproveBestInterest}

// supportAllowed reports whether the support track may move from → to.
func supportAllowed(from, to string) bool { return slices.Contains(supportRules[from], to) }

func (s *service) SupportTransition(ctx context.Context, caseID string, t TransitionRequest) (Workflow, error) {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return Workflow{}, err
	}
	if err := validateTransition(t); err != nil {
		return Workflow{}, err
	}
	if !slices.Contains(SupportTargets, t.To) {
		return Workflow{}, kit.Validation("to: must be one of " + strings.Join(SupportTargets, ", "))
	}
	if err := s.ring.EnsureOrgKey(ctx, p.OrgID); err != nil {
		return Workflow{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, w, grants, err := s.loadForWorkflow(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if err := s.refuseBreakGlassWrite(ctx, tx, p, caseID); err != nil {
			return err
		}
		if err := s.support(ctx, tx, p, c, &w, grants, t); err != nil {
			return err
		}
		return s.idem.Record(ctx, tx, http.StatusOK, caseID)
	})
	if err != nil {
		return Workflow{}, s.finish(ctx, err, "intake.support.transition", caseID)
	}
	return s.Workflow(ctx, caseID)
}

func (s *service) support(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, w *store.WorkflowRow, grants []store.GrantRow, t TransitionRequest) error {
	owner := c.OwnerOrg == p.OrgID && (p.HasRole(auth.RoleFrontlineOfficer) || p.HasRole(auth.RoleNGOCaseworker))
	now := s.now()
	audits := []event.Audit{s.rec.New(ctx, "intake.support.transition", "case", c.ID, event.Allowed)}
	switch {
	case t.To == ActionApproveBestInterest:
		if err := approveBestInterests(p, c, w, caseActors(p, c, grants)); err != nil {
			return err
		}
	case !owner:
		return kit.ErrForbidden
	case slices.Contains(childActions, t.To):
		if c.TreatedAsChild && w.BIAApprovedBy == "" {
			return ErrBestInterests
		}
		if w.SupportState == SupportClosed {
			return invalidTransition(w.SupportState, supportRules[w.SupportState])
		}
	case !supportAllowed(w.SupportState, t.To):
		return invalidTransition(w.SupportState, supportRules[w.SupportState])
	default:
		if t.To == SupportSuspended {
			// The person is missing: the owner's caseworkers and the
			// coordination desk are alerted in-app and in the audit log.
			for _, a := range []struct{ org, role string }{{c.OwnerOrg, auth.RoleNGOCaseworker}, {"", auth.RoleCoordinator}} {
				if err := s.store.InsertAlert(ctx, tx, event.NewID(), c.ID, a.org, a.role, "person_missing", now); err != nil {
					return err
				}
			}
			audits = append(audits, s.rec.New(ctx, "intake.support.missing", "case", c.ID, event.Allowed))
			if err := s.tellMissing(ctx, tx, c); err != nil {
				return err
			}
		}
	}
	from := w.SupportState
	if slices.Contains(supportRules[from], t.To) {
		w.SupportState = t.To
	}
	entryID := ""
	if t.Reason != "" {
		id, err := s.sealEntry(ctx, tx, p, c, EntryNote, map[string]string{"support": t.To, "reason": t.Reason}, "")
		if err != nil {
			return err
		}
		entryID = id
	}
	if err := s.store.PutWorkflow(ctx, tx, w, now); err != nil {
		return err
	}
	d := DecisionRecord{ID: event.NewID(), Track: "support", From: from, To: t.To, ReasonCode: t.ReasonCode,
		DecidedBy: p.UserID, OrgID: p.OrgID, EntryID: entryID, DecidedAt: now}
	if err := s.store.InsertDecision(ctx, tx, c.ID, d); err != nil {
		return err
	}
	return s.emitWorkflow(ctx, tx, nil, audits...)
}

func (s *service) Workflow(ctx context.Context, caseID string) (Workflow, error) {
	p, err := principal(ctx)
	if err != nil {
		return Workflow{}, err
	}
	var out Workflow
	err = s.store.ReadTx(ctx, func(tx *sql.Tx) error {
		c, w, grants, err := s.loadForWorkflow(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		consents, err := s.store.Consents(ctx, tx, caseID)
		if err != nil {
			return err
		}
		history, err := s.store.Decisions(ctx, tx, caseID)
		if err != nil {
			return err
		}
		out = s.workflowView(p, c, w, grants, consents, history)
		return nil
	})
	if err != nil {
		return Workflow{}, s.finish(ctx, err, "intake.workflow.read", caseID)
	}
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.workflow.read", "case", caseID, event.Allowed)); err != nil {
		return Workflow{}, err
	}
	return out, nil
}

func (s *service) workflowView(p auth.Principal, c store.CaseRow, w store.WorkflowRow, grants []store.GrantRow, consents []Consent, history []DecisionRecord) Workflow {
	now := s.now()
	out := Workflow{
		CaseID: c.ID, DecisionState: w.DecisionState, SupportState: w.SupportState, SubmittedAt: w.SubmittedAt,
		RGDue: w.RGDue, ReflectionEnds: w.ReflectionEnds, ReconsiderUntil: w.ReconsiderUntil, PendingProposal: w.ProposalTo,
		TreatedAsChild: c.TreatedAsChild, GuardianOrg: w.GuardianOrg, LegalHold: w.LegalHold, BestInterests: "none",
		NeedsChildProtectionReferral: needsChildProtection(c, grants),
		AdultConsentRequired:         adultConsentRequired(c, consents, now.Year()),
		Overdue:                      rgOverdue(w, now), History: history,
	}
	if c.Route == RouteNRM {
		out.Allowed, out.NotYet = openMoves(p, c, w, caseActors(p, c, grants), now.Format(time.DateOnly))
	}
	if w.ProposalTo != "" {
		out.ProposedBy, out.AwaitingSecondDecisionMaker = w.ProposalBy, true
		out.Message = proposalMessage(w, p.UserID)
	}
	switch {
	case w.BIAApprovedBy != "":
		out.BestInterests = "approved"
	case w.BIAEntry != "":
		out.BestInterests = "recorded"
	}
	return out
}

// rgOverdue: awaiting a reasonable-grounds decision past its target date.
func rgOverdue(w store.WorkflowRow, now time.Time) bool {
	waiting := w.DecisionState == DecisionSubmitted || w.DecisionState == DecisionInfoRequested
	return waiting && w.RGDue != "" && now.Format(time.DateOnly) > w.RGDue
}
