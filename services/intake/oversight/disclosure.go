package oversight

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

func (o *Oversight) validateDisclosure(in DisclosureInput) (DisclosureInput, error) {
	pol := o.pol
	if !slices.Contains(pol.Disclosure.RecipientKinds, in.RecipientKind) {
		return in, kit.Validation("recipient_kind: must be one of " + strings.Join(pol.Disclosure.RecipientKinds, ", "))
	}
	if !slices.Contains(pol.Disclosure.LegalBases, in.LegalBasis) {
		return in, kit.Validation("legal_basis: must be one of " + strings.Join(pol.Disclosure.LegalBases, ", "))
	}
	if len(in.Sections) == 0 || len(in.Sections) > len(casefile.Sections) {
		return in, kit.Validation("sections: name at least one of " + store.JoinCodes(casefile.Sections))
	}
	for _, n := range in.Sections {
		if !slices.Contains(casefile.Sections, n) {
			return in, kit.Validation("sections: each must be one of " + store.JoinCodes(casefile.Sections))
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
	return owner || p.HasRole(auth.RoleDecisionMaker) && store.HoldsDecisionGrant(grants, p.OrgID)
}

func (o *Oversight) Disclose(ctx context.Context, caseID string, in DisclosureInput) (Disclosure, error) {
	p, _, err := o.cw.CallerOrg(ctx)
	if err != nil {
		return Disclosure{}, err
	}
	if in, err = o.validateDisclosure(in); err != nil {
		return Disclosure{}, err
	}
	d := Disclosure{ID: event.NewID(), CaseID: caseID, OrgID: p.OrgID, UserID: p.UserID, RecipientKind: in.RecipientKind,
		LegalBasis: in.LegalBasis, Sections: in.Sections, DisclosedAt: o.now()}
	err = o.db.Tx(ctx, func(tx *sql.Tx) error {
		c, _, grants, err := o.cw.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if err := o.refuseDuringBreakGlass(ctx, tx, p, caseID); err != nil {
			return err
		}
		if !mayDisclose(p, c, grants) {
			return kit.ErrForbidden
		}
		if in.LegalBasis == LegalBasisConsent {
			// Consent as a basis is the person's data-sharing consent, and
			// it must cover the recipient's kind, as for a grant.
			consents, err := o.store.Consents(ctx, tx, caseID)
			if err != nil {
				return err
			}
			if !casefile.SharingCovers(consents, in.RecipientKind, o.now()) {
				return ErrConsentRequired
			}
		}
		if err := o.store.InsertDisclosure(ctx, tx, d); err != nil {
			return err
		}
		if err := o.idem.Record(ctx, tx, http.StatusCreated, caseID, d.ID); err != nil {
			return err
		}
		return o.cw.Emit(ctx, tx, o.rec.New(ctx, "intake.disclosure", "case", caseID, event.Allowed))
	})
	if err != nil {
		return Disclosure{}, o.cw.Finish(ctx, err, "intake.disclosure", caseID)
	}
	return d, nil
}

// DisclosureStands checks, as the caller, that a recorded disclosure may
// still be carried out (a package downloaded): the caller may still
// disclose the case, is not in its own break-the-glass, the legal basis is
// still one of the policy's, and a consent basis is still covered by the
// person's current data-sharing consent. kit.ErrNotFound for a case or
// disclosure the caller may not see, kit.ErrForbidden, ErrConsentRequired.
func (o *Oversight) DisclosureStands(ctx context.Context, caseID, disclosureID string) error {
	p, _, err := o.cw.CallerOrg(ctx)
	if err != nil {
		return err
	}
	if !casefile.ValidID(caseID) || !casefile.ValidID(disclosureID) {
		return o.cw.Deny(ctx, "intake.disclosure.check", caseID)
	}
	err = o.db.Tx(ctx, func(tx *sql.Tx) error {
		c, _, grants, err := o.cw.Visible(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		if err := o.refuseDuringBreakGlass(ctx, tx, p, caseID); err != nil {
			return err
		}
		if !mayDisclose(p, c, grants) {
			return kit.ErrForbidden
		}
		kind, basis, err := o.store.DisclosureBasis(ctx, tx, caseID, disclosureID)
		if err != nil {
			return err
		}
		if !slices.Contains(o.pol.Disclosure.LegalBases, basis) {
			return casefile.ErrLegalBasisWithdrawn
		}
		if basis != LegalBasisConsent {
			return nil
		}
		consents, err := o.store.Consents(ctx, tx, caseID)
		if err != nil {
			return err
		}
		if !casefile.SharingCovers(consents, kind, o.now()) {
			return ErrConsentRequired
		}
		return nil
	})
	if err != nil {
		return o.cw.Finish(ctx, err, "intake.disclosure.check", caseID)
	}
	return nil
}

func (o *Oversight) Disclosures(ctx context.Context) ([]Disclosure, error) {
	if _, err := auditorOnly(ctx); err != nil {
		return nil, err
	}
	out, err := o.store.Disclosures(ctx, o.db, "")
	if err != nil {
		return nil, err
	}
	if err := o.cw.AuditAlone(ctx, o.rec.New(ctx, "intake.disclosure.list", "disclosure", "", event.Allowed)); err != nil {
		return nil, err
	}
	return out, nil
}

func (o *Oversight) PlaceLegalHold(ctx context.Context, caseID string, in LegalHoldInput) (LegalHold, error) {
	return o.legalHold(ctx, caseID, in, true)
}

func (o *Oversight) ReleaseLegalHold(ctx context.Context, caseID string, in LegalHoldInput) (LegalHold, error) {
	return o.legalHold(ctx, caseID, in, false)
}

// legalHold places or releases a hold: an auditor on any case, a decision
// maker on a case its authority decides.
func (o *Oversight) legalHold(ctx context.Context, caseID string, in LegalHoldInput, place bool) (LegalHold, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return LegalHold{}, err
	}
	auditor, dm := p.HasRole(auth.RoleAuditor), p.HasRole(auth.RoleDecisionMaker) && p.OrgID != ""
	if !auditor && !dm {
		return LegalHold{}, kit.ErrForbidden
	}
	if in.ReasonCode == "" || len(in.ReasonCode) > 64 || !codeRe.MatchString(in.ReasonCode) {
		return LegalHold{}, kit.Validation("reason_code: a code of letters, digits and _.:-")
	}
	action, verb := "release", "intake.legal_hold.release"
	if place {
		action, verb = "place", "intake.legal_hold.place"
	}
	out := LegalHold{CaseID: caseID, LegalHold: place, ReasonCode: in.ReasonCode, At: o.now()}
	err = o.db.Tx(ctx, func(tx *sql.Tx) error {
		c, err := o.store.CaseByID(ctx, tx, caseID, true)
		if errors.Is(err, ErrNotFound) {
			return ErrDenied
		}
		if err != nil {
			return err
		}
		if !auditor {
			grants, err := o.store.Grants(ctx, tx, caseID)
			if err != nil {
				return err
			}
			if !store.HoldsDecisionGrant(grants, p.OrgID) {
				return ErrDenied
			}
		}
		w, err := o.store.Workflow(ctx, tx, c)
		if err != nil {
			return err
		}
		if w.LegalHold == place {
			return ErrInvalidState
		}
		w.LegalHold = place
		if err := o.store.PutWorkflow(ctx, tx, &w, out.At); err != nil {
			return err
		}
		id := event.NewID()
		if err := o.store.InsertLegalHold(ctx, tx, id, caseID, action, in.ReasonCode, p.UserID, p.OrgID, out.At); err != nil {
			return err
		}
		if err := o.idem.Record(ctx, tx, http.StatusOK, caseID, id); err != nil {
			return err
		}
		return o.cw.Emit(ctx, tx, o.rec.New(ctx, verb, "case", caseID, event.Allowed))
	})
	if err != nil {
		return LegalHold{}, o.cw.Finish(ctx, err, verb, caseID)
	}
	return out, nil
}

// LegalBasisConsent is the disclosure basis that rests on the person's
// data-sharing consent.
const LegalBasisConsent = "consent"
