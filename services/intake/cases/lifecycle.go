package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/pkg/seal"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

// registrationOf rebuilds the attributes and current consent of a stored
// case, for full validation at Finalize.
func (s *Cases) registrationOf(c store.CaseRow, consents []Consent, secs []store.SectionRow) casefile.CheckedRegistration {
	_, assistance := consentCurrent(consents, casefile.PurposeAssistance, s.now())
	_, nrm := consentCurrent(consents, casefile.PurposeNRMSubmission, s.now())
	_, sharing := consentCurrent(consents, casefile.PurposeDataSharing, s.now())
	r := Registration{
		Route: c.Route, IdentifiedOn: c.IdentifiedOn, Region: c.Region, Gender: c.Gender, AgeGroup: c.AgeGroup,
		BirthYear: c.BirthYear, AgeDisputed: c.AgeDisputed, Nationalities: c.Nationalities, ExploitationTypes: c.ExploitationTypes,
		ExploitationLocation: c.ExploitationLocation, Indicators: c.Indicators, Needs: c.Needs, Languages: c.Languages,
		Dependants: c.Dependants, RiskLevel: c.RiskLevel, NotificationID: c.NotificationID,
		Unaccompanied: c.Unaccompanied, ProtectionStatus: c.ProtectionStatus,
		Consent: ConsentInput{Assistance: assistance, NRMReferral: nrm, DataSharing: sharing},
	}
	present := map[string][]byte{}
	for _, sec := range secs {
		present[sec.Header.Section] = nil
	}
	return casefile.CheckedRegistration{Registration: r, Child: casefile.TreatedAsChild(c.AgeGroup, c.AgeDisputed), Sections: present}
}

func (s *Cases) Finalize(ctx context.Context, id string) (Case, error) {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return Case{}, err
	}
	var (
		row      store.CaseRow
		consents []Consent
	)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if row, err = s.owned(ctx, tx, p, id, "intake.case.finalize"); err != nil {
			return err
		}
		if row.Status != StatusDraft {
			return ErrNotDraft
		}
		secs, err := s.store.Sections(ctx, tx, id)
		if err != nil {
			return err
		}
		if consents, err = s.store.Consents(ctx, tx, id); err != nil {
			return err
		}
		if err := casefile.CheckFinal(s.registrationOf(row, consents, secs), s.now(), s.regions); err != nil {
			return err
		}
		identity, err := s.ownIdentitySection(ctx, tx, row, secs, p.OrgID)
		if err != nil {
			return err
		}
		// The duplicate check is charged once the draft is found and only
		// if it probes the index (an identity section); over the limit
		// nothing is written.
		if identity != nil && row.Route != casefile.RouteAnonymous {
			if ok, wait := s.dupLimit.Take(p.UserID); !ok {
				return kit.RateLimited(LimitDuplicateChecks, wait)
			}
		}
		row.Status, row.UpdatedAt = StatusRegistered, s.now()
		if err := s.store.UpdateCase(ctx, tx, &row); err != nil {
			return err
		}
		if err := s.checkDuplicates(ctx, tx, row, identity, row.BirthYear); err != nil {
			return err
		}
		if err := s.stats(ctx, tx, s.registeredEvent(row)); err != nil {
			return err
		}
		return s.audit(ctx, tx,
			s.rec.New(ctx, "intake.case.finalize", "case", id, event.Allowed),
			s.rec.New(ctx, "intake.duplicate.check", "case", id, event.Allowed))
	})
	if err != nil {
		return Case{}, s.finish(ctx, err, "intake.case.finalize", id)
	}
	return View(row, consents, nil, nil), nil
}

// ownIdentitySection opens the identity section with the caller's own
// organisation's identity, for the duplicate index; it never leaves the
// service.
func (s *Cases) ownIdentitySection(ctx context.Context, tx *sql.Tx, c store.CaseRow, secs []store.SectionRow, org string) (*IdentityInfo, error) {
	wanted := map[seal.SectionID]bool{}
	for _, sec := range secs {
		if sec.Header.Section == SectionIdentity {
			wanted[sec.Header.ID()] = true
		}
	}
	if len(wanted) == 0 {
		return nil, nil
	}
	r, err := s.loadSealed(ctx, tx, c.ID, org, secs, wanted)
	if err != nil {
		return nil, err
	}
	pts, err := s.open(r)
	if err != nil {
		return nil, err
	}
	var id IdentityInfo
	err = json.Unmarshal(pts[SectionIdentity], &id)
	clear(pts[SectionIdentity])
	if err != nil {
		return nil, fmt.Errorf("intake: case %s: identity section: %w", c.ID, ErrIntegrity)
	}
	return &id, nil
}

// decisionSections are the sections a decision needs; health only with
// the person's data_sharing consent covering the competent authority.
func decisionSections(secs []store.SectionRow, healthConsented bool) []string {
	var out []string
	for _, sec := range secs {
		switch sec.Header.Section {
		case SectionIdentity, SectionNarrative, SectionLegal:
			out = append(out, sec.Header.Section)
		case SectionHealth:
			if healthConsented {
				out = append(out, sec.Header.Section)
			}
		}
	}
	return out
}

func (s *Cases) Submit(ctx context.Context, caseID string) (Case, error) {
	return s.SubmitTransition(ctx, caseID, TransitionRequest{To: DecisionSubmitted})
}

