package intake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/store"
)

// applyEntry carries out what an entry means for the child-protection
// rules: an age assessment settles the presumption of minority (owner
// only), a best-interests assessment awaits approval.
func (s *service) applyEntry(ctx context.Context, tx *sql.Tx, p auth.Principal, c *store.CaseRow, w *store.WorkflowRow, in EntryInput, id string) error {
	switch in.Type {
	case EntryAgeAssessment:
		if c.OwnerOrg != p.OrgID {
			return kit.ErrForbidden
		}
		var a struct {
			Outcome string `json:"outcome"`
		}
		_ = json.Unmarshal(in.Content, &a)
		c.AgeGroup, c.AgeDisputed, c.TreatedAsChild = a.Outcome, false, a.Outcome == "child"
		c.UpdatedAt = s.now()
		return s.store.UpdateCase(ctx, tx, c)
	case EntryBestInterests:
		w.BIAEntry, w.BIARecordedBy, w.BIAApprovedBy = id, p.UserID, ""
		return s.store.PutWorkflow(ctx, tx, w, s.now())
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

func (s *service) AppointGuardian(ctx context.Context, caseID string, in GuardianInput) (Workflow, error) {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return Workflow{}, err
	}
	if in.UserID == "" || !refRe.MatchString(in.UserID) {
		return Workflow{}, kit.Validation("user_id: must be a user id")
	}
	org, err := s.orgs.Org(ctx, in.OrgID)
	if errors.Is(err, kit.ErrNotFound) || in.OrgID == "" {
		return Workflow{}, kit.Validation("org_id: unknown organisation")
	}
	if err != nil {
		return Workflow{}, fmt.Errorf("intake: organisation directory: %w: %w", ErrUnavailable, err)
	}
	if err := s.checkGuardian(ctx, in, org); err != nil {
		return Workflow{}, err
	}
	if err := s.ring.EnsureOrgKey(ctx, org.ID); err != nil {
		return Workflow{}, err
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.owned(ctx, tx, p, caseID, "intake.guardian.appoint")
		if err != nil {
			return err
		}
		if !c.TreatedAsChild || c.Status == StatusDraft {
			return ErrInvalidState
		}
		w, err := s.store.Workflow(ctx, tx, c)
		if err != nil {
			return err
		}
		// A new guardian replaces the previous one, whose organisation's
		// guardian grant ends with the appointment.
		if prev := w.GuardianOrg; prev != "" && prev != org.ID && prev != c.OwnerOrg {
			if err := s.endGrantsOf(ctx, tx, c, prev, p.OrgID, func(g store.GrantRow) bool { return g.Purpose == purposeGuardian }); err != nil {
				return err
			}
		}
		if org.ID != c.OwnerOrg && org.ID != w.GuardianOrg {
			secs, err := s.store.Sections(ctx, tx, caseID)
			if err != nil {
				return err
			}
			// What concerns the child: who they are and the legal file,
			// plus every decision and letter in the case record.
			var names []string
			for _, sec := range secs {
				if sec.Header.Section == SectionIdentity || sec.Header.Section == SectionLegal {
					names = append(names, sec.Header.Section)
				}
			}
			if err := s.grantActive(ctx, tx, c, secs, p.UserID, p.OrgID, []OrgInfo{org}, names, purposeGuardian); err != nil {
				return err
			}
			if err := s.shareEntries(ctx, tx, caseID, p.OrgID, org.ID, []string{entryDecision, entryLetter,
				EntryAgeAssessment, EntryBestInterests}); err != nil {
				return err
			}
		}
		if err := s.tellGuardianReplaced(ctx, tx, caseID, w.GuardianUser, w.GuardianOrg, in.UserID); err != nil {
			return err
		}
		w.GuardianUser, w.GuardianOrg = in.UserID, org.ID
		if err := s.store.PutWorkflow(ctx, tx, &w, s.now()); err != nil {
			return err
		}
		// Statistics count children whose guardian came within the target:
		// calendar days from identification, nothing else.
		f := s.workflowFact(facts.GuardianAppointed, c)
		if on, err := time.Parse(time.DateOnly, c.IdentifiedOn); err == nil {
			days := max(0, int(s.now().Sub(on).Hours()/24))
			f.DaysTaken = &days
		}
		return s.emitWorkflow(ctx, tx, []facts.Event{f}, s.rec.New(ctx, "intake.guardian.appoint", "case", caseID, event.Allowed))
	})
	if err != nil {
		return Workflow{}, s.finish(ctx, err, "intake.guardian.appoint", caseID)
	}
	return s.Workflow(ctx, caseID)
}

// needsChildProtection: a child's case needs its mandatory child-protection
// referral until a grant for that service exists.
func needsChildProtection(c store.CaseRow, grants []store.GrantRow) bool {
	if !c.TreatedAsChild {
		return false
	}
	for _, g := range grants {
		if g.Service == ServiceChildProtection && g.Status != GrantRevoked {
			return false
		}
	}
	return true
}

// adultConsentRequired: a person registered as a child who has turned 18
// (by birth year) is asked for their own consent, until one is recorded
// in or after that year.
func adultConsentRequired(c store.CaseRow, consents []Consent, year int) bool {
	if c.BirthYear == 0 || c.BirthYear+18 > year || c.AgeGroup == "adult" && !c.AgeDisputed {
		return false
	}
	for _, r := range consents {
		if r.RecordedAt.Year() >= c.BirthYear+18 && r.Purpose == PurposeAssistance {
			return false
		}
	}
	return true
}
