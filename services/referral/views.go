package referral

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/event"
	"github.com/nrm-project/nrm/pkg/kit"
)

// access is what a caller may see of a referral.
type access int

const (
	noAccess          access = iota
	summaryAccess            // a candidate that was offered it: the de-identified summary
	coordinatorAccess        // the referral desk: the summary, the status and the routing state, never the case
	providerAccess           // the accepting organisation: the summary and the case id
	fullAccess               // the sending organisation and the case's owner
)

func accessOf(p auth.Principal, r referralRow, cands []candidateRow) access {
	switch {
	case owns(p, r):
		return fullAccess
	case p.OrgID != "" && p.OrgID == r.AcceptedOrg:
		return providerAccess
	case p.HasRole(auth.RoleCoordinator):
		return coordinatorAccess
	}
	if c := findOffer(cands, p.OrgID); c != nil && c.Status != OfferQueued {
		return summaryAccess
	}
	return noAccess
}

// view renders a referral for p: the summary codes for a candidate, the
// case id for the accepting provider, everything for the sender.
func (s *service) view(p auth.Principal, r referralRow, cands []candidateRow, now time.Time) Referral {
	a := accessOf(p, r, cands)
	v := Referral{
		ID: r.ID, Kind: r.Kind, Status: r.Status, Service: r.Service, Urgency: r.Urgency, Region: r.Region,
		Gender: r.Gender, AgeGroup: r.AgeGroup, Languages: slices.Clone(r.Languages), GroupSize: r.GroupSize,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if mine := findOffer(cands, p.OrgID); mine != nil && a != fullAccess && a != coordinatorAccess {
		v.OfferStatus = mine.Status
		v.GrantState, v.GrantReason = mine.GrantState, mine.GrantReason
		if mine.Status == OfferOffered {
			v.Deadline = mine.Deadline
		}
	}
	if a >= providerAccess {
		v.CaseID, v.SenderOrg, v.AcceptedOrg, v.Sections = r.CaseID, r.SenderOrg, r.AcceptedOrg, slices.Clone(r.Sections)
	}
	if a == coordinatorAccess {
		// What routing needs: who sent it and where it stands.
		v.SenderOrg, v.AcceptedOrg = r.SenderOrg, r.AcceptedOrg
	}
	if a == fullAccess {
		v.LegalBasis, v.Destination = r.LegalBasis, r.Destination
		v.PackageID, v.RecipientFingerprint = r.PackageID, r.RecipientFingerprint
		v.RecipientKind, v.DisclosureID, v.ApprovedBy = r.RecipientKind, r.DisclosureID, r.ApprovedBy
	}
	if a == fullAccess || a == coordinatorAccess {
		v.FanOut = r.FanOut
		v.Candidates = make([]Candidate, 0, len(cands))
		for _, c := range cands {
			v.Candidates = append(v.Candidates, Candidate{OrgID: c.OrgID, Name: c.Name, Score: c.Score, Rank: c.Rank, Reasons: c.Reasons,
				Status: c.Status, Deadline: c.Deadline, DeclineReason: c.DeclineReason, DeclineNote: c.DeclineNote,
				GrantState: c.GrantState, GrantReason: c.GrantReason})
			if c.Status == OfferOffered && (v.Deadline == nil || c.Deadline.Before(*v.Deadline)) {
				v.Deadline = c.Deadline
			}
		}
	}
	if v.Deadline != nil {
		left := int64(max(v.Deadline.Sub(now), 0).Seconds())
		v.SecondsLeft = &left
	}
	return v
}

// GetReferral returns the referral once its read is in the audit outbox.
func (s *service) GetReferral(ctx context.Context, id string) (Referral, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Referral{}, err
	}
	if !validID(id) {
		return Referral{}, ErrNotFound
	}
	var (
		row   referralRow
		cands []candidateRow
	)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if row, cands, _, err = s.load(ctx, tx, p, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, s.rec.New(ctx, "referral.referral.read", "referral", id, event.Allowed))
	})
	if err != nil {
		return Referral{}, s.finish(ctx, err, "referral.referral.read", id)
	}
	if row.Status != StatusPending && p.OrgID == row.AcceptedOrg {
		// A grant intake could not activate on acceptance is retried here.
		_ = s.activate(ctx, row, cands)
	}
	return s.view(p, row, cands, s.now()), nil
}

