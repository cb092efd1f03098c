package referral

import (
	"context"

	"github.com/nrm-project/nrm/pkg/idempotency"
)

// Keyed operations: a request carrying an Idempotency-Key is carried out
// once per caller and key (pkg/idempotency). A retried acceptance or
// decline answers the first outcome instead of a 409 its own first
// attempt caused.
const (
	opCreate  = "referral.referral.create"
	opAccept  = "referral.referral.accept"
	opDecline = "referral.referral.decline"
)

// idempotent makes the creating methods of Service honour a key in the
// context; the others pass through. A replay is the referral read back,
// audited as a read (GetReferral); a referral holds no personal data.
type idempotent struct {
	Service
	s *service
}

type keyedRequest[T any] struct {
	ID   string `json:"id"`
	Body T      `json:"body"`
}

func (m idempotent) replay(ctx context.Context, o idempotency.Outcome) (Referral, error) {
	return m.s.GetReferral(ctx, o.ID())
}

func (m idempotent) CreateReferral(ctx context.Context, in NewReferral) (Referral, error) {
	return idempotency.Do(ctx, m.s.idem, opCreate, in,
		func(ctx context.Context) (Referral, error) { return m.Service.CreateReferral(ctx, in) }, m.replay)
}

func (m idempotent) Accept(ctx context.Context, id string) (Referral, error) {
	return idempotency.Do(ctx, m.s.idem, opAccept, keyedRequest[struct{}]{ID: id},
		func(ctx context.Context) (Referral, error) { return m.Service.Accept(ctx, id) }, m.replay)
}

func (m idempotent) Decline(ctx context.Context, id string, in DeclineInput) (Referral, error) {
	return idempotency.Do(ctx, m.s.idem, opDecline, keyedRequest[DeclineInput]{id, in},
		func(ctx context.Context) (Referral, error) { return m.Service.Decline(ctx, id, in) }, m.replay)
}
