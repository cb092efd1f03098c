package intake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Actors of the decision track: the owner organisation's officers and
// caseworkers, and decision makers of a competent authority holding the
// case's decision grant.
const (
	actorOwner     = "owner"
	actorAuthority = "authority"
)

// decisionRule is one allowed move of the decision track.
type decisionRule struct{ from, to, actor string }

// decisionRules is the decision track (DESIGN.md): anything not listed is
// an invalid transition.
var decisionRules = []decisionRule{
	{DecisionIdentified, DecisionSubmitted, actorOwner},
	{DecisionSubmitted, DecisionInfoRequested, actorAuthority},
	{DecisionInfoRequested, DecisionSubmitted, actorOwner},
	{DecisionSubmitted, DecisionRGPositive, actorAuthority},
	{DecisionSubmitted, DecisionRGNegative, actorAuthority},
	{DecisionRGPositive, DecisionCGPositive, actorAuthority},
	{DecisionRGPositive, DecisionCGNegative, actorAuthority},
	{DecisionRGNegative, DecisionSubmitted, actorAuthority}, // reconsideration
	{DecisionCGNegative, DecisionSubmitted, actorAuthority}, // reconsideration
	{DecisionIdentified, DecisionWithdrawn, actorOwner},
	{DecisionSubmitted, DecisionWithdrawn, actorOwner},
	{DecisionInfoRequested, DecisionWithdrawn, actorOwner},
	{DecisionRGPositive, DecisionWithdrawn, actorOwner},
	{DecisionRGNegative, DecisionWithdrawn, actorOwner},
}

// DecisionStates lists every decision state.
var DecisionStates = []string{DecisionIdentified, DecisionSubmitted, DecisionInfoRequested, DecisionRGPositive,
	DecisionRGNegative, DecisionCGPositive, DecisionCGNegative, DecisionWithdrawn}

// allowedDecisions lists the states actor may move the case to from from.
func allowedDecisions(from string, actors ...string) []string {
	var out []string
	for _, r := range decisionRules {
		if r.from == from && slices.Contains(actors, r.actor) && !slices.Contains(out, r.to) {
			out = append(out, r.to)
		}
	}
	return out
}

func negative(state string) bool { return state == DecisionRGNegative || state == DecisionCGNegative }

// Workflow error codes.
const (
	CodeSecondDecisionMaker = "second_decision_maker_required"
	CodeReflectionPeriod    = "reflection_period"
	CodeReconsiderClosed    = "reconsideration_closed"
	CodeChildNoWithdrawal   = "child_cannot_withdraw"
	CodeBestInterests       = "best_interests_required"
	CodeEarlyNotAllowed     = "proceed_early_not_allowed"
	CodeEarlyRequestMissing = "proceed_early_request_required"
)

// Workflow errors.
var (
	ErrSecondDecisionMaker = kit.NewError(http.StatusConflict, CodeSecondDecisionMaker, "a negative decision is confirmed by a different decision maker")
	ErrReflectionPeriod    = kit.NewError(http.StatusConflict, CodeReflectionPeriod, "the recovery and reflection period has not ended")
	ErrReconsiderClosed    = kit.NewError(http.StatusConflict, CodeReconsiderClosed, "the reconsideration period has ended")
	ErrChildNoWithdrawal   = kit.NewError(http.StatusConflict, CodeChildNoWithdrawal, "a child is not withdrawn from the NRM")
	ErrBestInterests       = kit.NewError(http.StatusConflict, CodeBestInterests, "an approved best-interests assessment is required first")
	ErrEarlyNotAllowed     = kit.NewError(http.StatusConflict, CodeEarlyNotAllowed,
		"only an adult's positive conclusive decision may come before the recovery and reflection period ends")
	ErrEarlyRequestMissing = kit.NewError(http.StatusConflict, CodeEarlyRequestMissing,
		"the person's request to proceed before the reflection period ends is not recorded: add a proceed_early_request entry first")
)

// invalidTransition names the moves open to the caller.
func invalidTransition(from string, allowed []string) error {
	msg := "no transition from " + from + " is open to the caller"
	if len(allowed) > 0 {
		msg = "from " + from + " the allowed transitions are: " + strings.Join(allowed, ", ")
	}
	return kit.NewError(http.StatusConflict, CodeInvalidTransition, msg)
}

