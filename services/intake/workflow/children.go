package workflow

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// applyEntry carries out what an entry means for the child-protection
// rules: an age assessment settles the presumption of minority (owner
// only), a best-interests assessment awaits approval.
func (tr *Tracks) applyEntry(ctx context.Context, tx *sql.Tx, p auth.Principal, c *store.CaseRow, w *store.WorkflowRow, in casefile.EntryInput, id string) error {
	switch in.Type {
	case casefile.EntryAgeAssessment:
		if c.OwnerOrg != p.OrgID {
			return kit.ErrForbidden
		}
		var a struct {
			Outcome string `json:"outcome"`
		}
		_ = json.Unmarshal(in.Content, &a)
		c.AgeGroup, c.AgeDisputed, c.TreatedAsChild = a.Outcome, false, a.Outcome == "child"
		c.UpdatedAt = tr.now()
		return tr.store.UpdateCase(ctx, tx, c)
	case casefile.EntryBestInterests:
		w.BIAEntry, w.BIARecordedBy, w.BIAApprovedBy = id, p.UserID, ""
		return tr.store.PutWorkflow(ctx, tx, w, tr.now())
	}
	return nil
}

// approveBestInterests approves the recorded assessment: a decision maker
// of the competent authority, or a user of the owner organisation other
// than the one who recorded it.
func approveBestInterests(p auth.Principal, c store.CaseRow, w *store.WorkflowRow, actors []string) error {
	if w.BIAEntry == "" {
		return ErrBestInterests
	}
	if p.UserID == w.BIARecordedBy {
		return ErrSecondDecisionMaker
	}
	if len(actors) == 0 && c.OwnerOrg != p.OrgID {
		return kit.ErrForbidden
	}
	w.BIAApprovedBy = p.UserID
	return nil
}

// AppointGuardian implements Service.
func (tr *Tracks) AppointGuardian(ctx context.Context, caseID string, in casefile.GuardianInput) (casefile.Workflow, error) {
	p, _, err := tr.cw.CallerOrg(ctx)
	if err != nil {
		return casefile.Workflow{}, err
	}
	if in.UserID == "" || !codeRe.MatchString(in.UserID) {
		return casefile.Workflow{}, kit.Validation("user_id: must be a user id")
	}
	org, kind, err := tr.cw.Org(ctx, in.OrgID)
	if errors.Is(err, kit.ErrNotFound) || in.OrgID == "" {
		return casefile.Workflow{}, kit.Validation("org_id: unknown organisation")
	}
	if err != nil {
		return casefile.Workflow{}, fmt.Errorf("intake: organisation directory: %w: %w", ErrUnavailable, err)
	}
	if err := tr.checkGuardian(ctx, in.UserID, org, kind); err != nil {
		return casefile.Workflow{}, err
	}
	if err := tr.ring.EnsureOrgKey(ctx, org); err != nil {
		return casefile.Workflow{}, err
	}
	err = tr.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := tr.cw.Owned(ctx, tx, p, caseID, "intake.guardian.appoint")
		if err != nil {
			return err
		}
		if !c.TreatedAsChild || c.Status == casefile.StatusDraft {
			return ErrInvalidState
		}
		w, err := tr.store.Workflow(ctx, tx, c)
		if err != nil {
			return err
		}
		if err := tr.cw.GrantGuardian(ctx, tx, p, c, w.GuardianOrg, org); err != nil {
			return err
		}
		if err := tr.tellGuardianReplaced(ctx, tx, caseID, w.GuardianUser, w.GuardianOrg, in.UserID); err != nil {
			return err
		}
		w.GuardianUser, w.GuardianOrg = in.UserID, org
		if err := tr.store.PutWorkflow(ctx, tx, &w, tr.now()); err != nil {
			return err
		}
		// Statistics count children whose guardian came within the target:
		// calendar days from identification, nothing else.
		f := tr.cw.Fact(facts.GuardianAppointed, c)
		if on, err := time.Parse(time.DateOnly, c.IdentifiedOn); err == nil {
			days := max(0, int(tr.now().Sub(on).Hours()/24))
			f.DaysTaken = &days
		}
		if err := tr.idem.Record(ctx, tx, http.StatusOK, caseID); err != nil {
			return err
		}
		return tr.cw.Emit(ctx, tx, []facts.Event{f}, tr.rec.New(ctx, "intake.guardian.appoint", "case", caseID, event.Allowed))
	})
	if err != nil {
		return casefile.Workflow{}, tr.cw.Finish(ctx, err, "intake.guardian.appoint", caseID)
	}
	return tr.Workflow(ctx, caseID)
}

// needsChildProtection: a child's case needs its mandatory child-protection
// referral until a grant for that service exists.
func needsChildProtection(c store.CaseRow, grants []store.GrantRow) bool {
	if !c.TreatedAsChild {
		return false
	}
	for _, g := range grants {
		if g.Service == casefile.ServiceChildProtection && g.Status != casefile.GrantRevoked {
			return false
		}
	}
	return true
}

// adultConsentRequired: a person registered as a child who has turned 18
// (by birth year) is asked for their own consent, until one is recorded
// in or after that year.
func adultConsentRequired(c store.CaseRow, consents []casefile.Consent, year int) bool {
	if c.BirthYear == 0 || c.BirthYear+18 > year || c.AgeGroup == "adult" && !c.AgeDisputed {
		return false
	}
	for _, r := range consents {
		if r.RecordedAt.Year() >= c.BirthYear+18 && r.Purpose == casefile.PurposeAssistance {
			return false
		}
	}
	return true
}
