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
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// Actors of the decision track: the owner organisation's officers and
// caseworkers, and decision makers of a competent authority holding the
// case's decision grant.
const (
	ActorOwner     = "owner"
	ActorAuthority = "authority"
)

// decisionRule is one allowed move of the decision track.
type decisionRule struct{ from, to, actor string }

// decisionRules is the decision track (DESIGN.md): anything not listed is
// an invalid transition.
var decisionRules = []decisionRule{
	{casefile.DecisionIdentified, casefile.DecisionSubmitted, ActorOwner},
	{casefile.DecisionSubmitted, casefile.DecisionInfoRequested, ActorAuthority},
	{casefile.DecisionInfoRequested, casefile.DecisionSubmitted, ActorOwner},
	{casefile.DecisionSubmitted, casefile.DecisionRGPositive, ActorAuthority},
	{casefile.DecisionSubmitted, casefile.DecisionRGNegative, ActorAuthority},
	{casefile.DecisionRGPositive, casefile.DecisionCGPositive, ActorAuthority},
	{casefile.DecisionRGPositive, casefile.DecisionCGNegative, ActorAuthority},
	{casefile.DecisionRGNegative, casefile.DecisionSubmitted, ActorAuthority}, // reconsideration
	{casefile.DecisionCGNegative, casefile.DecisionSubmitted, ActorAuthority}, // reconsideration
	{casefile.DecisionIdentified, casefile.DecisionWithdrawn, ActorOwner},
	{casefile.DecisionSubmitted, casefile.DecisionWithdrawn, ActorOwner},
	{casefile.DecisionInfoRequested, casefile.DecisionWithdrawn, ActorOwner},
	{casefile.DecisionRGPositive, casefile.DecisionWithdrawn, ActorOwner},
	{casefile.DecisionRGNegative, casefile.DecisionWithdrawn, ActorOwner},
}

// DecisionStates lists every decision state.
var DecisionStates = []string{casefile.DecisionIdentified, casefile.DecisionSubmitted, casefile.DecisionInfoRequested,
	casefile.DecisionRGPositive, casefile.DecisionRGNegative, casefile.DecisionCGPositive, casefile.DecisionCGNegative,
	casefile.DecisionWithdrawn}

// AllowedDecisions lists the states actors may move the case to from from.
func AllowedDecisions(from string, actors ...string) []string {
	var out []string
	for _, r := range decisionRules {
		if r.from == from && slices.Contains(actors, r.actor) && !slices.Contains(out, r.to) {
			out = append(out, r.to)
		}
	}
	return out
}

func negative(state string) bool {
	return state == casefile.DecisionRGNegative || state == casefile.DecisionCGNegative
}

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
	return kit.NewError(http.StatusConflict, casefile.CodeInvalidTransition, msg)
}

// caseActors returns the caller's relations to the case that let it act
// on the decision track.
func caseActors(p auth.Principal, c store.CaseRow, grants []store.GrantRow) []string {
	var out []string
	if c.OwnerOrg == p.OrgID && (p.HasRole(auth.RoleFrontlineOfficer) || p.HasRole(auth.RoleNGOCaseworker)) {
		out = append(out, ActorOwner)
	}
	if p.HasRole(auth.RoleDecisionMaker) && store.HoldsDecisionGrant(grants, p.OrgID) {
		out = append(out, ActorAuthority)
	}
	return out
}

func validateTransition(t casefile.TransitionRequest) error {
	if len(t.Reason) > maxReason {
		return kit.Validation("reason: at most 8 KiB")
	}
	if !codeRe.MatchString(t.ReasonCode) || len(t.ReasonCode) > 64 {
		return kit.Validation("reason_code: a code of letters, digits and _.:-")
	}
	return nil
}