// caseActors returns the caller's relations to the case that let it act
// on the decision track.
func caseActors(p auth.Principal, c store.CaseRow, grants []store.GrantRow) []string {
	var out []string
	if c.OwnerOrg == p.OrgID && (p.HasRole(auth.RoleFrontlineOfficer) || p.HasRole(auth.RoleNGOCaseworker)) {
		out = append(out, actorOwner)
	}
	if p.HasRole(auth.RoleDecisionMaker) && store.HoldsDecisionGrant(grants, p.OrgID) {
		out = append(out, actorAuthority)
	}
	return out
}

const maxReason = 8 << 10

func validateTransition(t TransitionRequest) error {
	if len(t.Reason) > maxReason {
		return kit.Validation("reason: at most 8 KiB")
	}
	if !refRe.MatchString(t.ReasonCode) || len(t.ReasonCode) > 64 {
		return kit.Validation("reason_code: a code of letters, digits and _.:-")
	}
	return nil
}

func (s *service) Transition(ctx context.Context, caseID string, t TransitionRequest) (Workflow, error) {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return Workflow{}, err
	}
	if err := validateTransition(t); err != nil {
		return Workflow{}, err
	}
	if !slices.Contains(DecisionStates, t.To) {
		return Workflow{}, kit.Validation("to: must be one of " + strings.Join(DecisionStates, ", "))
	}
	// Submission grants the competent authority through Submit, in its
	// own transaction, once the move is known to be allowed.
	c, w, grants, err := s.loadForWorkflow(ctx, s.db, p, caseID)
	if err == nil {
		err = s.refuseBreakGlassWrite(ctx, s.db, p, caseID)
	}
	if err != nil {
		return Workflow{}, s.finish(ctx, err, "intake.case.transition", caseID)
	}
	actors := caseActors(p, c, grants)
	if len(actors) == 0 {
		return Workflow{}, kit.ErrForbidden
	}
	if w.DecisionState == DecisionIdentified && t.To == DecisionSubmitted && slices.Contains(actors, actorOwner) {
		if c.Route != RouteNRM {
			return Workflow{}, invalidTransition(w.DecisionState, nil)
		}
		if _, err := s.submit(ctx, caseID, t); err != nil {
			return Workflow{}, err
		}
		return s.Workflow(ctx, caseID)
	}
	proposal, err := s.proposalReason(ctx, p, caseID, w)
	if err != nil {
		return Workflow{}, s.finish(ctx, err, "intake.case.transition", caseID)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.store.CaseByID(ctx, tx, caseID, true)
		if err != nil {
			return errDenied
		}
		if grants, err = s.store.Grants(ctx, tx, caseID); err != nil {
			return err
		}
		w, err := s.store.Workflow(ctx, tx, c)
		if err != nil {
			return err
		}
		if err := s.decide(ctx, tx, p, c, &w, caseActors(p, c, grants), t, proposal.text(w.ProposalEntry)); err != nil {
			return err
		}
		return s.idem.Record(ctx, tx, http.StatusOK, caseID)
	})
	if err != nil {
		return Workflow{}, s.finish(ctx, err, "intake.case.transition", caseID)
	}
	return s.Workflow(ctx, caseID)
}

