package referral

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/facts"
	"github.com/nrm-project/nrm/pkg/kit"
	"github.com/nrm-project/nrm/services/referral/directory"
)

// Routes of a case (intake).
const routeAnonymous = "anonymous"

// ReasonConsentNotCovered marks a candidate intake refused to grant to.
const ReasonConsentNotCovered = "consent_not_covered"

func (s *service) validateNew(in NewReferral) (NewReferral, error) {
	if !validID(in.CaseID) {
		return in, kit.Validation("case_id: must be a case id")
	}
	if !slices.Contains(ServiceTypes, in.Service) {
		return in, kit.Validation("service: must be one of " + joinCodes(ServiceTypes))
	}
	if in.Kind == "" {
		in.Kind = KindInternal
	}
	switch in.Kind {
	case KindExternal:
		kind, err := s.desk.Rules.Check(in.LegalBasis, in.Destination, in.RecipientKind)
		if err != nil {
			return in, err
		}
		in.RecipientKind = kind
		if len(in.Candidates) > 0 || in.FanOut != 0 {
			return in, kit.Validation("candidates, fan_out: not for external referrals")
		}
		r, err := s.desk.CheckRecipient(in.Recipient)
		if err != nil {
			return in, err
		}
		in.Recipient = r
		if in.Urgency == "" {
			in.Urgency = "normal"
		}
	case KindInternal:
		if in.LegalBasis != "" || in.Destination != "" || in.Recipient != "" || in.RecipientKind != "" {
			return in, kit.Validation("legal_basis, destination, recipient, recipient_kind: only for external referrals")
		}
	default:
		return in, kit.Validation("kind: internal or external")
	}
	if !slices.Contains(Urgencies, in.Urgency) {
		return in, kit.Validation("urgency: must be one of " + joinCodes(Urgencies))
	}
	if in.FanOut == 0 {
		in.FanOut = s.routing.FanOut[in.Urgency]
	}
	if in.FanOut < 1 || in.FanOut > s.routing.MaxFanOut || in.FanOut > 1 && in.Urgency != "emergency" {
		return in, kit.Validation(fmt.Sprintf("fan_out: 1, or up to %d for an emergency", s.routing.MaxFanOut))
	}
	if len(in.Candidates) > s.routing.MaxCandidates {
		return in, kit.Validation(fmt.Sprintf("candidates: at most %d", s.routing.MaxCandidates))
	}
	for i, c := range in.Candidates {
		if !validID(c) || slices.Contains(in.Candidates[:i], c) {
			return in, kit.Validation("candidates: distinct organisation ids")
		}
	}
	return in, nil
}

func profileOf(c CaseSummary, service, urgency string) profile {
	return profile{
		Service: service, Urgency: urgency, Region: c.Region, Gender: c.Gender,
		Child: c.TreatedAsChild || c.AgeGroup != "adult", Dependants: max(c.Dependants, 0), Languages: c.Languages,
	}
}

// summary reads the case as the caller may see it.
func (s *service) summary(ctx context.Context, caseID, action string) (CaseSummary, error) {
	sum, err := s.cases.Summary(ctx, caseID)
	if errors.Is(err, kit.ErrNotFound) {
		return sum, s.deny(ctx, action, "case", caseID, ErrNotFound)
	}
	if err != nil {
		return sum, fmt.Errorf("referral: case summary: %w: %w", ErrUnavailable, err)
	}
	if sum.Route == routeAnonymous {
		return sum, ErrAnonymous
	}
	return sum, nil
}