// Transition implements Service.
func (tr *Tracks) Transition(ctx context.Context, caseID string, t casefile.TransitionRequest) (casefile.Workflow, error) {
	p, _, err := tr.cw.CallerOrg(ctx)
	if err != nil {
		return casefile.Workflow{}, err
	}
	if err := validateTransition(t); err != nil {
		return casefile.Workflow{}, err
	}
	if !slices.Contains(DecisionStates, t.To) {
		return casefile.Workflow{}, kit.Validation("to: must be one of " + strings.Join(DecisionStates, ", "))
	}
	// Submission grants the competent authority through Submit, in its
	// own transaction, once the move is known to be allowed.
	c, w, grants, err := tr.cw.Visible(ctx, tr.db, p, caseID)
	if err == nil {
		err = tr.cw.RefuseWrite(ctx, tr.db, p, caseID)
	}
	if err != nil {
		return casefile.Workflow{}, tr.cw.Finish(ctx, err, "intake.case.transition", caseID)
	}
	actors := caseActors(p, c, grants)
	if len(actors) == 0 {
		return casefile.Workflow{}, kit.ErrForbidden
	}
	if w.DecisionState == casefile.DecisionIdentified && t.To == casefile.DecisionSubmitted && slices.Contains(actors, ActorOwner) {
		if c.Route != casefile.RouteNRM {
			return casefile.Workflow{}, invalidTransition(w.DecisionState, nil)
		}
		if err := tr.cw.Submit(ctx, caseID, t); err != nil {
			return casefile.Workflow{}, err
		}
		return tr.Workflow(ctx, caseID)
	}
	proposal, err := tr.proposalReason(ctx, p, caseID, w)
	if err != nil {
		return casefile.Workflow{}, tr.cw.Finish(ctx, err, "intake.case.transition", caseID)
	}
	err = tr.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := tr.store.CaseByID(ctx, tx, caseID, true)
		if err != nil {
			return ErrDenied
		}
		if grants, err = tr.store.Grants(ctx, tx, caseID); err != nil {
			return err
		}
		w, err := tr.store.Workflow(ctx, tx, c)
		if err != nil {
			return err
		}
		if err := tr.Decide(ctx, tx, p, c, &w, caseActors(p, c, grants), t, proposal.text(w.ProposalEntry)); err != nil {
			return err
		}
		return tr.idem.Record(ctx, tx, http.StatusOK, caseID)
	})
	if err != nil {
		return casefile.Workflow{}, tr.cw.Finish(ctx, err, "intake.case.transition", caseID)
	}
	return tr.Workflow(ctx, caseID)
}

// Decide applies one decision-track move in tx, for actors. proposalReason
// is the pending negative proposal's reason, opened before tx
// (proposalReason), so that a confirmed decision's letter states it. The
// cases service's submission moves the track through it too.
func (tr *Tracks) Decide(ctx context.Context, tx *sql.Tx, p auth.Principal, c store.CaseRow, w *store.WorkflowRow, actors []string, t casefile.TransitionRequest, proposalReason string) error {
	from, now, pol := w.DecisionState, tr.now(), tr.pol
	if c.Route != casefile.RouteNRM || !slices.Contains(AllowedDecisions(from, actors...), t.To) {
		return invalidTransition(from, AllowedDecisions(from, actors...))
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
		e, err := tr.earlyRequest(ctx, tx, c.ID)
		if err != nil {
			return err
		}
		earlyEntry = e
	}
	reasonEntry := ""
	if t.Reason != "" {
		e, err := tr.cw.SealEntry(ctx, tx, p, c, casefile.EntryDecision, map[string]string{"to": t.To, "reason": t.Reason}, "")
		if err != nil {
			return err
		}
		reasonEntry = e
	}
	audit := tr.rec.New(ctx, "intake.case.transition", "case", c.ID, event.Allowed)
	if negative(t.To) && w.ProposalTo != t.To {
		w.ProposalTo, w.ProposalBy, w.ProposalCode, w.ProposalEntry = t.To, p.UserID, t.ReasonCode, reasonEntry
		if err := tr.store.PutWorkflow(ctx, tx, w, now); err != nil {
			return err
		}
		return tr.cw.Emit(ctx, tx, nil, tr.rec.New(ctx, "intake.decision.propose", "case", c.ID, event.Allowed))
	}
	d := casefile.DecisionRecord{ID: event.NewID(), Track: "decision", From: from, To: t.To, ReasonCode: t.ReasonCode,
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
	case casefile.DecisionSubmitted:
		if from == casefile.DecisionIdentified || negative(from) {
			w.SubmittedAt = &now
			w.RGDue = pol.AddWorkingDays(now, pol.RGTargetWorkingDays).Format(time.DateOnly)
			w.ReconsiderUntil = ""
		}
	case casefile.DecisionRGPositive:
		w.ReflectionEnds = now.AddDate(0, 0, pol.ReflectionDays).Format(time.DateOnly)
	case casefile.DecisionWithdrawn:
		stats = append(stats, tr.cw.Fact(facts.Withdrawn, c))
	}
	if negative(t.To) {
		w.ReconsiderUntil = now.AddDate(0, 0, pol.ReconsiderationDays).Format(time.DateOnly)
	}
	if strings.HasPrefix(t.To, "rg_") || strings.HasPrefix(t.To, "cg_") {
		f := tr.cw.Fact(facts.Decided, c)
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
		if err := tr.sealLetter(ctx, tx, p, c, *w, t.To, letterReason); err != nil {
			return err
		}
	}
	w.DecisionState = t.To
	if err := tr.store.PutWorkflow(ctx, tx, w, now); err != nil {
		return err
	}
	if err := tr.store.InsertDecision(ctx, tx, c.ID, d); err != nil {
		return err
	}
	return tr.cw.Emit(ctx, tx, stats, audit)
}