// decide applies one decision-track move in tx. proposalReason is the
// pending negative proposal's reason, opened before tx (proposalReason), so
// that a confirmed decision's letter states it.
func (s *service) decide(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, w *store.WorkflowRow, actors []string, t TransitionRequest, proposalReason string) error {
	from, now, pol := w.DecisionState, s.now(), s.pol
	if c.Route != RouteNRM || !slices.Contains(allowedDecisions(from, actors...), t.To) {
		return invalidTransition(from, allowedDecisions(from, actors...))
	}
	today := now.Format(time.DateOnly)
	if _, err := moveRefused(p, c, *w, t.To, today, t.ProceedEarly); err != nil {
		return err
	}
	if negative(t.To) && w.ProposalTo != t.To && strings.TrimSpace(t.Reason) == "" {
		return kit.ValidationFields(kit.FieldError{Path: "reason", Code: kit.FieldRequired,
			Message: "a negative decision states its reasons: they are kept in the record and given in the letter"})
	}
	earlyEntry := ""
	if strings.HasPrefix(t.To, "cg_") && today < w.ReflectionEnds {
		e, err := s.earlyRequest(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		earlyEntry = e
	}
	reasonEntry := ""
	if t.Reason != "" {
		e, err := s.sealEntry(ctx, tx, p, c, entryDecision, map[string]string{"to": t.To, "reason": t.Reason}, "")
		if err != nil {
			return err
		}
		reasonEntry = e
	}
	audit := s.rec.New(ctx, "intake.case.transition", "case", c.ID, event.Allowed)
	if negative(t.To) && w.ProposalTo != t.To {
		w.ProposalTo, w.ProposalBy, w.ProposalCode, w.ProposalEntry = t.To, p.UserID, t.ReasonCode, reasonEntry
		if err := s.store.PutWorkflow(ctx, tx, w, now); err != nil {
			return err
		}
		return s.emitWorkflow(ctx, tx, nil, s.rec.New(ctx, "intake.decision.propose", "case", c.ID, event.Allowed))
	}
	d := DecisionRecord{ID: event.NewID(), Track: "decision", From: from, To: t.To, ReasonCode: t.ReasonCode,
		DecidedBy: p.UserID, OrgID: p.OrgID, EntryID: reasonEntry, EarlyRequestID: earlyEntry, DecidedAt: now}
	letterReason := t.Reason
	if negative(t.To) {
		d.ProposedBy, d.ProposalEntryID = w.ProposalBy, w.ProposalEntry
		if d.ReasonCode == "" {
			d.ReasonCode = w.ProposalCode
		}
		letterReason = joinReasons(proposalReason, t.Reason)
	}
	w.ProposalTo, w.ProposalBy, w.ProposalCode, w.ProposalEntry = "", "", "", ""
	var stats []facts.Event
	switch t.To {
	case DecisionSubmitted:
		if from == DecisionIdentified || negative(from) {
			w.SubmittedAt = &now
			w.RGDue = pol.AddWorkingDays(now, pol.RGTargetWorkingDays).Format(time.DateOnly)
			w.ReconsiderUntil = ""
		}
	case DecisionRGPositive:
		w.ReflectionEnds = now.AddDate(0, 0, pol.ReflectionDays).Format(time.DateOnly)
	case DecisionWithdrawn:
		stats = append(stats, s.workflowFact(facts.Withdrawn, c))
	}
	if negative(t.To) {
		w.ReconsiderUntil = now.AddDate(0, 0, pol.ReconsiderationDays).Format(time.DateOnly)
	}
	if strings.HasPrefix(t.To, "rg_") || strings.HasPrefix(t.To, "cg_") {
		f := s.workflowFact(facts.Decided, c)
		f.Outcome = t.To
		if w.SubmittedAt != nil {
			days := pol.WorkingDaysBetween(*w.SubmittedAt, now)
			f.DaysTaken = &days
			if strings.HasPrefix(t.To, "rg_") {
				within := days <= pol.RGTargetWorkingDays
				f.WithinTarget = &within
			}
		}
		stats = append(stats, f)
		if err := s.sealLetter(ctx, tx, p, c, *w, t.To, letterReason); err != nil {
			return err
		}
	}
	w.DecisionState = t.To
	if err := s.store.PutWorkflow(ctx, tx, w, now); err != nil {
		return err
	}
	if err := s.store.InsertDecision(ctx, tx, c.ID, d); err != nil {
		return err
	}
	return s.emitWorkflow(ctx, tx, stats, audit)
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
	if !canSee(c, secs, grants, p.OrgID) || c.Status == StatusDraft {
		return c, store.WorkflowRow{}, nil, errDenied
	}
	w, err := s.store.Workflow(ctx, q, c)
	if err != nil {
		return c, store.WorkflowRow{}, nil, fmt.Errorf("intake: case %s: %w", caseID, err)
	}
	return c, w, grants, nil
}