func (s *service) CreateReferral(ctx context.Context, in NewReferral) (Referral, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Referral{}, err
	}
	if in, err = s.validateNew(in); err != nil {
		return Referral{}, err
	}
	if in.Kind == KindInternal && !p.HasRole(auth.RoleFrontlineOfficer) && !p.HasRole(auth.RoleNGOCaseworker) &&
		!p.HasRole(auth.RoleCoordinator) {
		// Decision makers refer outside the system for international
		// cooperation only.
		return Referral{}, s.deny(ctx, "referral.referral.create", "case", in.CaseID, ErrForbidden)
	}
	sum, err := s.summary(ctx, in.CaseID, "referral.referral.create")
	if err != nil {
		return Referral{}, err
	}
	now := s.now()
	row := referralRow{
		ID: event.NewID(), Kind: in.Kind, CaseID: sum.ID, CaseOwnerOrg: sum.OwnerOrg, SenderOrg: p.OrgID,
		SenderUser: p.UserID, Service: in.Service, Urgency: in.Urgency, Status: StatusPending, Region: sum.Region,
		Gender: sum.Gender, AgeGroup: sum.AgeGroup, TreatedAsChild: sum.TreatedAsChild, Languages: directory.Codes(sum.Languages),
		GroupSize: 1 + max(sum.Dependants, 0), Sections: s.routing.SectionsFor(in.Service), FanOut: in.FanOut,
		LegalBasis: in.LegalBasis, Destination: in.Destination, CreatedAt: now, UpdatedAt: now,
	}
	if row.CaseID == "" {
		row.CaseID = in.CaseID
	}
	if in.Kind == KindExternal {
		return s.createExternal(ctx, p, sum, row, in)
	}
	picked, err := s.pick(ctx, sum, in)
	if err != nil {
		return Referral{}, err
	}
	cands, err := s.grantAll(ctx, row, picked)
	if err != nil {
		return Referral{}, err
	}
	var out []candidateRow
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := s.store.insertReferral(ctx, tx, row); err != nil {
			return err
		}
		for _, c := range cands {
			if err := s.store.insertCandidate(ctx, tx, c); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, tx, s.rec.New(ctx, "referral.referral.create", "referral", row.ID, event.Allowed)); err != nil {
			return err
		}
		if err := s.facts(ctx, tx, s.fact(row, facts.ReferralCreated, now)); err != nil {
			return err
		}
		out = cands
		if err := s.idem.Record(ctx, tx, http.StatusCreated, row.ID); err != nil {
			return err
		}
		return s.advance(ctx, tx, &row, out, now)
	})
	if err != nil {
		// A commit whose answer was lost may have happened: its grants
		// are the referral's, not to revoke.
		if !errors.Is(err, db.ErrCommitUnknown) {
			s.revokeAll(ctx, row.CaseID, cands)
		}
		return Referral{}, err
	}
	return s.view(p, row, out, now), nil
}

// pick ranks the directory for the case, or checks the explicit candidates
// against the hard filters, keeping their order.
func (s *service) pick(ctx context.Context, sum CaseSummary, in NewReferral) ([]Candidate, error) {
	providers, err := s.store.Routable(ctx, in.Service)
	if err != nil {
		return nil, err
	}
	ranked, excluded := s.routing.Rank(profileOf(sum, in.Service, in.Urgency), providers)
	if len(in.Candidates) == 0 {
		return ranked[:min(len(ranked), s.routing.MaxCandidates)], nil
	}
	var out []Candidate
	for _, id := range in.Candidates {
		i := slices.IndexFunc(ranked, func(c Candidate) bool { return c.OrgID == id })
		if i < 0 {
			why := "not_in_directory"
			if j := slices.IndexFunc(excluded, func(c Candidate) bool { return c.OrgID == id }); j >= 0 {
				why = excluded[j].Reasons[0]
			}
			return nil, kit.Validation("candidates: " + id + " is excluded: " + why)
		}
		c := ranked[i]
		c.Rank = len(out) + 1
		out = append(out, c)
	}
	return out, nil
}

// grantAll asks intake for a pending grant to each candidate
// (grants.Keeper.GrantAll): one refused by consent is left out.
func (s *service) grantAll(ctx context.Context, row referralRow, picked []Candidate) ([]candidateRow, error) {
	orgs := make([]string, len(picked))
	for i, c := range picked {
		orgs[i] = c.OrgID
	}
	ids, err := s.keeper.GrantAll(ctx, GrantRequest{CaseID: row.CaseID, Sections: row.Sections, ReferralID: row.ID,
		Purpose: "referral", Service: row.Service}, orgs)
	if err != nil {
		return nil, err
	}
	var out []candidateRow
	for i, c := range picked {
		if ids[i] != "" {
			out = append(out, candidateRow{
				ReferralID: row.ID, OrgID: c.OrgID, Name: c.Name, Score: c.Score, Rank: len(out) + 1, Status: OfferQueued,
				Reasons: c.Reasons, GrantID: ids[i], GrantState: grantPending,
			})
		}
	}
	return out, nil
}

// revokeAll undoes grants of a referral that was not written.
func (s *service) revokeAll(ctx context.Context, caseID string, cands []candidateRow) {
	named := make([]GrantOfReferral, len(cands))
	for i, c := range cands {
		named[i] = GrantOfReferral{CaseID: caseID, ReferralID: c.ReferralID, OrgID: c.OrgID, GrantID: c.GrantID}
	}
	s.keeper.RevokeAll(ctx, named...)
}

func deadlineOf(r Routing, urgency string, from time.Time) time.Time {
	return from.Add(time.Duration(r.Deadlines[urgency]))
}
