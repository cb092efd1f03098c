package intake

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/intake/casefile"
	"github.com/nrm-project/nrm/services/intake/store"
)

func (s *service) validateDisclosure(in DisclosureInput) (DisclosureInput, error) {
	pol := s.pol
	if !slices.Contains(pol.Disclosure.RecipientKinds, in.RecipientKind) {
		return in, kit.Validation("recipient_kind: must be one of " + strings.Join(pol.Disclosure.RecipientKinds, ", "))
	}
	if !slices.Contains(pol.Disclosure.LegalBases, in.LegalBasis) {
		return in, kit.Validation("legal_basis: must be one of " + strings.Join(pol.Disclosure.LegalBases, ", "))
	}
	if len(in.Sections) == 0 || len(in.Sections) > len(Sections) {
		return in, kit.Validation("sections: name at least one of " + store.JoinCodes(Sections))
	}
	for _, n := range in.Sections {
		if !slices.Contains(Sections, n) {
			return in, kit.Validation("sections: each must be one of " + store.JoinCodes(Sections))
		}
	}
	in.Sections = slices.Clone(in.Sections)
	slices.Sort(in.Sections)
	in.Sections = slices.Compact(in.Sections)
	return in, nil
}

// mayDisclose: the owner organisation's officers and caseworkers, and the
// decision makers of an authority holding the case's decision grant.
func mayDisclose(p auth.Principal, c store.CaseRow, grants []store.GrantRow) bool {
	owner := c.OwnerOrg == p.OrgID && (p.HasRole(auth.RoleFrontlineOfficer) || p.HasRole(auth.RoleNGOCaseworker))
	return owner || p.HasRole(auth.RoleDecisionMaker) && holdsDecisionGrant(grants, p.OrgID)
}

func (s *service) Disclose(ctx context.Context, caseID string, in DisclosureInput) (Disclosure, error) {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return Disclosure{}, err
	}
	if in, err = s.validateDisclosure(in); err != nil {
		return Disclosure{}, err
	}
	d := Disclosure{ID: event.NewID(), CaseID: caseID, OrgID: p.OrgID, UserID: p.UserID, RecipientKind: in.RecipientKind,
		LegalBasis: in.LegalBasis, Sections: in.Sections, DisclosedAt: s.now()}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, _, grants, err := s.loadForWorkflow(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if err := s.refuseDuringBreakGlass(ctx, tx, p, caseID); err != nil {
			return err
		}
		if !mayDisclose(p, c, grants) {
			return kit.ErrForbidden
		}
		if in.LegalBasis == LegalBasisConsent {
			// Consent as a basis is the person's data-sharing consent, and
			// it must cover the recipient's kind, as for a grant.
			consents, err := s.store.Consents(ctx, tx, caseID)
			if err != nil {
				return err
			}
			if !sharingCovers(consents, in.RecipientKind, s.now()) {
				return ErrConsentRequired
			}
		}
		if err := s.store.InsertDisclosure(ctx, tx, d); err != nil {
			return err
		}
		if err := s.idem.Record(ctx, tx, http.StatusCreated, caseID, d.ID); err != nil {
			return err
		}
		return s.emitWorkflow(ctx, tx, nil, s.rec.New(ctx, "intake.disclosure", "case", caseID, event.Allowed))
	})
	if err != nil {
		return Disclosure{}, s.finish(ctx, err, "intake.disclosure", caseID)
	}
	return d, nil
}