// SubmitTransition is the one submission path (POST /submit and a transition to
// submitted): the competent authority is granted what a decision needs and
// the decision track records the move with its reasonable-grounds due
// date, in one transaction.
func (s *Cases) SubmitTransition(ctx context.Context, caseID string, t TransitionRequest) (Case, error) {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return Case{}, err
	}
	authorities, err := s.orgs.OrgsByKind(ctx, casefile.OrgKindCompetentAuthority)
	if err != nil {
		return Case{}, fmt.Errorf("intake: organisation directory: %w: %w", ErrUnavailable, err)
	}
	if len(authorities) == 0 {
		return Case{}, fmt.Errorf("intake: no competent authority organisation: %w", ErrUnavailable)
	}
	for _, o := range authorities {
		if err := s.ring.EnsureOrgKey(ctx, o.ID); err != nil {
			return Case{}, err
		}
	}
	var (
		row      store.CaseRow
		consents []Consent
	)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if row, err = s.owned(ctx, tx, p, caseID, "intake.case.submit"); err != nil {
			return err
		}
		if row.Route != casefile.RouteNRM || row.Status != StatusRegistered {
			return ErrInvalidState
		}
		if consents, err = s.store.Consents(ctx, tx, caseID); err != nil {
			return err
		}
		if _, ok := consentCurrent(consents, casefile.PurposeNRMSubmission, s.now()); !row.TreatedAsChild && !ok {
			return casefile.ConsentMissing(casefile.PurposeNRMSubmission)
		}
		w, err := s.store.Workflow(ctx, tx, row) // before the status moves: the track's state as it stands
		if err != nil {
			return err
		}
		secs, err := s.store.Sections(ctx, tx, caseID)
		if err != nil {
			return err
		}
		names := decisionSections(secs, sharingCovers(consents, casefile.OrgKindCompetentAuthority, s.now()))
		if err := s.cw.GrantSections(ctx, tx, row, secs, p.UserID, p.OrgID, authorities, names, "decision"); err != nil {
			return err
		}
		row.Status, row.UpdatedAt = StatusSubmitted, s.now()
		if err := s.store.UpdateCase(ctx, tx, &row); err != nil {
			return err
		}
		if err := s.cw.Decide(ctx, tx, p, row, &w, t); err != nil {
			return err
		}
		if err := s.stats(ctx, tx, s.statsEvent(facts.Submitted, caseID)); err != nil {
			return err
		}
		// A keyed transition to submitted is carried out here.
		if err := s.idem.Record(ctx, tx, http.StatusOK, caseID); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "intake.case.submit", "case", caseID, event.Allowed))
	})
	if err != nil {
		return Case{}, s.finish(ctx, err, "intake.case.submit", caseID)
	}
	return View(row, consents, nil, nil), nil
}

func (s *Cases) Transfer(ctx context.Context, caseID, toOrg string) (Case, error) {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return Case{}, err
	}
	to, err := s.orgs.Org(ctx, toOrg)
	if errors.Is(err, kit.ErrNotFound) {
		return Case{}, kit.Validation("to_org: unknown organisation")
	}
	if err != nil {
		return Case{}, fmt.Errorf("intake: organisation directory: %w: %w", ErrUnavailable, err)
	}
	if to.ID == p.OrgID {
		return Case{}, kit.Validation("to_org: the case already belongs to this organisation")
	}
	if err := s.ring.EnsureOrgKey(ctx, to.ID); err != nil {
		return Case{}, err
	}
	protects, err := s.cw.ProtectsChildren(ctx, to)
	if err != nil {
		return Case{}, err
	}
	var (
		row      store.CaseRow
		consents []Consent
	)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if row, err = s.owned(ctx, tx, p, caseID, "intake.case.transfer"); err != nil {
			return err
		}
		if err := s.cw.RefuseDuringBreakGlass(ctx, tx, p, caseID); err != nil {
			return err
		}
		if row.Status == StatusDraft {
			return ErrInvalidState
		}
		secs, err := s.store.Sections(ctx, tx, caseID)
		if err != nil {
			return err
		}
		var names []string
		for _, sec := range secs {
			names = append(names, sec.Header.Section)
		}
		// A transfer shares everything: the consent rule of a grant.
		if consents, err = s.store.Consents(ctx, tx, caseID); err != nil {
			return err
		}
		w, err := s.store.Workflow(ctx, tx, row)
		if err != nil {
			return err
		}
		if err := casefile.MayShare(casefile.Shared{Route: row.Route, Status: row.Status, TreatedAsChild: row.TreatedAsChild}, consents, names,
			casefile.Recipient{Org: to, ProtectsChildren: protects, Guardian: w.GuardianOrg == to.ID}, s.now()); err != nil {
			return err
		}
		if err := s.cw.GrantSections(ctx, tx, row, secs, p.UserID, p.OrgID, []OrgInfo{to}, names, "transfer"); err != nil {
			return err
		}
		row.OwnerOrg, row.UpdatedAt = to.ID, s.now()
		if err := s.store.UpdateCase(ctx, tx, &row); err != nil {
			return err
		}
		if err := s.cw.HandOver(ctx, tx, row, p.UserID, p.OrgID, to.ID); err != nil {
			return err
		}
		e := s.statsEvent(facts.Transferred, caseID)
		e.OrgKind = to.Kind
		if err := s.stats(ctx, tx, e); err != nil {
			return err
		}
		// The case as it stood after the transfer (its last change) is
		// recorded too: a retry is answered only while it still stands,
		// never with what the new owner made of the case since.
		if err := s.idem.Record(ctx, tx, http.StatusOK, caseID, to.ID, LastConsentID(consents),
			row.UpdatedAt.UTC().Format(time.RFC3339Nano)); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "intake.case.transfer", "case", caseID, event.Allowed))
	})
	if err != nil {
		return Case{}, s.finish(ctx, err, "intake.case.transfer", caseID)
	}
	return View(row, consents, nil, nil), nil
}
