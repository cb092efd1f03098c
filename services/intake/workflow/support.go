package workflow

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
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// supportRules is the support track: from → allowed to. It runs from day
// one, whatever the decision track says.
var supportRules = map[string][]string{
	casefile.SupportOpen:      {casefile.SupportSuspended, casefile.SupportClosed},
	casefile.SupportSuspended: {casefile.SupportOpen, casefile.SupportClosed},
	casefile.SupportClosed:    {casefile.SupportReopened},
	casefile.SupportReopened:  {casefile.SupportSuspended, casefile.SupportClosed},
}

// childActions need a child's approved best-interests assessment.
var childActions = []string{casefile.ActionReturn, casefile.ActionFamilyTracing, casefile.ActionFamilyReunification}

// SupportTargets lists what POST /support accepts as "to".
var SupportTargets = []string{casefile.SupportOpen, casefile.SupportSuspended, casefile.SupportClosed,
	casefile.SupportReopened, casefile.ActionReturn, casefile.ActionFamilyTracing, casefile.ActionFamilyReunification,
	casefile.ActionApproveBestInterest}

// supportAllowed reports whether the support track may move from → to.
func supportAllowed(from, to string) bool { return slices.Contains(supportRules[from], to) }

// SupportTransition implements Service.
func (tr *Tracks) SupportTransition(ctx context.Context, caseID string, t casefile.TransitionRequest) (casefile.Workflow, error) {
	p, _, err := tr.cw.CallerOrg(ctx)
	if err != nil {
		return casefile.Workflow{}, err
	}
	if err := validateTransition(t); err != nil {
		return casefile.Workflow{}, err
	}
	if !slices.Contains(SupportTargets, t.To) {
		return casefile.Workflow{}, kit.Validation("to: must be one of " + strings.Join(SupportTargets, ", "))
	}
	if err := tr.ring.EnsureOrgKey(ctx, p.OrgID); err != nil {
		return casefile.Workflow{}, err
	}
	err = tr.db.Tx(ctx, func(tx *sql.Tx) error {
		c, w, grants, err := tr.cw.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if err := tr.cw.RefuseWrite(ctx, tx, p, caseID); err != nil {
			return err
		}
		if err := tr.support(ctx, tx, p, c, &w, grants, t); err != nil {
			return err
		}
		return tr.idem.Record(ctx, tx, http.StatusOK, caseID)
	})
	if err != nil {
		return casefile.Workflow{}, tr.cw.Finish(ctx, err, "intake.support.transition", caseID)
	}
	return tr.Workflow(ctx, caseID)
}

func (tr *Tracks) support(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, w *store.WorkflowRow, grants []store.GrantRow, t casefile.TransitionRequest) error {
	owner := c.OwnerOrg == p.OrgID && (p.HasRole(auth.RoleFrontlineOfficer) || p.HasRole(auth.RoleNGOCaseworker))
	now := tr.now()
	audits := []event.Audit{tr.rec.New(ctx, "intake.support.transition", "case", c.ID, event.Allowed)}
	switch {
	case t.To == casefile.ActionApproveBestInterest:
		if err := approveBestInterests(p, c, w, caseActors(p, c, grants)); err != nil {
			return err
		}
	case !owner:
		return kit.ErrForbidden
	case slices.Contains(childActions, t.To):
		if c.TreatedAsChild && w.BIAApprovedBy == "" {
			return ErrBestInterests
		}
		if w.SupportState == casefile.SupportClosed {
			return invalidTransition(w.SupportState, supportRules[w.SupportState])
		}
	case !supportAllowed(w.SupportState, t.To):
		return invalidTransition(w.SupportState, supportRules[w.SupportState])
	default:
		if t.To == casefile.SupportSuspended {
			// The person is missing: the owner's caseworkers and the
			// coordination desk are alerted in-app and in the audit log.
			for _, a := range []struct{ org, role string }{{c.OwnerOrg, auth.RoleNGOCaseworker}, {"", auth.RoleCoordinator}} {
				if err := tr.store.InsertAlert(ctx, tx, event.NewID(), c.ID, a.org, a.role, "person_missing", now); err != nil {
					return err
				}
			}
			audits = append(audits, tr.rec.New(ctx, "intake.support.missing", "case", c.ID, event.Allowed))
			if err := tr.tellMissing(ctx, tx, c); err != nil {
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
		id, err := tr.cw.SealEntry(ctx, tx, p, c, casefile.EntryNote, map[string]string{"support": t.To, "reason": t.Reason}, "")
		if err != nil {
			return err
		}
		entryID = id
	}
	if err := tr.store.PutWorkflow(ctx, tx, w, now); err != nil {
		return err
	}
	d := casefile.DecisionRecord{ID: event.NewID(), Track: "support", From: from, To: t.To, ReasonCode: t.ReasonCode,
		DecidedBy: p.UserID, OrgID: p.OrgID, EntryID: entryID, DecidedAt: now}
	if err := tr.store.InsertDecision(ctx, tx, c.ID, d); err != nil {
		return err
	}
	return tr.cw.Emit(ctx, tx, nil, audits...)
}

// Workflow implements Service.
func (tr *Tracks) Workflow(ctx context.Context, caseID string) (casefile.Workflow, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return casefile.Workflow{}, err
	}
	var out casefile.Workflow
	err = tr.store.ReadTx(ctx, func(tx *sql.Tx) error {
		c, w, grants, err := tr.cw.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		consents, err := tr.store.Consents(ctx, tx, caseID)
		if err != nil {
			return err
		}
		history, err := tr.store.Decisions(ctx, tx, caseID)
		if err != nil {
			return err
		}
		out = tr.View(p, c, w, grants, consents, history)
		return nil
	})
	if err != nil {
		return casefile.Workflow{}, tr.cw.Finish(ctx, err, "intake.workflow.read", caseID)
	}
	if err := tr.cw.AuditAlone(ctx, tr.rec.New(ctx, "intake.workflow.read", "case", caseID, event.Allowed)); err != nil {
		return casefile.Workflow{}, err
	}
	return out, nil
}

// View is the case's tracks as p reads them: Workflow's answer, and the
// workflow part of intake's one-snapshot case view.
func (tr *Tracks) View(p auth.Principal, c store.CaseRow, w store.WorkflowRow, grants []store.GrantRow, consents []casefile.Consent, history []casefile.DecisionRecord) casefile.Workflow {
	now := tr.now()
	out := casefile.Workflow{
		CaseID: c.ID, DecisionState: w.DecisionState, SupportState: w.SupportState, SubmittedAt: w.SubmittedAt,
		RGDue: w.RGDue, ReflectionEnds: w.ReflectionEnds, ReconsiderUntil: w.ReconsiderUntil, PendingProposal: w.ProposalTo,
		TreatedAsChild: c.TreatedAsChild, GuardianOrg: w.GuardianOrg, LegalHold: w.LegalHold, BestInterests: "none",
		NeedsChildProtectionReferral: needsChildProtection(c, grants),
		AdultConsentRequired:         adultConsentRequired(c, consents, now.Year()),
		Overdue:                      rgOverdue(w, now), History: history,
	}
	if c.Route == casefile.RouteNRM {
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
	waiting := w.DecisionState == casefile.DecisionSubmitted || w.DecisionState == casefile.DecisionInfoRequested
	return waiting && w.RGDue != "" && now.Format(time.DateOnly) > w.RGDue
}
