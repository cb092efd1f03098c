package referral

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
)

// Placement by the national referral desk. A referral that found no
// provider waits on the coordinators' board; a coordinator, who never sees
// the case, ranks the directory for the referral's own de-identified
// profile (Candidates) and offers it to one provider (Place). The offer
// runs as any other: the provider accepts or declines before its deadline,
// and its pending grant is made by intake on the owner's behalf at this
// service's request (after the checks here), with the consent checked as
// for the owner's own referral.

// PlaceInput names the provider a coordinator offers a referral to.
type PlaceInput struct {
	OrgID string `json:"org_id"`
}

// CodeGrantRevocationPending refuses to offer a referral again to a
// provider whose earlier grant for it is not yet revoked.
const CodeGrantRevocationPending = "grant_revocation_pending"

// ErrGrantRevocationPending: the provider's earlier grant of this referral
// is still being revoked; the sweeper finishes within a minute.
var ErrGrantRevocationPending = kit.NewError(http.StatusConflict, CodeGrantRevocationPending,
	"the provider's earlier grant for this referral is still being revoked: try again in a minute")

// profileOfRow is the routing profile a referral was created with.
func profileOfRow(r referralRow) profile {
	return profile{
		Service: r.Service, Urgency: r.Urgency, Region: r.Region, Gender: r.Gender,
		Child: r.TreatedAsChild || r.AgeGroup != "adult", Dependants: max(r.GroupSize-1, 0), Languages: r.Languages,
	}
}

// coordinatorRow loads a referral for a coordinator, auditing the read;
// a refusal is audited as a denial of action.
func (s *service) coordinatorRow(ctx context.Context, p auth.Principal, id, action string) (referralRow, []candidateRow, error) {
	if !p.HasRole(auth.RoleCoordinator) {
		return referralRow{}, nil, s.deny(ctx, action, "referral", id, ErrForbidden)
	}
	if !validID(id) {
		return referralRow{}, nil, ErrNotFound
	}
	var (
		row   referralRow
		cands []candidateRow
	)
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if row, cands, _, err = s.load(ctx, tx, p, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "referral.referral.read", "referral", id, event.Allowed))
	})
	if err != nil {
		return referralRow{}, nil, s.finish(ctx, err, action, id)
	}
	return row, cands, nil
}

// Candidates ranks the directory for a referral's profile, each provider
// with the reasons for its place, then the excluded ones (rank 0) with the
// filter that excluded them. Coordinators only.
func (s *service) Candidates(ctx context.Context, id string) ([]Candidate, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return nil, err
	}
	row, _, err := s.coordinatorRow(ctx, p, id, "referral.candidates.read")
	if err != nil {
		return nil, err
	}
	providers, err := s.store.Routable(ctx, row.Service)
	if err != nil {
		return nil, err
	}
	ranked, excluded := s.routing.Rank(profileOfRow(row), providers)
	return append(ranked, excluded...), nil
}

// Place offers a referral that found no provider to the provider a
// coordinator chose, which must pass routing's hard filters for it.
func (s *service) Place(ctx context.Context, id string, in PlaceInput) (Referral, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Referral{}, err
	}
	if !validID(in.OrgID) {
		return Referral{}, kit.Validation("org_id: must be an organisation id")
	}
	row, cands, err := s.coordinatorRow(ctx, p, id, "referral.referral.place")
	if err != nil {
		return Referral{}, err
	}
	if row.Status != StatusNoProvider {
		return Referral{}, kit.NewError(http.StatusConflict, CodeInvalidTransition,
			fmt.Sprintf("the referral is %s; only a referral with no provider is placed", row.Status))
	}
	if revoking(cands, in.OrgID) {
		return Referral{}, ErrGrantRevocationPending
	}
	providers, err := s.store.Routable(ctx, row.Service)
	if err != nil {
		return Referral{}, err
	}
	ranked, excluded := s.routing.Rank(profileOfRow(row), providers)
	i := slices.IndexFunc(ranked, func(c Candidate) bool { return c.OrgID == in.OrgID })
	if i < 0 {
		why := "not_in_directory"
		if j := slices.IndexFunc(excluded, func(c Candidate) bool { return c.OrgID == in.OrgID }); j >= 0 {
			why = excluded[j].Reasons[0]
		}
		return Referral{}, kit.Validation("org_id: " + in.OrgID + " is excluded: " + why)
	}
	chosen := ranked[i]
	// On the owner's behalf: the coordinator holds no relation to the case.
	g, err := s.keeper.Intake.GrantPending(serviceContext(ctx), GrantRequest{
		CaseID: row.CaseID, OrgID: chosen.OrgID, Sections: row.Sections, ReferralID: row.ID,
		Purpose: "referral", Service: row.Service,
	})
	if err != nil {
		if errors.Is(err, ErrConsentRequired) || kit.AsError(err) != kit.ErrInternal {
			return Referral{}, err
		}
		return Referral{}, fmt.Errorf("referral: grant: %w: %w", ErrUnavailable, err)
	}
	c := candidateRow{
		ReferralID: row.ID, OrgID: chosen.OrgID, Name: chosen.Name, Score: chosen.Score, Rank: len(cands) + 1,
		Status: OfferQueued, Reasons: chosen.Reasons, GrantID: g.ID, GrantState: grantPending,
	}
	now := s.now()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.lockPending(ctx, tx, id); err != nil {
			return err
		}
		if ok, err := s.store.moveReferral(ctx, tx, id, StatusNoProvider, StatusPending, "", 0, now); err != nil || !ok {
			return guard(err, transitionError(StatusPending))
		}
		row.Status, row.UpdatedAt = StatusPending, now
		before, err := s.store.candidates(ctx, tx, id)
		if err != nil {
			return err
		}
		if revoking(before, c.OrgID) {
			return ErrGrantRevocationPending
		}
		c.Rank = len(before) + 1
		if err := s.store.placeCandidate(ctx, tx, c); err != nil {
			return err
		}
		fresh, err := s.store.candidates(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.audit(ctx, tx, s.rec.New(ctx, "referral.referral.place", "referral", id, event.Allowed)); err != nil {
			return err
		}
		if err := s.tell(ctx, tx, row.SenderOrg, row, "placed_by_coordinator", nil); err != nil {
			return err
		}
		if err := s.advance(ctx, tx, &row, fresh, now); err != nil {
			return err
		}
		cands = fresh
		return nil
	})
	if err != nil {
		s.revokeAll(serviceContext(ctx), row.CaseID, []candidateRow{c})
		return Referral{}, s.finish(ctx, err, "referral.referral.place", id)
	}
	return s.view(p, row, cands, now), nil
}

// revoking reports whether org's earlier grant of the referral is not yet
// revoked: a new grant id must not replace one still to revoke.
func revoking(cands []candidateRow, org string) bool {
	c := findOffer(cands, org)
	return c != nil && c.GrantState != grantRevoked && c.GrantState != ""
}