// DisclosureStands checks, as the caller, that a recorded disclosure may
// still be carried out (a package downloaded): the caller may still
// disclose the case, is not in its own break-the-glass, the legal basis is
// still one of the policy's, and a consent basis is still covered by the
// person's current data-sharing consent. kit.ErrNotFound for a case or
// disclosure the caller may not see, kit.ErrForbidden, ErrConsentRequired.
func (s *service) DisclosureStands(ctx context.Context, caseID, disclosureID string) error {
	p, _, err := s.callerOrg(ctx)
	if err != nil {
		return err
	}
	if !casefile.ValidID(caseID) || !casefile.ValidID(disclosureID) {
		return s.deny(ctx, "intake.disclosure.check", caseID)
	}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, _, grants, err := s.loadForWorkflow(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if err := s.refuseDuringBreakGlass(ctx, tx, p, caseID); err != nil {
			return err
		}
		if !mayDisclose(p, c, grants) {
			return kit.ErrForbidden
		}
		kind, basis, err := s.store.DisclosureBasis(ctx, tx, caseID, disclosureID)
		if err != nil {
			return err
		}
		if !slices.Contains(s.pol.Disclosure.LegalBases, basis) {
			return ErrLegalBasisWithdrawn
		}
		if basis != LegalBasisConsent {
			return nil
		}
		consents, err := s.store.Consents(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if !sharingCovers(consents, kind, s.now()) {
			return ErrConsentRequired
		}
		return nil
	})
	if err != nil {
		return s.finish(ctx, err, "intake.disclosure.check", caseID)
	}
	return nil
}

func (s *service) Disclosures(ctx context.Context) ([]Disclosure, error) {
	if _, err := auditorOnly(ctx); err != nil {
		return nil, err
	}
	out, err := s.store.Disclosures(ctx, s.db, "")
	if err != nil {
		return nil, err
	}
	if err := s.auditAlone(ctx, s.rec.New(ctx, "intake.disclosure.list", "disclosure", "", event.Allowed)); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *service) PlaceLegalHold(ctx context.Context, caseID string, in LegalHoldInput) (LegalHold, error) {
	return s.legalHold(ctx, caseID, in, true)
}

func (s *service) ReleaseLegalHold(ctx context.Context, caseID string, in LegalHoldInput) (LegalHold, error) {
	return s.legalHold(ctx, caseID, in, false)
}

// legalHold places or releases a hold: an auditor on any case, a decision
// maker on a case its authority decides.
func (s *service) legalHold(ctx context.Context, caseID string, in LegalHoldInput, place bool) (LegalHold, error) {
	p, err := principal(ctx)
	if err != nil {
		return LegalHold{}, err
	}
	auditor, dm := p.HasRole(auth.RoleAuditor), p.HasRole(auth.RoleDecisionMaker) && p.OrgID != ""
	if !auditor && !dm {
		return LegalHold{}, kit.ErrForbidden
	}
	if in.ReasonCode == "" || len(in.ReasonCode) > 64 || !refRe.MatchString(in.ReasonCode) {
		return LegalHold{}, kit.Validation("reason_code: a code of letters, digits and _.:-")
	}
	action, verb := "release", "intake.legal_hold.release"
	if place {
		action, verb = "place", "intake.legal_hold.place"
	}
	out := LegalHold{CaseID: caseID, LegalHold: place, ReasonCode: in.ReasonCode, At: s.now()}
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := s.store.CaseByID(ctx, tx, caseID, true)
		if errors.Is(err, ErrNotFound) {
			return errDenied
		}
		if err != nil {
			return err
		}
		if !auditor {
			grants, err := s.store.Grants(ctx, tx, caseID)
			if err != nil {
				return err
			}
			if !holdsDecisionGrant(grants, p.OrgID) {
				return errDenied
			}
		}
		w, err := s.store.Workflow(ctx, tx, c)
		if err != nil {
			return err
		}
		if w.LegalHold == place {
			return ErrInvalidState
		}
		w.LegalHold = place
		if err := s.store.PutWorkflow(ctx, tx, &w, out.At); err != nil {
			return err
		}
		if err := s.store.InsertLegalHold(ctx, tx, event.NewID(), caseID, action, in.ReasonCode, p.UserID, p.OrgID, out.At); err != nil {
			return err
		}
		return s.emitWorkflow(ctx, tx, nil, s.rec.New(ctx, verb, "case", caseID, event.Allowed))
	})
	if err != nil {
		return LegalHold{}, s.finish(ctx, err, verb, caseID)
	}
	return out, nil
}

// LegalBasisConsent is the disclosure basis that rests on the person's
// data-sharing consent.
const LegalBasisConsent = "consent"
