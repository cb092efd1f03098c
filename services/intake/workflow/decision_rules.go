package workflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/keyring"
	"github.com/nrm-project/nrm/services/intake/store"
)

// moveRefused says why a move the rules table allows the caller is refused
// today, and the date from which it opens ("" when waiting will not open
// it). One function for the transition and for the workflow's allowed
// list, so the list offers nothing that is then refused.
func moveRefused(p auth.Principal, c store.CaseRow, w store.WorkflowRow, to, today string, early bool) (opens string, err error) {
	conclusive := to == casefile.DecisionCGPositive || to == casefile.DecisionCGNegative
	switch {
	case to == casefile.DecisionWithdrawn && c.TreatedAsChild:
		return "", ErrChildNoWithdrawal
	case conclusive && today < w.ReflectionEnds && !early:
		return w.ReflectionEnds, ErrReflectionPeriod
	case conclusive && today < w.ReflectionEnds && !earlyPossible(c, to):
		return w.ReflectionEnds, ErrEarlyNotAllowed
	case negative(w.DecisionState) && to == casefile.DecisionSubmitted && w.ReconsiderUntil != "" && today > w.ReconsiderUntil:
		return "", ErrReconsiderClosed
	case negative(to) && w.ProposalTo == to && w.ProposalBy == p.UserID:
		return "", ErrSecondDecisionMaker
	}
	return "", nil
}

// earlyPossible: only an adult's positive conclusive decision may come
// before the reflection period ends, and only at their request. A negative
// decision would cut short the period meant to let the person recover
// before deciding on cooperation; a child's period is never shortened.
func earlyPossible(c store.CaseRow, to string) bool {
	return to == casefile.DecisionCGPositive && !c.TreatedAsChild
}

// earlyRequest returns the person's recorded request to proceed early,
// made since the positive reasonable-grounds decision that opened the
// reflection period and not since corrected: the entry an early conclusive
// decision rests on.
func (tr *Tracks) earlyRequest(ctx context.Context, q store.Querier, caseID string) (string, error) {
	id, err := tr.store.LatestEntry(ctx, q, caseID, casefile.EntryProceedEarly, casefile.DecisionRGPositive)
	if errors.Is(err, ErrNotFound) {
		return "", ErrEarlyRequestMissing
	}
	return id, err
}

// openMoves splits the moves the rules give the caller into those open
// today and those that open later.
func openMoves(p auth.Principal, c store.CaseRow, w store.WorkflowRow, actors []string, today string) ([]string, []casefile.LaterMove) {
	var now []string
	var later []casefile.LaterMove
	for _, to := range AllowedDecisions(w.DecisionState, actors...) {
		from, err := moveRefused(p, c, w, to, today, false)
		switch {
		case err == nil:
			now = append(now, to)
		case from != "":
			later = append(later, casefile.LaterMove{To: to, Code: kit.AsError(err).Code, PossibleFrom: from,
				EarlyOnRequest: errors.Is(err, ErrReflectionPeriod) && earlyPossible(c, to)})
		}
	}
	return now, later
}

// proposalMessage is what a caller reads about a pending negative proposal.
func proposalMessage(w store.WorkflowRow, caller string) string {
	if w.ProposalTo == "" {
		return ""
	}
	if w.ProposalBy == caller {
		return "your " + w.ProposalTo + " proposal is recorded; the case is unchanged until a different decision maker confirms it"
	}
	return "a " + w.ProposalTo + " proposal awaits confirmation by a decision maker other than its proposer"
}

// pendingReason is a pending proposal's reason as opened before the
// transaction that may confirm it.
type pendingReason struct{ entryID, reason string }

// text returns the reason if it is that of entry (the proposal did not
// change in between), else "".
func (r pendingReason) text(entry string) string {
	if entry == "" || r.entryID != entry {
		return ""
	}
	return r.reason
}

// proposalReason opens the sealed reason of a pending negative proposal
// that the caller, a different decision maker of the same authority, may
// confirm: a confirmed decision's letter states the proposer's reasons too.
func (tr *Tracks) proposalReason(ctx context.Context, p auth.Principal, caseID string, w store.WorkflowRow) (pendingReason, error) {
	if w.ProposalTo == "" || w.ProposalEntry == "" || w.ProposalBy == p.UserID {
		return pendingReason{}, nil
	}
	stored, err := tr.store.Entries(ctx, tr.db, caseID, p.OrgID)
	if err != nil {
		return pendingReason{}, err
	}
	for _, e := range stored {
		if e.ID != w.ProposalEntry || !e.HasKey {
			continue
		}
		pt, err := tr.cw.OpenEntry(ctx, p.OrgID, e)
		if err != nil {
			return pendingReason{}, err
		}
		var r struct {
			Reason string `json:"reason"`
		}
		err = json.Unmarshal(pt, &r)
		clear(pt)
		if err != nil {
			return pendingReason{}, fmt.Errorf("intake: case %s: proposal reason: %w", caseID, keyring.ErrIntegrity)
		}
		return pendingReason{entryID: e.ID, reason: r.Reason}, nil
	}
	return pendingReason{}, nil
}

// joinReasons puts the proposer's and the confirmer's reasons together,
// each once.
func joinReasons(proposed, confirmed string) string {
	var parts []string
	for _, r := range []string{proposed, confirmed} {
		if r = strings.TrimSpace(r); r != "" && (len(parts) == 0 || parts[0] != r) {
			parts = append(parts, r)
		}
	}
	return strings.Join(parts, "\n\n")
}