// list reads the referrals read selects (a store method, run in the
// transaction), auditing a read of each before anything is returned.
func (s *service) list(ctx context.Context, p auth.Principal, read func(q queryer) ([]referralRow, error)) ([]Referral, error) {
	var out []Referral
	now := s.now()
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		rows, err := read(tx)
		if err != nil {
			return err
		}
		evs := make([]event.Audit, 0, len(rows))
		for _, r := range rows {
			cands, err := s.store.candidates(ctx, tx, r.ID)
			if err != nil {
				return err
			}
			if accessOf(p, r, cands) == noAccess {
				continue
			}
			if err := s.store.withDisclosure(ctx, tx, &r); err != nil {
				return err
			}
			out = append(out, s.view(p, r, cands, now))
			evs = append(evs, s.rec.New(ctx, "referral.referral.read", "referral", r.ID, event.Allowed))
		}
		return s.audit(ctx, tx, evs...)
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []Referral{}
	}
	return out, nil
}

const listLimit = 200

// Inbox lists a provider's open offers, soonest deadline first, then the
// referrals it accepted and still works on.
func (s *service) Inbox(ctx context.Context) ([]Referral, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return nil, err
	}
	return s.list(ctx, p, func(q queryer) ([]referralRow, error) { return s.store.inbox(ctx, q, p.OrgID, listLimit) })
}

// Sent lists the referrals the caller's organisation sent, newest first.
func (s *service) Sent(ctx context.Context) ([]Referral, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return nil, err
	}
	return s.list(ctx, p, func(q queryer) ([]referralRow, error) { return s.store.sentBy(ctx, q, p.OrgID, listLimit) })
}

// Board is the coordinators' desk.
func (s *service) Board(ctx context.Context) (Board, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return Board{}, err
	}
	if !p.HasRole(auth.RoleCoordinator) {
		return Board{}, s.deny(ctx, "referral.board.read", "board", "", ErrForbidden)
	}
	now := s.now()
	b := Board{Generated: now, UnmetNeeds: []UnmetNeed{}}
	if b.NoProvider, err = s.list(ctx, p, func(q queryer) ([]referralRow, error) {
		return s.store.withoutProvider(ctx, q, listLimit)
	}); err != nil {
		return Board{}, err
	}
	soon := now.Add(time.Duration(s.routing.ExpiringSoon))
	if b.ExpiringSoon, err = s.list(ctx, p, func(q queryer) ([]referralRow, error) {
		return s.store.expiringBy(ctx, q, soon, listLimit)
	}); err != nil {
		return Board{}, err
	}
	if b.Emergencies, err = s.list(ctx, p, func(q queryer) ([]referralRow, error) {
		return s.store.emergencies(ctx, q, listLimit)
	}); err != nil {
		return Board{}, err
	}
	if b.UnmetNeeds, err = s.store.unmetNeeds(ctx, s.db); err != nil {
		return Board{}, err
	}
	return b, nil
}

// Route previews the ranking for a case, with the reasons for each place,
// and the providers excluded with the filter that excluded them (rank 0).
func (s *service) Route(ctx context.Context, q RouteQuery) ([]Candidate, error) {
	if _, err := auth.Required(ctx); err != nil {
		return nil, err
	}
	if !validID(q.CaseID) {
		return nil, kit.Validation("case_id: must be a case id")
	}
	if !slices.Contains(ServiceTypes, q.Service) {
		return nil, kit.Validation("service: must be one of " + joinCodes(ServiceTypes))
	}
	if q.Urgency == "" {
		q.Urgency = "normal"
	}
	if !slices.Contains(Urgencies, q.Urgency) {
		return nil, kit.Validation("urgency: must be one of " + joinCodes(Urgencies))
	}
	sum, err := s.summary(ctx, q.CaseID, "referral.route.read")
	if err != nil {
		return nil, err
	}
	providers, err := s.store.Routable(ctx, q.Service)
	if err != nil {
		return nil, err
	}
	ranked, excluded := s.routing.Rank(profileOf(sum, q.Service, q.Urgency), providers)
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		return s.audit(ctx, tx, s.rec.New(ctx, "referral.route.read", "case", q.CaseID, event.Allowed))
	})
	if err != nil {
		return nil, err
	}
	return append(append(make([]Candidate, 0, len(ranked)+len(excluded)), ranked...), excluded...), nil
}

// Notifications returns the caller's organisation's notices after seq.
func (s *service) Notifications(ctx context.Context, after int64) ([]Notification, error) {
	p, err := auth.Required(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.notifications(ctx, s.db, p.OrgID, after, listLimit)
}
