package grants

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/go-kit/log"

	"github.com/nrm-project/nrm/pkg/auth"
	"github.com/nrm-project/nrm/pkg/db"
	"github.com/nrm-project/nrm/pkg/kit"
)

// Intake lets providers read the sections of a case (intake, adapted in
// cmd/nrm). GrantPending refuses with ErrConsentRequired when consent does
// not cover it.
type Intake interface {
	GrantPending(ctx context.Context, g Request) (Grant, error)
	ActivateGrant(ctx context.Context, caseID, grantID string) (Grant, error)
	// RevokeReferralGrant revokes c's grant: intake checks it is the one
	// of that referral to that organisation in that case.
	RevokeReferralGrant(ctx context.Context, c Candidate) error
	// EndGrant tells intake the service ended: the grant ends after the
	// follow-up window of intake's policy.
	EndGrant(ctx context.Context, caseID, grantID string) (Grant, error)
}

// Request asks that a candidate provider be able to read named
// sections of the case once it accepts.
type Request struct {
	CaseID     string
	OrgID      string
	Sections   []string
	ReferralID string
	Purpose    string // referral
	// Service is the referral's service code: a child may be referred for
	// child_protection without a recorded consent.
	Service string
}

// Grant is what referral keeps of a grant: its id and state.
type Grant struct {
	ID     string
	Status string // pending, active, revoked
}

// States of a candidate's grant (referral_candidates.grant_state).
const (
	Pending = "pending"
	Active  = "active"
	Revoked = "revoked"
	// Due was a grant due for revocation, retried by the sweeper until
	// intake revoked it; revocations now leave on the outbox at once, and
	// the sweeper hands a row left in this state to it (Handover).
	Due = "revoke"
)

// Keeper asks intake for the grants of a referral's candidates and
// keeps their state with the candidates.
type Keeper struct {
	DB     *db.DB
	Intake Intake
	Logger log.Logger
	// AsService returns ctx acting as the service itself: the second
	// try of an end the caller could not do.
	AsService func(ctx context.Context) context.Context
}

// Activate makes the accepting organisation's pending grant live, as the
// accepting user. When intake is unreachable the referral stays accepted
// and the next read by that organisation tries again.
func (k *Keeper) Activate(ctx context.Context, caseID, referralID, orgID, grantID string) error {
	if _, err := k.Intake.ActivateGrant(ctx, caseID, grantID); err != nil {
		_ = k.Logger.Log("msg", "activating grant failed", "referral", referralID, "err", err)
		return kit.ErrUnavailable
	}
	return SetState(ctx, k.DB, referralID, orgID, Active)
}

// ErrConsentRequired is intake's refusal of a grant the person's consent
// does not cover (referral.ErrConsentRequired).
var ErrConsentRequired = kit.NewError(http.StatusConflict, CodeConsentRequired, "the person's consent does not cover this")

// CodeConsentRequired is the code of ErrConsentRequired.
const CodeConsentRequired = "consent_required"

// GrantAll asks intake for a pending grant of req to each of orgs, so
// consent is checked there, and returns the grant ids in the order of
// orgs: "" for one whose kind the consent does not cover. When none is
// left it refuses with ErrConsentRequired (409); any other failure undoes
// the grants made so far.
func (k *Keeper) GrantAll(ctx context.Context, req Request, orgs []string) ([]string, error) {
	ids := make([]string, len(orgs))
	var made []Candidate
	for i, org := range orgs {
		req.OrgID = org
		g, err := k.Intake.GrantPending(ctx, req)
		if errors.Is(err, ErrConsentRequired) {
			continue
		}
		if err != nil {
			k.RevokeAll(ctx, made...)
			if kit.AsError(err) != kit.ErrInternal {
				return nil, err
			}
			return nil, fmt.Errorf("referral: grant: %w: %w", kit.ErrUnavailable, err)
		}
		ids[i] = g.ID
		made = append(made, Candidate{CaseID: req.CaseID, ReferralID: req.ReferralID, OrgID: org, GrantID: g.ID})
	}
	if len(made) == 0 && len(orgs) > 0 {
		return nil, ErrConsentRequired
	}
	return ids, nil
}

// RevokeAll undoes grants of a referral that was not written, each named
// whole (case, referral, organisation, grant).
func (k *Keeper) RevokeAll(ctx context.Context, cands ...Candidate) {
	ctx = context.WithoutCancel(ctx)
	for _, c := range cands {
		if c.GrantID == "" {
			continue
		}
		if err := k.Intake.RevokeReferralGrant(ctx, c); err != nil {
			_ = k.Logger.Log("msg", "revoking grant of an unwritten referral failed", "grant", c.GrantID, "err", err)
		}
	}
}

// End tells intake that the accepted provider's service ended, so its
// grant ends after the follow-up window. A failure is logged: the grant
// then stays until revoked otherwise.
func (k *Keeper) End(ctx context.Context, caseID, referralID, grantID string) {
	_, err := k.Intake.EndGrant(ctx, caseID, grantID)
	if err != nil && !isService(ctx) {
		_, err = k.Intake.EndGrant(k.AsService(ctx), caseID, grantID)
	}
	if err != nil {
		_ = k.Logger.Log("msg", "ending the grant with the service failed", "referral", referralID, "err", err)
	}
}

func isService(ctx context.Context) bool {
	p, ok := auth.FromContext(ctx)
	return ok && p.IsService()
}
